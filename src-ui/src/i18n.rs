//! The i18n layer: every user-facing string comes from the Fluent files in `locales/`
//! (German is the default, English the alternative), looked up reactively so that
//! switching the language re-renders every text.

use std::cell::RefCell;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use leptos::prelude::*;
use unic_langid::{LanguageIdentifier, langid};

use augenmerk_domain::I18nText;

/// The languages the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// German (default).
    De,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// Parses a tag such as `de`, `de-DE`, `en-GB`; anything else falls back to German.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::De
        }
    }

    /// The other language (for the switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::De => Lang::En,
            Lang::En => Lang::De,
        }
    }

    /// Picks the text of this language from a bilingual text of the domain.
    pub fn pick(self, text: &I18nText) -> &str {
        match self {
            Lang::De => &text.de,
            Lang::En => &text.en,
        }
    }

    /// Picks between a German and an English string.
    pub fn choose<'a>(self, de: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

const DE_FTL: &str = include_str!("../locales/de.ftl");
const EN_FTL: &str = include_str!("../locales/en.ftl");
// The staff console's texts, in their own files (added to the same bundles).
const CONSOLE_DE_FTL: &str = include_str!("../locales/console.de.ftl");
const CONSOLE_EN_FTL: &str = include_str!("../locales/console.en.ftl");
// The public map's texts (src/pages/public_map), likewise.
const PUBLIC_DE_FTL: &str = include_str!("../locales/public.de.ftl");
const PUBLIC_EN_FTL: &str = include_str!("../locales/public.en.ftl");

struct Bundles {
    de: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(sources: &[&str], lang: LanguageIdentifier) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new(vec![lang]);
    // Isolation marks would end up in input values and test selectors.
    bundle.set_use_isolating(false);
    for source in sources {
        // A syntax error in a shipped file is caught by the tests; at run time the parsed part is used.
        let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(partial, _)| partial);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

thread_local! {
    static BUNDLES: RefCell<Option<Bundles>> = const { RefCell::new(None) };
}

fn with_bundle<R>(lang: Lang, f: impl FnOnce(&FluentBundle<FluentResource>) -> R) -> R {
    BUNDLES.with(|cell| {
        let mut slot = cell.borrow_mut();
        let bundles = slot.get_or_insert_with(|| Bundles {
            de: bundle(&[DE_FTL, CONSOLE_DE_FTL, PUBLIC_DE_FTL], langid!("de")),
            en: bundle(&[EN_FTL, CONSOLE_EN_FTL, PUBLIC_EN_FTL], langid!("en")),
        });
        f(match lang {
            Lang::De => &bundles.de,
            Lang::En => &bundles.en,
        })
    })
}

/// Formats a message in a language; a missing key shows the key itself (and fails the tests).
pub fn format(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    with_bundle(lang, |bundle| {
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    })
}

/// The current language, shared by the whole UI.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// Starts in the given language.
    pub fn new(lang: Lang) -> Self {
        Self {
            lang: RwSignal::new(lang),
        }
    }

    /// The current language (tracked).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// Switches the language.
    pub fn set(&self, lang: Lang) {
        self.lang.set(lang);
    }

    /// A message (tracked, so views re-render on a switch).
    pub fn t(&self, key: &str) -> String {
        format(self.lang.get(), key, None)
    }

    /// A message with arguments.
    pub fn t_args(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (name, value) in args {
            fa.set(*name, value.clone());
        }
        format(self.lang.get(), key, Some(&fa))
    }
}

/// The UI's language from context.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(Lang::De))
}

/// All message ids of a Fluent file, for the completeness tests.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('-'))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .filter(|id| !id.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_messages_and_parse() {
        for (name, src) in [
            ("de", DE_FTL),
            ("en", EN_FTL),
            ("console.de", CONSOLE_DE_FTL),
            ("console.en", CONSOLE_EN_FTL),
            ("public.de", PUBLIC_DE_FTL),
            ("public.en", PUBLIC_EN_FTL),
        ] {
            assert!(
                FluentResource::try_new(src.to_owned()).is_ok(),
                "{name}.ftl has a syntax error"
            );
        }
        let mut de = message_ids(DE_FTL);
        let mut en = message_ids(EN_FTL);
        de.sort();
        en.sort();
        assert_eq!(de, en, "de.ftl and en.ftl must define the same messages");
        let mut console_de = message_ids(CONSOLE_DE_FTL);
        let mut console_en = message_ids(CONSOLE_EN_FTL);
        console_de.sort();
        console_en.sort();
        assert_eq!(
            console_de, console_en,
            "console.de.ftl and console.en.ftl must define the same messages"
        );
        // One bundle holds both files: a key defined twice would silently lose one text.
        let twice: Vec<&String> = console_de.iter().filter(|k| de.contains(k)).collect();
        assert!(twice.is_empty(), "keys defined in de.ftl and console.de.ftl: {twice:?}");
        let mut public_de = message_ids(PUBLIC_DE_FTL);
        let mut public_en = message_ids(PUBLIC_EN_FTL);
        public_de.sort();
        public_en.sort();
        assert_eq!(
            public_de, public_en,
            "public.de.ftl and public.en.ftl must define the same messages"
        );
        let twice: Vec<&String> = public_de
            .iter()
            .filter(|k| de.contains(k) || console_de.contains(k))
            .collect();
        assert!(
            twice.is_empty(),
            "keys of public.de.ftl defined elsewhere too: {twice:?}"
        );
    }

    #[test]
    fn every_key_the_code_uses_exists() {
        let mut ids = message_ids(DE_FTL);
        ids.extend(message_ids(CONSOLE_DE_FTL));
        ids.extend(message_ids(PUBLIC_DE_FTL));
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for marker in [".t(\"", ".t_args(\"", "tr!(\""] {
                    for (i, _) in text.match_indices(marker) {
                        // `tr!(` is a macro of its own, not the tail of `include_str!(`.
                        let before = text[..i].chars().next_back();
                        if marker == "tr!(\"" && before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let rest = &text[i + marker.len()..];
                        if let Some(end) = rest.find('"') {
                            let key = &rest[..end];
                            if !ids.iter().any(|id| id == key) {
                                missing.push(format!("{}: {key}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing in the Fluent files: {missing:#?}");
    }

    #[test]
    fn arguments_and_fallback() {
        let mut args = FluentArgs::new();
        args.set("count", 2);
        assert_eq!(
            format(Lang::En, "queue-waiting", Some(&args)),
            "2 reports waiting for the network"
        );
        assert_eq!(format(Lang::De, "no-such-key", None), "no-such-key");
    }
}
