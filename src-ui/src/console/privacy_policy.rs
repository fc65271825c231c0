//! Data protection for admins: the municipality's retention policy (each period with what
//! it removes and its allowed range), its privacy notice and Impressum in German and
//! English with their placeholders, and a live preview as citizens will read it. Saved
//! with the rest of the settings; the server checks the ranges and the placeholders and
//! names the fields it refuses, and bumps the notice's version when its text changes.

use leptos::prelude::*;

use augenmerk_domain::I18nText;
use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::i18n::Language;
use augenmerk_domain::privacy::{
    self, Block, CONTACT_DAYS_MAX, CONTENT_DAYS, DEVICE_DAYS, LegalTexts, NoticeFacts, PLACEHOLDERS, RetentionPolicy,
    UNUSED_PHOTO_HOURS,
};

use super::api::use_api;
use super::settings_io::{load_settings, save_settings};
use super::use_console;
use super::widgets::{Notice, SelectField};
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, field_anchor, problem_text};
use crate::i18n::{I18n, Lang, use_i18n};

/// The policy's fields: wire name, label, explanation (Fluent keys) and bounds.
const PERIODS: [(&str, &str, &str, (u32, u32)); 3] = [
    (
        "contact_days",
        "c-privacy-contact-days",
        "c-privacy-contact-days-hint",
        (0, CONTACT_DAYS_MAX),
    ),
    (
        "content_days",
        "c-privacy-content-days",
        "c-privacy-content-days-hint",
        CONTENT_DAYS,
    ),
    (
        "device_inactive_days",
        "c-privacy-device-days",
        "c-privacy-device-days-hint",
        DEVICE_DAYS,
    ),
];

/// The four texts: wire field, label (Fluent key), language.
const TEXTS: [(&str, &str, Language); 4] = [
    ("legal.privacy_notice.de", "c-privacy-notice-de", Language::De),
    ("legal.privacy_notice.en", "c-privacy-notice-en", Language::En),
    ("legal.imprint.de", "c-privacy-imprint-de", Language::De),
    ("legal.imprint.en", "c-privacy-imprint-en", Language::En),
];

/// What the page shows from the typed texts: the texts as citizens read them, and what
/// each placeholder stands for now.
type Rendered = Option<(privacy::LegalInfo, Vec<(&'static str, String)>)>;

/// The form's state: every field as the admin types it.
#[derive(Clone, Copy)]
struct Form {
    periods: [RwSignal<String>; 3],
    texts: [RwSignal<String>; 4],
}

impl Form {
    fn new() -> Self {
        Self {
            periods: std::array::from_fn(|_| RwSignal::new(String::new())),
            texts: std::array::from_fn(|_| RwSignal::new(String::new())),
        }
    }

    fn show(&self, s: &MunicipalitySettings) {
        let r = s.retention;
        for (signal, value) in self
            .periods
            .iter()
            .zip([r.contact_days, r.content_days, r.device_inactive_days])
        {
            signal.set(value.to_string());
        }
        let l = &s.legal;
        for (signal, value) in
            self.texts
                .iter()
                .zip([&l.privacy_notice.de, &l.privacy_notice.en, &l.imprint.de, &l.imprint.en])
        {
            signal.set(value.clone());
        }
    }

    /// The policy as typed; a field that is no whole number is named.
    fn retention(&self) -> Result<RetentionPolicy, Vec<FieldError>> {
        let mut days = [0u32; 3];
        let mut problems = Vec::new();
        for (i, (name, ..)) in PERIODS.iter().enumerate() {
            match self.periods[i].get().trim().parse::<u32>() {
                Ok(n) => days[i] = n,
                Err(_) => problems.push(FieldError::new(format!("retention.{name}"), "wrong_type")),
            }
        }
        if problems.is_empty() {
            Ok(RetentionPolicy {
                contact_days: days[0],
                content_days: days[1],
                device_inactive_days: days[2],
            })
        } else {
            Err(problems)
        }
    }

    /// The texts as typed (the version stays the server's).
    fn legal(&self, version: u32) -> LegalTexts {
        let [nd, ne, id, ie] = self.texts.map(|t| t.get());
        LegalTexts {
            privacy_notice: I18nText::new(nd, ne),
            imprint: I18nText::new(id, ie),
            notice_version: version,
        }
    }
}

/// The message under a field: ranges and placeholders are named, other problems as
/// everywhere else.
fn problem_message(i18n: &I18n, form: &Form, p: &FieldError) -> String {
    if let Some((_, _, _, (min, max))) = PERIODS
        .iter()
        .find(|(name, ..)| p.field.strip_prefix("retention.") == Some(name))
    {
        return i18n.t_args(
            "c-privacy-problem-range",
            &[("min", f64::from(*min).into()), ("max", f64::from(*max).into())],
        );
    }
    match p.problem.as_str() {
        "unknown_placeholder" => {
            let text = TEXTS
                .iter()
                .position(|(field, ..)| *field == p.field)
                .map(|i| form.texts[i].get())
                .unwrap_or_default();
            let names: Vec<String> = privacy::unknown_placeholders(&text)
                .into_iter()
                .map(|n| format!("{{{n}}}"))
                .collect();
            if names.is_empty() {
                // The text changed since the server refused it.
                i18n.t("c-privacy-problem-placeholder-any")
            } else {
                i18n.t_args("c-privacy-problem-placeholder", &[("names", names.join(", ").into())])
            }
        }
        "control_characters" => i18n.t("c-privacy-problem-control"),
        _ => problem_text(i18n, p),
    }
}

/// The admin's data protection page.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let form = Form::new();
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let preview = RwSignal::new("notice-de".to_owned());
    let municipality = api
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.municipality_name.clone()).unwrap_or_default());
    let show = move |s: MunicipalitySettings| {
        form.show(&s);
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        let retention = match untrack(|| form.retention()) {
            Ok(r) => r,
            Err(details) => {
                let key = "c-privacy-check-fields";
                notice.set(None);
                error.set(Some(UiError {
                    details,
                    ..UiError::localized(key)
                }));
                return;
            }
        };
        s.retention = retention;
        s.legal = untrack(|| form.legal(s.legal.notice_version));
        save_settings(api, console, s, show, "c-saved", error, notice);
    };

    // The texts as citizens will read them, from what is typed now (a period that is no
    // number yet keeps its saved value).
    let rendered = move || {
        let s = settings.get()?;
        let retention = form.retention().unwrap_or(s.retention);
        let facts = NoticeFacts {
            municipality: &municipality,
            mailbox: s.mail_reply_to.as_deref(),
            authorities: s.authorities.iter().map(|a| a.name.as_str()).collect(),
            retention,
        };
        let info = privacy::legal_info(&form.legal(s.legal.notice_version), &facts);
        let placeholders: Vec<(&'static str, String)> = PLACEHOLDERS
            .iter()
            .map(|p| {
                let language = if i18n.lang() == Lang::En {
                    Language::En
                } else {
                    Language::De
                };
                (*p, privacy::render(&format!("{{{p}}}"), &facts, language))
            })
            .collect();
        Some((info, placeholders))
    };
    let rendered = Memo::new(move |_| rendered());

    let periods = PERIODS
        .into_iter()
        .enumerate()
        .map(|(i, (name, label, hint, (min, max)))| {
            let field = format!("retention.{name}");
            let id = field_anchor(&field);
            let hint_id = format!("{id}-hint");
            let error_id = format!("{id}-error");
            let value = form.periods[i];
            let problem = {
                let field = field.clone();
                Memo::new(move |_| problems.with(|ps| ps.iter().find(|p| p.field == field).cloned()))
            };
            let described = {
                let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
                move || match problem.get() {
                    Some(_) => format!("{hint_id} {error_id}"),
                    None => hint_id.clone(),
                }
            };
            let days = move || {
                let typed = value.get();
                if typed.trim().parse::<u32>().is_ok() {
                    typed.trim().to_owned()
                } else {
                    "…".to_owned()
                }
            };
            view! {
                <div class="kern-form-input">
                    <label class="kern-label" for=id.clone()>{move || i18n.t(label)}</label>
                    <p class="kern-hint" id=hint_id>{move || i18n.t_args(hint, &[
                        ("days", days().into()),
                        ("min", f64::from(min).into()),
                        ("max", f64::from(max).into()),
                    ])}</p>
                    <input class="kern-form-input__input" type="number" inputmode="numeric" id=id
                        data-testid=format!("privacy-{}", name.replace('_', "-"))
                        min=min.to_string() max=max.to_string() step="1"
                        aria-describedby=described aria-invalid=move || problem.get().map(|_| "true")
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                    {move || problem.get().map(|p| view! {
                        <p class="kern-error" id=error_id.clone() role="alert">
                            <span class="kern-icon kern-icon--danger kern-icon--small" aria-hidden="true"></span>
                            <span>{problem_message(&i18n, &form, &p)}</span>
                        </p>
                    })}
                </div>
            }
        })
        .collect_view();

    let text_editor = move |i: usize| {
        let (field, label, language) = TEXTS[i];
        let defaults = if i < 2 {
            privacy::default_notice()
        } else {
            privacy::default_imprint()
        };
        let template = language.pick(&defaults.de, &defaults.en).to_owned();
        let id = field_anchor(field);
        let error_id = format!("{id}-error");
        let value = form.texts[i];
        let problem = Memo::new(move |_| problems.with(|ps| ps.iter().find(|p| p.field == field).cloned()));
        let hint = if language == Language::En {
            "c-privacy-text-empty-en"
        } else {
            "c-privacy-text-empty-de"
        };
        let hint_id = format!("{id}-hint");
        let described = {
            let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
            move || match problem.get() {
                Some(_) => format!("{hint_id} {error_id}"),
                None => hint_id.clone(),
            }
        };
        // `privacy-notice-de`, `imprint-en`, …
        let testid = field.trim_start_matches("legal.").replace(['.', '_'], "-");
        view! {
            <div class="kern-form-input">
                <label class="kern-label" for=id.clone()>{move || i18n.t(label)}</label>
                <p class="kern-hint" id=hint_id>{move || i18n.t(hint)}</p>
                // KERN gives every textarea the same small height; a notice is pages long.
                <textarea class="kern-form-input__input" id=id data-testid=testid.clone() rows="12"
                    style=if i < 2 { "min-height: 22rem" } else { "min-height: 12rem" }
                    lang=language.as_str() aria-describedby=described
                    aria-invalid=move || problem.get().map(|_| "true")
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
                {move || problem.get().map(|p| view! {
                    <p class="kern-error" id=error_id.clone() role="alert">
                        <span class="kern-icon kern-icon--danger kern-icon--small" aria-hidden="true"></span>
                        <span>{problem_message(&i18n, &form, &p)}</span>
                    </p>
                })}
                {move || value.with(|v| v.trim().is_empty()).then(|| {
                    let template = template.clone();
                    view! {
                        <button type="button" class="kern-btn kern-btn--secondary kern-btn--small"
                            data-testid=format!("{testid}-template")
                            aria-label=i18n.t_args("c-privacy-use-template-for", &[("text", i18n.t(label).into())])
                            on:click=move |_| value.set(template.clone())>
                            <span class="kern-icon kern-icon--content-copy" aria-hidden="true"></span>
                            <span class="kern-label">{i18n.t("c-privacy-use-template")}</span>
                        </button>
                    }
                })}
            </div>
        }
    };

    let version = move || settings.with(|s| s.as_ref().map_or(0, |s| s.legal.notice_version));

    view! {
        <div class="console-page" data-testid="privacy-page">
            <div class="console-page__head">
                <div>
                    <h1 class="kern-heading-large">{move || i18n.t("c-privacy-title")}</h1>
                    <p class="kern-body console-muted">{move || i18n.t("c-privacy-intro")}</p>
                </div>
            </div>
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            <form on:submit=save novalidate data-testid="privacy-form">
                <div class="split">
                    <div>
                        <section class="console-card" aria-labelledby="privacy-retention-h">
                            <h2 class="console-card__title" id="privacy-retention-h">{move || i18n.t("c-privacy-retention")}</h2>
                            <p class="kern-hint">{move || i18n.t("c-privacy-retention-hint")}</p>
                            {periods}
                            <p class="kern-body" data-testid="privacy-photo-hours">{move || i18n.t_args(
                                "c-privacy-photo-hours", &[("hours", (UNUSED_PHOTO_HOURS as f64).into())])}</p>
                        </section>
                        <section class="console-card" aria-labelledby="privacy-notice-h">
                            <h2 class="console-card__title" id="privacy-notice-h">{move || i18n.t("c-privacy-notice")}</h2>
                            <p class="kern-body" data-testid="privacy-notice-version" data-version=move || version().to_string()>
                                <strong>{move || i18n.t_args("c-privacy-notice-version", &[("version", f64::from(version()).into())])}</strong></p>
                            <p class="kern-hint">{move || i18n.t("c-privacy-notice-version-hint")}</p>
                            {text_editor(0)}
                            {text_editor(1)}
                        </section>
                        <section class="console-card" aria-labelledby="privacy-imprint-h">
                            <h2 class="console-card__title" id="privacy-imprint-h">{move || i18n.t("c-privacy-imprint")}</h2>
                            <p class="kern-hint">{move || i18n.t("c-privacy-imprint-hint")}</p>
                            {text_editor(2)}
                            {text_editor(3)}
                        </section>
                    </div>
                    <div>
                        <section class="console-card" aria-labelledby="privacy-placeholders-h">
                            <h2 class="console-card__title" id="privacy-placeholders-h">{move || i18n.t("c-privacy-placeholders")}</h2>
                            <p class="kern-hint">{move || i18n.t("c-privacy-placeholders-hint")}</p>
                            <ul class="placeholder-list" data-testid="privacy-placeholders">
                                {move || rendered.get().map(|(_, values)| values.into_iter().map(|(p, value)| {
                                    let key = format!("c-privacy-ph-{}", p.replace('_', "-"));
                                    view! {
                                        <li><code>{format!("{{{p}}}")}</code>" – "{i18n.t(&key)}
                                            <br /><span class="console-muted">{i18n.t_args("c-privacy-ph-now", &[("value", value.into())])}</span></li>
                                    }
                                }).collect_view())}
                            </ul>
                        </section>
                        <section class="console-card" aria-labelledby="privacy-preview-h">
                            <h2 class="console-card__title" id="privacy-preview-h">{move || i18n.t("c-privacy-preview")}</h2>
                            <SelectField id="privacy-preview-choice" label="c-privacy-preview-show" value=preview
                                options=Signal::derive(move || vec![
                                    ("notice-de".to_owned(), i18n.t("c-privacy-notice-de")),
                                    ("notice-en".to_owned(), i18n.t("c-privacy-notice-en")),
                                    ("imprint-de".to_owned(), i18n.t("c-privacy-imprint-de")),
                                    ("imprint-en".to_owned(), i18n.t("c-privacy-imprint-en")),
                                ]) />
                            <Preview rendered=rendered choice=preview />
                        </section>
                    </div>
                </div>
                <div class="console-page__actions">
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="privacy-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </div>
            </form>
        </div>
    }
}

/// The chosen text as citizens see it: headings, paragraphs and lists as elements, never
/// as HTML (an admin's text cannot inject markup).
#[component]
fn Preview(rendered: Memo<Rendered>, choice: RwSignal<String>) -> impl IntoView {
    move || {
        let choice = choice.get();
        let (info, _) = rendered.get()?;
        let text = match choice.as_str() {
            "notice-en" => info.privacy_notice.en,
            "imprint-de" => info.imprint.de,
            "imprint-en" => info.imprint.en,
            _ => info.privacy_notice.de,
        };
        let lang = if choice.ends_with("-en") { "en" } else { "de" };
        let blocks = privacy::blocks(&text)
            .into_iter()
            .map(|b| match b {
                Block::Heading(h) => view! { <h3 class="console-card__subtitle">{h}</h3> }.into_any(),
                Block::Paragraph(p) => view! { <p class="kern-body">{p}</p> }.into_any(),
                Block::List(items) => view! {
                    <ul class="kern-list">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                }
                .into_any(),
            })
            .collect_view();
        Some(view! { <div class="privacy-preview" lang=lang data-testid="privacy-preview">{blocks}</div> })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels and placeholder meanings are looked up by keys built at run time.
    #[test]
    fn every_field_and_placeholder_has_a_text_in_both_languages() {
        let mut keys: Vec<String> = PERIODS
            .iter()
            .flat_map(|(_, label, hint, _)| [label.to_string(), hint.to_string()])
            .collect();
        keys.extend(TEXTS.iter().map(|(_, label, _)| label.to_string()));
        keys.extend(
            PLACEHOLDERS
                .iter()
                .map(|p| format!("c-privacy-ph-{}", p.replace('_', "-"))),
        );
        for key in keys {
            for lang in [Lang::De, Lang::En] {
                assert_ne!(crate::i18n::format(lang, &key, None), key, "{key} in {lang:?}");
            }
        }
    }

    /// The policy's bounds shown next to the fields are the ones the server checks.
    #[test]
    fn the_bounds_are_the_policys() {
        for (name, _, _, (min, max)) in PERIODS {
            let with = |days: u32| {
                let mut policy = RetentionPolicy::default();
                match name {
                    "contact_days" => policy.contact_days = days,
                    "content_days" => policy.content_days = days,
                    _ => policy.device_inactive_days = days,
                }
                policy.check().is_ok()
            };
            assert!(with(max) && with(min), "{name}: {min} and {max} are allowed");
            assert!(!with(max + 1), "{name}: {} is refused", max + 1);
            assert!(
                min == 0 || !with(min - 1),
                "{name}: {} is refused",
                min.saturating_sub(1)
            );
        }
    }
}
