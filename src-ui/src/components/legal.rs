//! The privacy notice and the Impressum as citizens read them: the municipality's
//! rendered texts from its configuration (kept offline), split into headings, paragraphs
//! and lists by `privacy::blocks` and drawn as elements — never as HTML, so that nothing
//! an administrator typed becomes markup.

use leptos::prelude::*;

use augenmerk_domain::privacy::{self, Block, LegalInfo, NoticeFacts};
use augenmerk_domain::public::MunicipalityConfig;

use crate::backend::Backend;
use crate::draft::{Draft, administration_key, is_served};
use crate::i18n::{I18n, Lang, use_i18n};
use crate::route::Route;

/// Which of the two texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalKind {
    /// The privacy notice (Art. 13 DSGVO).
    Notice,
    /// The Impressum.
    Imprint,
}

/// The text of a municipality in a language. A configuration from a server without the
/// texts (or in a language the municipality left empty) gets the default template with
/// what the configuration says.
pub fn legal_text(kind: LegalKind, config: &MunicipalityConfig, lang: Lang) -> String {
    let rendered = match kind {
        LegalKind::Notice => lang.pick(&config.legal.privacy_notice),
        LegalKind::Imprint => lang.pick(&config.legal.imprint),
    };
    if !rendered.trim().is_empty() {
        return rendered.to_owned();
    }
    let facts = NoticeFacts {
        municipality: &config.name,
        mailbox: None,
        authorities: Vec::new(),
        retention: config.legal.retention,
    };
    template(kind, &facts, lang)
}

/// The general notice, before a place (and so a municipality) is chosen: the default
/// template with blanks in brackets where the municipality's facts go, and the default
/// periods.
pub fn general_notice(i18n: &I18n) -> String {
    let municipality = i18n.t("legal-blank-municipality");
    let mailbox = i18n.t("legal-blank-mailbox");
    let authorities = i18n.t("legal-blank-authorities");
    let facts = NoticeFacts {
        municipality: &municipality,
        mailbox: Some(&mailbox),
        authorities: vec![authorities.as_str()],
        retention: Default::default(),
    };
    template(LegalKind::Notice, &facts, i18n.lang())
}

fn template(kind: LegalKind, facts: &NoticeFacts<'_>, lang: Lang) -> String {
    let texts = match kind {
        LegalKind::Notice => privacy::default_notice(),
        LegalKind::Imprint => privacy::default_imprint(),
    };
    let language = match lang {
        Lang::De => augenmerk_domain::Language::De,
        Lang::En => augenmerk_domain::Language::En,
    };
    privacy::render(lang.pick(&texts), facts, language)
}

/// Whether a text begins with its own title (then that is the page's heading).
pub fn has_title(text: &str) -> bool {
    matches!(privacy::blocks(text).first(), Some(Block::Heading(_)))
}

/// A heading at a level (1–4), in KERN's sizes.
fn heading(level: u8, text: String) -> AnyView {
    match level {
        1 => view! { <h1 class="kern-heading-large">{text}</h1> }.into_any(),
        2 => view! { <h2 class="kern-heading-medium">{text}</h2> }.into_any(),
        3 => view! { <h3 class="kern-heading-small">{text}</h3> }.into_any(),
        // KERN has no smaller heading style: a bold line keeps the order of sizes.
        _ => view! { <h4 class="kern-body kern-body--bold">{text}</h4> }.into_any(),
    }
}

/// A legal text as headings, paragraphs and lists. A title at its start takes `level`,
/// every other heading the level below, so the text fits under the page's headings.
#[component]
pub fn LegalText(#[prop(into)] text: Signal<String>, level: u8) -> impl IntoView {
    move || {
        let blocks = privacy::blocks(&text.get());
        let titled = matches!(blocks.first(), Some(Block::Heading(_)));
        blocks
            .into_iter()
            .enumerate()
            .map(|(i, block)| match block {
                Block::Heading(h) => heading(if titled && i == 0 { level } else { level + 1 }, h),
                Block::Paragraph(p) => view! { <p class="kern-body">{p}</p> }.into_any(),
                Block::List(items) => view! {
                    <ul class="kern-list kern-list--bullet">
                        {items.into_iter().map(|item| view! { <li class="kern-body">{item}</li> }).collect_view()}
                    </ul>
                }
                .into_any(),
            })
            .collect_view()
    }
}

/// The retention periods of a municipality as a list ("deleted N days after closing").
#[component]
pub fn RetentionList(legal: LegalInfo) -> impl IntoView {
    let i18n = use_i18n();
    let r = legal.retention;
    let photo_hours = legal.unused_photo_hours;
    let item = move |key: &'static str, name: &'static str, value: f64| {
        view! {
            <li class="kern-body" data-testid=format!("retention-{name}") data-value=value.to_string()>
                {move || i18n.t_args(key, &[("days", value.into())])}
            </li>
        }
    };
    view! {
        <ul class="kern-list kern-list--bullet" data-testid="retention">
            {item("retention-contact", "contact", f64::from(r.contact_days))}
            {item("retention-content", "content", f64::from(r.content_days))}
            {item("retention-device", "device", f64::from(r.device_inactive_days))}
            {item("retention-photos", "photos", photo_hours as f64)}
        </ul>
    }
}

/// The municipality the citizen's legal pages are about: where the report being written
/// goes, else where their latest report went. None before either exists.
pub async fn chosen_municipality(backend: &Backend) -> Option<String> {
    let draft = Draft::load();
    if let Some(m) = draft.chosen_municipality().filter(|m| is_served(m)) {
        return Some(administration_key(m).as_str().to_owned());
    }
    let reports = backend.reports().await.ok()?;
    reports.first().map(|r| r.municipality.as_str().to_owned())
}

/// The notice under the consent checkbox of the report form: readable in place (an
/// expandable section, so nothing typed is left), and as a page of its own.
#[component]
pub fn ConsentNotice(#[prop(into)] config: Signal<Option<MunicipalityConfig>>) -> impl IntoView {
    let i18n = use_i18n();
    let text = Signal::derive(move || match config.get() {
        Some(c) => legal_text(LegalKind::Notice, &c, i18n.lang()),
        None => general_notice(&i18n),
    });
    let page = move || Route::Privacy(config.get().map(|c| c.ags.as_str().to_owned())).href();
    let version = move || config.get().map(|c| c.legal.notice_version.to_string());
    view! {
        <details class="consent-notice" data-testid="consent-notice" data-version=version>
            <summary class="kern-body kern-body--bold">{move || i18n.t("consent-notice-read")}</summary>
            <div class="legal-text" data-testid="consent-notice-text">
                <LegalText text=text level=3 />
            </div>
            <p class="kern-body">
                <a class="kern-link" href=page data-testid="consent-notice-page">
                    {move || i18n.t("consent-notice-page")}</a>
            </p>
        </details>
    }
}
