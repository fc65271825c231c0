//! The staff console in the browser (`#/console/…`): login per municipality, the inbox with
//! filters and a map, a report's case page with every action, statistics, and the
//! municipality's configuration for admins; data protection (retention, privacy notice,
//! Impressum) for admins and erasure requests for admins and data protection officers, who
//! see nothing else; for the platform admin, the platform page (tenants, the directory of
//! administrations reached by e-mail). Its own frame (a wide, dense layout for a
//! laptop in the town hall); it shares the i18n layer, the HTTP helpers, the status badge
//! and the map glue with the citizen pages.

mod api;
mod case;
mod category_edit;
mod config;
mod deliveries;
mod gemeinde;
mod inbox;
mod keys;
mod login;
mod mail_settings;
mod map;
mod platform;
mod platform_forms;
mod privacy_policy;
mod privacy_requests;
mod rules;
mod sessions;
mod settings_io;
mod sso;
mod stats;
mod totp;
mod widgets;
mod workload;

use leptos::either::Either;
use leptos::prelude::*;

use augenmerk_domain::CategoryTree;
use augenmerk_domain::api::{AreaDefinition, MunicipalitySettings};
use augenmerk_domain::device::AppInfo;
use augenmerk_domain::staff::{Department, Role, StaffUser};

use crate::i18n::{I18n, Lang, use_i18n};
use crate::map::Tiles;
use crate::route::{Route, use_route};
use crate::shell::{LANG_KEY, initial_lang};
use crate::storage;

pub use api::{Api, Session, use_api};

/// The console's pages (the part of the fragment after `#/console/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The inbox (start page).
    Inbox,
    /// The inbox's reports on a map.
    Map,
    /// One report.
    Case(String),
    /// Statistics.
    Stats,
    /// Configuration, one section.
    Config(String),
    /// The signed-in person's own notification settings.
    Me,
    /// The platform admin's page: tenants and the directory.
    Platform,
    /// Data protection for admins: retention policy, privacy notice and Impressum.
    Privacy,
    /// Erasure requests and the erasure log (admins and privacy officers).
    Erasures,
}

impl Page {
    /// Reads the console's part of the fragment.
    pub fn parse(rest: &str) -> Page {
        let mut parts = rest.split('/').filter(|p| !p.is_empty());
        match (parts.next(), parts.next()) {
            (Some("map"), _) => Page::Map,
            (Some("cases"), Some(id)) => Page::Case(id.to_owned()),
            (Some("stats"), _) => Page::Stats,
            (Some("me"), _) => Page::Me,
            (Some("platform"), _) => Page::Platform,
            (Some("privacy"), _) => Page::Privacy,
            (Some("erasures"), _) => Page::Erasures,
            (Some("config"), section) => Page::Config(section.unwrap_or("rules").to_owned()),
            _ => Page::Inbox,
        }
    }

    /// The fragment of a link.
    pub fn href(&self) -> String {
        Route::Console(match self {
            Page::Inbox => String::new(),
            Page::Map => "map".into(),
            Page::Case(id) => format!("cases/{id}"),
            Page::Stats => "stats".into(),
            Page::Config(section) => format!("config/{section}"),
            Page::Me => "me".into(),
            Page::Platform => "platform".into(),
            Page::Privacy => "privacy".into(),
            Page::Erasures => "erasures".into(),
        })
        .href()
    }
}

/// The municipality's configuration the pages show names from (loaded once per login).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refs {
    /// Category tree with questions.
    pub tree: CategoryTree,
    /// Departments.
    pub departments: Vec<Department>,
    /// Staff accounts.
    pub users: Vec<StaffUser>,
    /// Named areas.
    pub areas: Vec<AreaDefinition>,
    /// Settings (authorities, reply templates, working hours).
    pub settings: Option<MunicipalitySettings>,
    /// The Gemeinden of an Amt (empty for a single Gemeinde).
    pub gemeinden: Vec<gemeinde::GemeindeRef>,
}

impl Refs {
    /// A category's name in the language, or its id.
    pub fn category_name(&self, lang: Lang, id: &str) -> String {
        augenmerk_domain::CategoryId::parse(id)
            .ok()
            .and_then(|c| self.tree.find(&c).map(|c| lang.choose(&c.de, &c.en).to_owned()))
            .unwrap_or_else(|| id.to_owned())
    }

    /// A department's name, or its id.
    pub fn department_name(&self, id: &str) -> String {
        self.departments
            .iter()
            .find(|d| d.id.as_str() == id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    /// A person's display name, or the id.
    pub fn user_name(&self, id: &str) -> String {
        self.users
            .iter()
            .find(|u| u.id.to_string() == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    /// An external authority's name, or its id.
    pub fn authority_name(&self, id: &str) -> String {
        self.settings
            .as_ref()
            .and_then(|s| s.authorities.iter().find(|a| a.id.as_str() == id))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    /// A Gemeinde's name (of an Amt), or its AGS.
    pub fn gemeinde_name(&self, ags: &str) -> String {
        self.gemeinden
            .iter()
            .find(|g| g.ags == ags)
            .map_or_else(|| ags.to_owned(), |g| g.name.clone())
    }

    /// Whether the tenant is an Amt with several Gemeinden (then staff see, filter and
    /// route by Gemeinde; one Gemeinde alone is not worth naming).
    pub fn is_amt(&self) -> bool {
        self.gemeinden.len() > 1
    }
}

/// What every console page may need.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleCtx {
    /// Names of categories, departments, people.
    pub refs: RwSignal<Refs>,
    /// Map tiles from `/ui/config.json`.
    pub tiles: RwSignal<Tiles>,
    /// The inbox's filters (kept while the user opens cases and comes back).
    pub filters: RwSignal<inbox::Filters>,
}

impl ConsoleCtx {
    /// Loads the reference data again (after the configuration changed).
    pub fn reload_refs(&self, api: Api) {
        let refs = self.refs;
        leptos::task::spawn_local(async move {
            refs.set(load_refs(api).await);
        });
    }
}

async fn load_refs(api: Api) -> Refs {
    let Some((key, platform, privacy_only)) = api.session.with_untracked(|s| {
        s.as_ref()
            .map(|s| (s.user.municipality.clone(), s.is_platform(), s.is_privacy_only()))
    }) else {
        return Refs::default();
    };
    // The platform admin belongs to no municipality and has no configuration to name.
    if platform {
        return Refs::default();
    }
    // Data protection sees no reports and no configuration, only the names of the
    // categories an erasure touches: those the citizens' configuration offers.
    if privacy_only {
        let config = api::municipality_config(&key).await;
        return Refs {
            tree: config.map(|c| c.categories).unwrap_or_default(),
            ..Refs::default()
        };
    }
    Refs {
        gemeinden: gemeinde::load(&key).await,
        tree: api.categories().await.unwrap_or_default(),
        departments: api.departments().await.unwrap_or_default(),
        users: api.users().await.unwrap_or_default(),
        areas: api.areas().await.unwrap_or_default(),
        settings: api.settings().await.ok(),
    }
}

/// The console's context.
pub fn use_console() -> ConsoleCtx {
    expect_context::<ConsoleCtx>()
}

/// The translated name of a role.
pub fn role_name(i18n: &I18n, role: Role) -> String {
    i18n.t(match role {
        Role::Admin => "c-role-admin",
        Role::Dispatcher => "c-role-dispatcher",
        Role::FieldWorker => "c-role-field-worker",
        Role::PlatformAdmin => "c-role-platform-admin",
        Role::PrivacyOfficer => "c-role-privacy-officer",
    })
}

/// The whole console: login or the frame with the current page.
#[component]
pub fn Console() -> impl IntoView {
    let i18n = I18n::new(initial_lang());
    provide_context(i18n);
    let api = Api::restore();
    provide_context(api);
    let ctx = ConsoleCtx {
        refs: RwSignal::new(Refs::default()),
        tiles: RwSignal::new(Tiles {
            url: String::new(),
            attribution: String::new(),
        }),
        filters: RwSignal::new(inbox::Filters::default()),
    };
    provide_context(ctx);
    keys::provide();
    let route = use_route();

    Effect::new(move |_| {
        let lang = i18n.lang();
        storage::set(LANG_KEY, lang.tag());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("lang", lang.tag());
            }
            doc.set_title(&i18n.t("c-title"));
        }
    });
    leptos::task::spawn_local(async move {
        let info = WebInfo::load().await;
        ctx.tiles.set(Tiles {
            url: info.as_ref().and_then(|i| i.tile_url.clone()).unwrap_or_default(),
            attribution: info.and_then(|i| i.tile_attribution).unwrap_or_default(),
        });
    });
    // Reference data whenever someone logs in.
    let logged_in = Memo::new(move |_| api.session.with(|s| s.as_ref().map(|s| s.user.id)));
    Effect::new(move |_| {
        // An enrol-only session may read nothing: the data comes once the second factor is set up.
        if logged_in.get().is_some() && !api.enrol_only.get() {
            ctx.reload_refs(api);
        } else {
            ctx.refs.set(Refs::default());
        }
    });

    let page = Memo::new(move |_| match route.get() {
        Route::Console(rest) => Page::parse(&rest),
        _ => Page::Inbox,
    });

    move || match api.session.get() {
        None => view! { <login::Login /> }.into_any(),
        // An admin who must have a second factor sets it up before anything else.
        Some(_) if api.enrol_only.get() => view! { <totp::ForcedEnrolment /> }.into_any(),
        Some(session) => view! { <Frame session=session page=page /> }.into_any(),
    }
}

/// Sets the accent colour on the page (KERN's action colour too), or the theme's when the
/// municipality has none or one with too little contrast for white text.
fn apply_accent(colour: Option<&str>) {
    use augenmerk_domain::branding::{MIN_CONTRAST, contrast_with_white, parse_hex_colour};
    use wasm_bindgen::JsCast;
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let readable = colour.filter(|c| parse_hex_colour(c).is_some_and(|rgb| contrast_with_white(rgb) >= MIN_CONTRAST));
    let style = root.style();
    for var in ["--app-accent", "--kern-color-action-default"] {
        let _ = match readable {
            Some(c) => style.set_property(var, c),
            None => style.remove_property(var).map(|_| ()),
        };
    }
}

/// `/ui/config.json` (tiles).
struct WebInfo;

impl WebInfo {
    async fn load() -> Option<AppInfo> {
        let request = gloo_net::http::Request::get("/ui/config.json")
            .build()
            .map_err(crate::backend::UiError::unexpected);
        crate::backend::web::WebBackend::json(request).await.ok()
    }
}

/// Header, navigation and the page.
#[component]
fn Frame(session: Session, page: Memo<Page>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let is_admin = session.is_admin();
    let is_platform = session.is_platform();
    // Data protection sees the erasure page only: no inbox, no reports.
    let privacy_only = session.is_privacy_only();
    let handles_privacy = session.user.role.handles_privacy();
    let home = if privacy_only { Page::Erasures } else { Page::Inbox };
    let nav_item = move |target: Page, key: &'static str, testid: &'static str, icon: &'static str| {
        let href = target.href();
        let active = Memo::new(move |_| {
            let current = page.get();
            match (&target, &current) {
                (Page::Inbox, Page::Case(_)) => true,
                (Page::Config(_), Page::Config(_)) => true,
                // Shown to the platform admin only, whose every address is this page.
                (Page::Platform, _) => true,
                // The same for data protection and its one page.
                (Page::Erasures, _) if privacy_only => true,
                _ => target == current,
            }
        });
        view! {
            <li>
                <a class=move || if active.get() { "console-nav__link console-nav__link--active" } else { "console-nav__link" }
                    aria-current=move || active.get().then_some("page") href=href data-testid=testid>
                    <span class=format!("kern-icon kern-icon--{icon} kern-icon--small") aria-hidden="true"></span>
                    {move || i18n.t(key)}
                </a>
            </li>
        }
    };
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            api.logout().await;
        });
    };
    // The municipality's own accent colour (checked for contrast, as on the citizen pages).
    apply_accent(session.accent_color.as_deref());
    let user = session.user.clone();
    let role = user.role;
    view! {
        <a class="skip-link" href="#console-main" on:click=move |ev| {
            ev.prevent_default();
            if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("console-main")) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }>{move || i18n.t("skip-to-content")}</a>
        <header class="console-header">
            <div class="console-header__inner">
                <a class="brand" href=home.href()>
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__text">
                        <span class="brand__name">"Augenmerk"</span>
                        <span class="brand__claim">{move || i18n.t("c-claim")}</span>
                    </span>
                </a>
                <p class="console-header__town" data-testid="console-municipality">
                    {match session.logo.clone() {
                        Some(logo) => view! { <img class="console-header__logo" src=logo alt="" /> }.into_any(),
                        None => view! { <span class="kern-icon kern-icon--home kern-icon--small" aria-hidden="true"></span> }.into_any(),
                    }}
                    {if is_platform {
                        Either::Left(move || i18n.t("c-platform-name"))
                    } else {
                        Either::Right(session.municipality_name.clone())
                    }}
                </p>
                <div class="console-header__user">
                    <span class="console-user" data-testid="console-user" data-role=role.as_str()>
                        <span class="kern-icon kern-icon--account-circle" aria-hidden="true"></span>
                        <span class="console-user__text">
                            <span class="console-user__name">{user.display_name.clone()}</span>
                            <span class="console-user__role">{move || role_name(&i18n, role)}</span>
                        </span>
                    </span>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="lang-switch"
                        lang=move || i18n.lang().other().tag() on:click=move |_| i18n.set(i18n.lang().other())>
                        <span class="kern-icon kern-icon--language" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("switch-language")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--x-small" data-testid="console-logout"
                        on:click=logout>
                        <span class="kern-icon kern-icon--logout" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-logout")}</span>
                    </button>
                </div>
            </div>
            <nav class="console-nav" aria-label=move || i18n.t("c-nav-label")>
                <ul>
                    {if is_platform {
                        nav_item(Page::Platform, "c-nav-platform", "nav-platform", "home").into_any()
                    } else if privacy_only {
                        nav_item(Page::Erasures, "c-nav-erasures", "nav-erasures", "delete").into_any()
                    } else {
                        view! {
                            {nav_item(Page::Inbox, "c-nav-inbox", "nav-inbox", "checklist")}
                            {nav_item(Page::Map, "c-nav-map", "nav-map", "visibility")}
                            {nav_item(Page::Stats, "c-nav-stats", "nav-stats", "info")}
                            {is_admin.then(|| nav_item(Page::Config("rules".into()), "c-nav-config", "nav-config", "edit"))}
                            {is_admin.then(|| nav_item(Page::Privacy, "c-nav-privacy", "nav-privacy", "visibility-off"))}
                            {handles_privacy.then(|| nav_item(Page::Erasures, "c-nav-erasures", "nav-erasures", "delete"))}
                            {nav_item(Page::Me, "c-nav-my-account", "nav-me", "mail")}
                        }.into_any()
                    }}
                </ul>
            </nav>
        </header>
        <main id="console-main" class="console-main" tabindex="-1">
            {keys::shortcut_help(page)}
            {move || match page.get() {
                // The platform admin sees no reports: every address leads to the platform page.
                _ if is_platform => view! { <platform::PlatformPage /> }.into_any(),
                // Data protection likewise sees its erasure page at every address.
                _ if privacy_only => view! { <privacy_requests::ErasurePage /> }.into_any(),
                Page::Platform => view! {
                    <div class="kern-alert kern-alert--warning" role="alert">
                        <div class="kern-alert__header"><span class="kern-title">{move || i18n.t("c-platform-only")}</span></div>
                    </div>
                }.into_any(),
                Page::Inbox => view! { <inbox::Inbox /> }.into_any(),
                Page::Map => view! { <map::MapPage /> }.into_any(),
                Page::Case(id) => view! { <case::CasePage id=id /> }.into_any(),
                Page::Stats => view! { <stats::StatsPage /> }.into_any(),
                Page::Me => view! { <mail_settings::MyNotifications /> }.into_any(),
                Page::Config(section) if is_admin => view! { <config::ConfigPage section=section /> }.into_any(),
                Page::Privacy if is_admin => view! { <privacy_policy::PrivacyPage /> }.into_any(),
                Page::Erasures if handles_privacy => view! { <privacy_requests::ErasurePage /> }.into_any(),
                Page::Config(_) | Page::Privacy | Page::Erasures => view! {
                    <div class="kern-alert kern-alert--warning" role="alert">
                        <div class="kern-alert__header"><span class="kern-title">{move || i18n.t("c-admin-only")}</span></div>
                    </div>
                }.into_any(),
            }}
        </main>
        <footer class="console-footer">
            <p class="kern-body kern-body--small">{move || i18n.t("c-footer")}</p>
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip() {
        for p in [
            Page::Inbox,
            Page::Map,
            Page::Case("abc".into()),
            Page::Stats,
            Page::Config("users".into()),
            Page::Me,
            Page::Platform,
            Page::Privacy,
            Page::Erasures,
        ] {
            let Route::Console(rest) = Route::parse(&p.href()) else {
                panic!("{p:?} is not a console route");
            };
            assert_eq!(Page::parse(&rest), p);
        }
        assert_eq!(Page::parse("config"), Page::Config("rules".into()));
    }
}
