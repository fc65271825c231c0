//! The platform admin's page: the tenants (amtsfreie Gemeinden and Ämter whose reports are
//! worked here) and the directory of administrations that are not on the platform and get
//! their reports by e-mail. Directory entries are added, edited, deleted and imported from
//! CSV; an entry becomes a tenant ("Als Mandant anlegen", optionally with the reports mailed
//! to it before); a tenant takes over reports mailed to it earlier ("übernehmen"). Each
//! tenant shows what an operator watches (accounts, open and overdue cases, reports of the
//! last 30 days, last activity, failed mails). The forms are in `platform_forms`.

use leptos::prelude::*;

use augenmerk_domain::Ags;
use augenmerk_domain::api::DirectoryListing;
use augenmerk_domain::overview::TenantOverview;
use augenmerk_domain::public::{Delivery, MunicipalityInfo};

use super::api::{Api, use_api};
use super::platform_forms::{CsvImport, EntryForm, TenantForm};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;

/// What the last action did, for the notice: a Fluent key with its count or name.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// The message.
    pub key: &'static str,
    /// `$count`, if the message has one.
    pub count: Option<u32>,
    /// `$name`, if the message has one.
    pub name: Option<String>,
}

impl Done {
    /// A message without arguments.
    pub fn plain(key: &'static str) -> Self {
        Self {
            key,
            count: None,
            name: None,
        }
    }
}

/// A directory entry in the form: a new one (key editable) or an existing one.
#[derive(Debug, Clone, PartialEq)]
pub struct Editing {
    /// The entry's key, `None` for a new entry.
    pub existing: Option<String>,
    /// Key, name, e-mail as they start.
    pub key: String,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// A tenant about to be created: key and name (from a directory entry or empty), and
/// whether reports were mailed to it (then taking them over is suggested).
#[derive(Debug, Clone, PartialEq)]
pub struct Onboarding {
    /// Key (AGS or the nine digits of an Amt).
    pub key: String,
    /// Name.
    pub name: String,
    /// Reports mailed to it so far.
    pub mailed: u32,
}

/// The page's state, shared with its forms.
#[derive(Debug, Clone, Copy)]
pub struct PlatformState {
    /// Tenants on the platform.
    pub tenants: RwSignal<Vec<MunicipalityInfo>>,
    /// Their figures.
    pub overview: RwSignal<Vec<TenantOverview>>,
    /// The directory.
    pub directory: RwSignal<Vec<DirectoryListing>>,
    /// The last error.
    pub error: RwSignal<Option<UiError>>,
    /// The last success.
    pub done: RwSignal<Option<Done>>,
    /// The directory entry being edited.
    pub editing: RwSignal<Option<Editing>>,
    /// The tenant being created.
    pub onboarding: RwSignal<Option<Onboarding>>,
}

impl PlatformState {
    /// Loads tenants and directory again.
    pub fn reload(self, api: Api) {
        leptos::task::spawn_local(async move {
            match super::api::municipalities().await {
                Ok(mut list) => {
                    list.retain(|m| m.active && m.delivery == Delivery::Platform);
                    list.sort_by(|a, b| a.name.cmp(&b.name));
                    self.tenants.set(list);
                }
                Err(e) => self.error.set(Some(e)),
            }
            match api.platform_overview().await {
                Ok(list) => self.overview.set(list),
                Err(e) => self.error.set(Some(e)),
            }
            match api.directory().await {
                Ok(mut list) => {
                    list.sort_by(|a, b| a.entry.name.cmp(&b.entry.name));
                    self.directory.set(list);
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// Shows a success, clears the error.
    pub fn succeed(self, done: Done) {
        self.error.set(None);
        self.done.set(Some(done));
    }

    /// Shows an error, clears the success.
    pub fn fail(self, e: UiError) {
        self.done.set(None);
        self.error.set(Some(e));
    }
}

/// Moves the keyboard focus to an element once it is drawn (a form that just opened).
pub fn focus_soon(id: &'static str) {
    set_timeout(
        move || {
            use wasm_bindgen::JsCast;
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::from_millis(60),
    );
}

/// "Amt" or "Gemeinde/Stadt". A nine-digit key is a Gemeindeverband's (`VWG_ARS`): five
/// digits of the Kreis, then four of the Verband, which begin with 5 for an Amt and with 0
/// for an amtsfreie Gemeinde or Stadt (Lübeck: `010030000`). Eight digits are one Gemeinde.
fn kind_key(key: &str) -> &'static str {
    match Ags::parse(key) {
        Ok(a) if !a.is_gemeinde() && a.as_str().as_bytes().get(5) != Some(&b'0') => "c-platform-kind-amt",
        _ => "c-platform-kind-gemeinde",
    }
}

/// The platform page.
#[component]
pub fn PlatformPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let state = PlatformState {
        tenants: RwSignal::new(Vec::new()),
        overview: RwSignal::new(Vec::new()),
        directory: RwSignal::new(Vec::new()),
        error: RwSignal::new(None),
        done: RwSignal::new(None),
        editing: RwSignal::new(None),
        onboarding: RwSignal::new(None),
    };
    state.reload(api);

    let take_over = move |key: String, name: String| {
        leptos::task::spawn_local(async move {
            match api.import_mailed(&key).await {
                Ok(r) => {
                    state.succeed(Done {
                        key: "c-platform-mailed-imported",
                        count: Some(r.imported),
                        name: Some(name),
                    });
                    state.reload(api);
                }
                Err(e) => state.fail(e),
            }
        });
    };
    let delete = move |key: String| {
        leptos::task::spawn_local(async move {
            match api.delete_directory_entry(&key).await {
                Ok(()) => {
                    if state
                        .editing
                        .with_untracked(|e| e.as_ref().and_then(|e| e.existing.clone()))
                        == Some(key)
                    {
                        state.editing.set(None);
                    }
                    state.succeed(Done::plain("c-deleted"));
                    state.reload(api);
                }
                Err(e) => state.fail(e),
            }
        });
    };

    let tenants = move || {
        let directory = state.directory.get();
        let overview = state.overview.get();
        let lang = i18n.lang();
        let list = state.tenants.get();
        if list.is_empty() {
            return view! { <p class="kern-body console-muted">{i18n.t("c-platform-no-tenants")}</p> }.into_any();
        }
        view! {
            <div class="kern-table-responsive">
            <table class="kern-table kern-table--small" data-testid="tenant-table">
                <caption class="kern-sr-only">{i18n.t("c-platform-tenants")}</caption>
                <thead><tr class="kern-table__row">
                    <th class="kern-table__header" scope="col">{i18n.t("c-name")}</th>
                    <th class="kern-table__header" scope="col">{i18n.t("c-platform-kind")}</th>
                    <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-users")}</th>
                    <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-open")}</th>
                    <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-overdue")}</th>
                    <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-recent")}</th>
                    <th class="kern-table__header" scope="col">{i18n.t("c-platform-last-activity")}</th>
                    <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-failed-mails")}</th>
                    <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-mailed")}</th>
                    <th class="kern-table__header" scope="col"><span class="kern-sr-only">{i18n.t("c-actions")}</span></th>
                </tr></thead>
                <tbody class="kern-table__body">
                    {list.into_iter().map(|m| {
                        let key = m.ags.to_string();
                        let mailed = directory.iter().find(|d| d.entry.key == m.ags).map_or(0, |d| d.mailed_reports);
                        let (k, name) = (key.clone(), m.name.clone());
                        let f = overview.iter().find(|o| o.ags == m.ags).cloned();
                        let overdue = f.as_ref().map_or(0, |o| o.overdue);
                        let failed = f.as_ref().map_or(0, |o| o.failed_deliveries);
                        let last = f.as_ref().and_then(|o| o.last_activity)
                            .map_or_else(|| "–".to_owned(), |t| crate::format::date_time(lang, t));
                        let figure = move |get: fn(&TenantOverview) -> u64| f.as_ref().map_or_else(|| "–".to_owned(), |o| get(o).to_string());
                        view! {
                            <tr class="kern-table__row" data-testid="tenant-row" data-key=key.clone()>
                                <th class="kern-table__cell" scope="row">{m.name.clone()}
                                    <span class="inbox-row__meta">{key.clone()}</span></th>
                                <td class="kern-table__cell">{i18n.t(kind_key(&key))}</td>
                                <td class="kern-table__cell kern-table__cell--numeric" data-testid="tenant-users">{figure(|o| o.users)}</td>
                                <td class="kern-table__cell kern-table__cell--numeric" data-testid="tenant-open">{figure(|o| o.open)}</td>
                                <td class="kern-table__cell kern-table__cell--numeric" data-testid="tenant-overdue">
                                    {(overdue > 0).then(|| view! { <span class="kern-icon kern-icon--warning kern-icon--small workload-warning" aria-hidden="true"></span> })}
                                    {figure(|o| o.overdue)}</td>
                                <td class="kern-table__cell kern-table__cell--numeric" data-testid="tenant-recent">{figure(|o| o.recent)}</td>
                                <td class="kern-table__cell" data-testid="tenant-last-activity">{last}</td>
                                <td class="kern-table__cell kern-table__cell--numeric" data-testid="tenant-failed-mails">
                                    {(failed > 0).then(|| view! { <span class="kern-icon kern-icon--warning kern-icon--small workload-warning" aria-hidden="true"></span> })}
                                    {figure(|o| o.failed_deliveries)}</td>
                                <td class="kern-table__cell kern-table__cell--numeric" data-testid="tenant-mailed">{mailed.to_string()}</td>
                                <td class="kern-table__cell">
                                    // Offered while reports mailed before it joined wait.
                                    {(mailed > 0).then(|| view! {
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                            data-testid="tenant-import-mailed"
                                            aria-label=i18n.t_args("c-platform-take-over-label", &[("name", m.name.clone().into())])
                                            on:click=move |_| take_over(k.clone(), name.clone())>
                                            <span class="kern-icon kern-icon--download" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-platform-take-over")}</span>
                                        </button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        }
        .into_any()
    };

    let directory = move || {
        let list = state.directory.get();
        if list.is_empty() {
            return view! { <p class="kern-body console-muted" data-testid="directory-empty">{i18n.t("c-platform-directory-empty")}</p> }.into_any();
        }
        view! {
            <div class="kern-table-responsive">
                <table class="kern-table kern-table--small" data-testid="directory-table">
                    <caption class="kern-sr-only">{i18n.t("c-platform-directory")}</caption>
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-platform-email")}</th>
                        <th class="kern-table__header kern-table__header--numeric" scope="col">{i18n.t("c-platform-mailed")}</th>
                        <th class="kern-table__header" scope="col">{i18n.t("c-platform-on-platform")}</th>
                        <th class="kern-table__header" scope="col"><span class="kern-sr-only">{i18n.t("c-actions")}</span></th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {list.into_iter().map(|d| {
                            let DirectoryListing { entry, mailed_reports, on_platform } = d;
                            let key = entry.key.to_string();
                            let name = entry.name.clone();
                            let edit = Editing {
                                existing: Some(key.clone()),
                                key: key.clone(),
                                name: name.clone(),
                                email: entry.email.as_str().to_owned(),
                            };
                            let onboard = Onboarding { key: key.clone(), name: name.clone(), mailed: mailed_reports };
                            let del = key.clone();
                            view! {
                                <tr class="kern-table__row" data-testid="directory-row" data-key=key.clone()
                                    data-on-platform=on_platform.to_string()>
                                    <th class="kern-table__cell" scope="row">
                                        <span data-testid="directory-name">{name.clone()}</span>
                                        <span class="inbox-row__meta">{format!("{key} · {}", i18n.t(kind_key(&key)))}</span>
                                    </th>
                                    <td class="kern-table__cell" data-testid="directory-email">{entry.email.as_str().to_owned()}</td>
                                    <td class="kern-table__cell kern-table__cell--numeric" data-testid="directory-mailed">{mailed_reports.to_string()}</td>
                                    <td class="kern-table__cell">{if on_platform {
                                        view! { <span class="kern-badge kern-badge--success"><span class="kern-label kern-label--small">{i18n.t("c-yes")}</span></span> }.into_any()
                                    } else {
                                        view! { <span>{i18n.t("c-platform-by-mail")}</span> }.into_any()
                                    }}</td>
                                    <td class="kern-table__cell">
                                        <div class="console-card__tools">
                                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="directory-edit"
                                                aria-label=i18n.t_args("c-platform-edit-label", &[("name", name.clone().into())])
                                                on:click=move |_| {
                                                    state.editing.set(Some(edit.clone()));
                                                    focus_soon("dir-name");
                                                }>
                                                <span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                                <span class="kern-label">{i18n.t("c-edit")}</span>
                                            </button>
                                            {(!on_platform).then(|| view! {
                                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="directory-onboard"
                                                    aria-label=i18n.t_args("c-platform-onboard-label", &[("name", name.clone().into())])
                                                    on:click=move |_| {
                                                        state.onboarding.set(Some(onboard.clone()));
                                                        focus_soon("tenant-username");
                                                    }>
                                                    <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                                                    <span class="kern-label">{i18n.t("c-platform-onboard")}</span>
                                                </button>
                                            })}
                                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="directory-delete"
                                                aria-label=i18n.t_args("c-platform-delete-label", &[("name", name.clone().into())])
                                                on:click=move |_| delete(del.clone())>
                                                <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                                <span class="kern-label">{i18n.t("c-delete")}</span>
                                            </button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };

    let notice = move || {
        state.done.get().map(|d| {
            let mut args = Vec::new();
            if let Some(n) = d.count {
                args.push(("count", f64::from(n).into()));
            }
            if let Some(name) = d.name.clone() {
                args.push(("name", name.into()));
            }
            view! {
                <div class="kern-alert kern-alert--success" data-testid="console-notice">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                        <span class="kern-title">{i18n.t_args(d.key, &args)}</span>
                    </div>
                </div>
            }
        })
    };

    view! {
        <div class="console-page" data-testid="platform">
            <div class="console-page__head">
                <div>
                    <h1 class="kern-heading-large">{move || i18n.t("c-platform-title")}</h1>
                    <p class="kern-body kern-body--small console-muted">{move || i18n.t("c-platform-lead")}</p>
                </div>
            </div>
            <ErrorAlert error=state.error.into() />
            <div role="status" aria-live="polite" class="console-notice">{notice}</div>
            <section class="console-card" aria-labelledby="tenants-h">
                <div class="console-card__head">
                    <div>
                        <h2 class="console-card__title" id="tenants-h" tabindex="-1">{move || i18n.t("c-platform-tenants")}</h2>
                        <p class="kern-hint">{move || i18n.t("c-platform-overview-hint")}</p>
                    </div>
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="tenant-new"
                        on:click=move |_| {
                            state.onboarding.set(Some(Onboarding { key: String::new(), name: String::new(), mailed: 0 }));
                            focus_soon("tenant-key");
                        }>
                        <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-platform-tenant-new")}</span>
                    </button>
                </div>
                {tenants}
            </section>
            {move || state.onboarding.get().map(|o| view! { <TenantForm state=state start=o /> })}
            // The directory's forms come before its list, which may hold every administration
            // of the state.
            <div class="split">
                {move || state.editing.get().map(|e| view! { <EntryForm state=state start=e /> })}
                <CsvImport state=state />
            </div>
            <section class="console-card" aria-labelledby="directory-h">
                <div class="console-card__head">
                    <h2 class="console-card__title" id="directory-h" tabindex="-1">{move || i18n.t("c-platform-directory")}</h2>
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="directory-add"
                        on:click=move |_| {
                            state.editing.set(Some(Editing { existing: None, key: String::new(), name: String::new(), email: String::new() }));
                            focus_soon("dir-key");
                        }>
                        <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-platform-entry-add")}</span>
                    </button>
                </div>
                <p class="kern-hint">{move || i18n.t("c-platform-directory-hint")}</p>
                {directory}
            </section>
        </div>
    }
}
