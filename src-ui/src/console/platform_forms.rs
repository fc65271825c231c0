//! The platform page's forms: a directory entry (key, name, e-mail address for reports),
//! the directory's CSV import with its problems line by line (nothing is imported while
//! there are any), and a new tenant with its first admin account. Each form checks what
//! it can before sending and shows the server's refusals under the fields they concern.

use leptos::prelude::*;

use augenmerk_domain::Ags;
use augenmerk_domain::api::{DirectoryEntry, NewMunicipality, NewStaffUser};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::report::Email;
use augenmerk_domain::staff::Role;

use super::api::use_api;
use super::platform::{Done, Editing, Onboarding, PlatformState, focus_soon};
use super::widgets::read_chosen_file;
use crate::backend::UiError;
use crate::components::errors::{FieldProblem, field_anchor, problem_text};
use crate::i18n::{I18n, use_i18n};

/// A problem's text: the platform's own wording (with what follows a `:` in the code as
/// `$detail`, e.g. `missing_column:email`), the shared one, or the code.
fn problem(i18n: &I18n, p: &FieldError) -> String {
    let (code, detail) = p.problem.split_once(':').unwrap_or((p.problem.as_str(), ""));
    let key = format!("c-platform-problem-{}", code.replace('_', "-"));
    let own = i18n.t_args(&key, &[("detail", detail.to_owned().into())]);
    if own != key {
        return own;
    }
    let shared = problem_text(i18n, p);
    if shared == i18n.t("problem-invalid") && code != "invalid" {
        format!("{shared} ({code})")
    } else {
        shared
    }
}

/// The server's field names, as this form's fields: (server's, form's); the rest stay.
fn remap(details: &[FieldError], names: &[(&str, &str)]) -> Vec<FieldError> {
    details
        .iter()
        .map(|d| {
            let field = names
                .iter()
                .find(|(theirs, _)| *theirs == d.field)
                .map_or_else(|| d.field.clone(), |(_, ours)| (*ours).to_owned());
            FieldError::new(field, d.problem.clone())
        })
        .collect()
}

/// A labelled input with its problem underneath.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// The problem's field name (e.g. `dir.email`).
    field: &'static str,
    problems: RwSignal<Vec<FieldError>>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let error_id = format!("{}-error", field_anchor(field));
    let hint_id = format!("{id}-hint");
    let invalid = move || problems.with(|p| p.iter().any(|x| x.field == field));
    let described = move || {
        let mut ids = Vec::new();
        if hint.is_some() {
            ids.push(hint_id.clone());
        }
        if invalid() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    view! {
        <div class="kern-form-input" id=field_anchor(field)>
            <label class="kern-label" for=id>{move || i18n.t(label)}
                {required.then(|| view! { <span class="required-marker">" *"</span> })}</label>
            {hint.map(|h| view! { <p class="kern-hint" id=format!("{id}-hint")>{move || i18n.t(h)}</p> })}
            <input class="kern-form-input__input" id=id data-testid=id type=input_type.unwrap_or("text")
                autocomplete=autocomplete readonly=readonly required=required
                aria-invalid=move || invalid().then_some("true") aria-describedby=described
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            <FieldProblem problems=problems.into() field=field />
        </div>
    }
}

/// Problems that belong to no field of the form (or to lines of a file), as a list.
#[component]
fn ProblemList(
    problems: RwSignal<Vec<FieldError>>,
    /// Fields the form shows under its inputs (left out here).
    #[prop(optional)]
    shown: &'static [&'static str],
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let rest: Vec<FieldError> = problems.with(|p| {
            p.iter()
                .filter(|x| !shown.contains(&x.field.as_str()))
                .cloned()
                .collect()
        });
        (!rest.is_empty()).then(|| {
            view! {
                <ul class="kern-list problem-list" data-testid=testid>
                    {rest.into_iter().map(|p| {
                        let line = p.field.strip_prefix("line ").and_then(|n| n.trim().parse::<u32>().ok());
                        // "line 3" of a file; "key 010595990" of an entry named by its key.
                        let place = match (line, p.field.strip_prefix("key ")) {
                            (Some(n), _) => i18n.t_args("c-platform-line", &[("line", f64::from(n).into())]),
                            (None, Some(key)) => format!("{} {key}", i18n.t("c-platform-key")),
                            (None, None) => p.field.clone(),
                        };
                        view! {
                            <li class="kern-error" data-line=line.map(|n| n.to_string())>
                                <span class="kern-icon kern-icon--danger kern-icon--small" aria-hidden="true"></span>
                                <span><strong>{place}</strong>": "{problem(&i18n, &p)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// A directory entry: new, or one from the list (its key stays).
#[component]
pub fn EntryForm(state: PlatformState, start: Editing) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let existing = start.existing.clone();
    let key = RwSignal::new(start.key);
    let name = RwSignal::new(start.name);
    let email = RwSignal::new(start.email);
    let problems: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let busy = RwSignal::new(false);
    const SHOWN: &[&str] = &["dir.key", "dir.name", "dir.email"];

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let mut found = Vec::new();
        let ags = Ags::parse(key.get_untracked().trim())
            .map_err(|_| found.push(FieldError::new("dir.key", "invalid_ags")))
            .ok();
        let n = name.get_untracked().trim().to_owned();
        if n.is_empty() {
            found.push(FieldError::new("dir.name", "required"));
        }
        let mail = Email::parse(&email.get_untracked())
            .map_err(|_| found.push(FieldError::new("dir.email", "invalid_email")))
            .ok();
        let (Some(ags), Some(mail), true) = (ags, mail, found.is_empty()) else {
            focus_soon(match found.first().map(|f| f.field.as_str()) {
                Some("dir.key") => "dir-key",
                Some("dir.name") => "dir-name",
                _ => "dir-email",
            });
            problems.set(found);
            return;
        };
        let entry = DirectoryEntry {
            key: ags.clone(),
            name: n,
            email: mail,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.save_directory_entry(&ags, &entry).await;
            busy.set(false);
            match result {
                Ok(saved) => {
                    problems.set(Vec::new());
                    state.editing.set(None);
                    // The form is gone: the keyboard goes on at the list it changed.
                    focus_soon("directory-h");
                    state.succeed(Done {
                        key: "c-platform-entry-saved",
                        count: None,
                        name: Some(saved.name),
                    });
                    state.reload(api);
                }
                Err(e) => {
                    problems.set(remap(
                        &e.details,
                        &[
                            ("key", "dir.key"),
                            ("municipality", "dir.key"),
                            ("name", "dir.name"),
                            ("email", "dir.email"),
                            ("contact_email", "dir.email"),
                        ],
                    ));
                    state.fail(e);
                }
            }
        });
    };

    let title = match &existing {
        Some(_) => "c-platform-entry-edit",
        None => "c-platform-entry-add",
    };
    view! {
        <section class="console-card" aria-labelledby="entry-h" data-testid="directory-form">
            <h2 class="console-card__title" id="entry-h">{move || i18n.t(title)}</h2>
            <form on:submit=submit novalidate=true>
                <Field id="dir-key" label="c-platform-key" value=key field="dir.key" problems=problems
                    hint="c-platform-key-hint" readonly=existing.is_some() required=true />
                <Field id="dir-name" label="c-name" value=name field="dir.name" problems=problems required=true />
                <Field id="dir-email" label="c-platform-email" value=email field="dir.email" problems=problems
                    input_type="email" hint="c-platform-email-hint" required=true />
                <ProblemList problems=problems shown=SHOWN testid="directory-form-problems" />
                <div class="console-page__actions">
                    <button type="submit" class="kern-btn kern-btn--primary kern-btn--small" data-testid="directory-save"
                        disabled=move || busy.get()>
                        <span class="kern-label">{move || i18n.t("c-save")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="directory-cancel"
                        on:click=move |_| {
                            state.editing.set(None);
                            focus_soon("directory-h");
                        }>
                        <span class="kern-label">{move || i18n.t("c-cancel")}</span>
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The directory's CSV import: a file or pasted text; problems per line.
#[component]
pub fn CsvImport(state: PlatformState) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let csv = RwSignal::new(String::new());
    let problems: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let busy = RwSignal::new(false);

    let read_file = move |ev: web_sys::Event| {
        read_chosen_file(&ev, move |text| csv.set(text), move |e| state.fail(e));
    };
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = csv.get_untracked();
        if body.trim().is_empty() {
            problems.set(Vec::new());
            state.fail(UiError::localized("c-e-csv-missing"));
            focus_soon("directory-csv-file");
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.import_directory(body).await;
            busy.set(false);
            match result {
                Ok(r) if r.problems.is_empty() => {
                    problems.set(Vec::new());
                    csv.set(String::new());
                    state.succeed(Done {
                        key: "c-platform-imported",
                        count: Some(r.imported),
                        name: None,
                    });
                    state.reload(api);
                }
                Ok(r) => {
                    problems.set(r.problems);
                    state.fail(UiError::localized("c-e-csv-errors"));
                }
                Err(mut e) => {
                    problems.set(e.details.clone());
                    if !e.details.is_empty() {
                        // The lines are listed at the form; the summary says what happened.
                        e.message.de = "Die Datei enthält Fehler; es wurde nichts übernommen.".into();
                        e.message.en = "The file has errors; nothing was imported.".into();
                    }
                    state.fail(e);
                }
            }
        });
    };

    view! {
        <section class="console-card" aria-labelledby="import-h" data-testid="directory-import">
            <h2 class="console-card__title" id="import-h">{move || i18n.t("c-platform-import")}</h2>
            <p class="kern-hint" id="directory-csv-hint">{move || i18n.t("c-platform-import-hint")}</p>
            <pre class="kern-body kern-body--small">"key;name;email\n010595990;Amt Geltinger Bucht;post@amt-geltinger-bucht.example"</pre>
            <form on:submit=submit>
                <div class="kern-form-input">
                    <label class="kern-label" for="directory-csv-file">{move || i18n.t("c-platform-import-file")}</label>
                    <input class="kern-form-input__input" type="file" id="directory-csv-file" data-testid="directory-csv-file"
                        accept=".csv,text/csv,text/plain" on:change=read_file />
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="directory-csv">{move || i18n.t("c-platform-import-text")}</label>
                    <textarea class="kern-form-input__input" id="directory-csv" data-testid="directory-csv" rows="6"
                        aria-describedby="directory-csv-hint" spellcheck="false"
                        prop:value=move || csv.get() on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
                </div>
                {move || problems.with(|p| !p.is_empty()).then(|| view! {
                    <h3 class="console-card__subtitle" id="import-problems-h">{i18n.t("c-platform-import-problems")}</h3>
                })}
                <ProblemList problems=problems testid="import-problems" />
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="directory-import-submit"
                    disabled=move || busy.get()>
                    <span class="kern-icon kern-icon--drive-folder-upload" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("c-platform-import-submit")}</span>
                </button>
            </form>
        </section>
    }
}

/// A new tenant with its first admin account, optionally taking over mailed reports.
#[component]
pub fn TenantForm(state: PlatformState, start: Onboarding) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let key = RwSignal::new(start.key);
    let name = RwSignal::new(start.name);
    let username = RwSignal::new("admin".to_owned());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let import_mailed = RwSignal::new(start.mailed > 0);
    let mailed = start.mailed;
    let problems: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let busy = RwSignal::new(false);
    const SHOWN: &[&str] = &[
        "tenant.key",
        "tenant.name",
        "tenant.username",
        "tenant.display_name",
        "tenant.password",
    ];

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let mut found = Vec::new();
        let ags = Ags::parse(key.get_untracked().trim())
            .map_err(|_| found.push(FieldError::new("tenant.key", "invalid_ags")))
            .ok();
        let user = username.get_untracked().trim().to_owned();
        if user.is_empty() {
            found.push(FieldError::new("tenant.username", "required"));
        }
        let pass = password.get_untracked();
        if pass.is_empty() {
            found.push(FieldError::new("tenant.password", "required"));
        }
        let Some(ags) = ags.filter(|_| found.is_empty()) else {
            problems.set(found);
            return;
        };
        let n = name.get_untracked().trim().to_owned();
        let shown_name = Some(display_name.get_untracked().trim().to_owned())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| user.clone());
        let new = NewMunicipality {
            ags,
            name: (!n.is_empty()).then_some(n),
            import_mailed: import_mailed.get_untracked(),
            categories: None,
            admin: NewStaffUser {
                username: user,
                display_name: shown_name,
                password: pass,
                role: Role::Admin,
                department: None,
                email: None,
            },
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.create_municipality(&new).await;
            busy.set(false);
            match result {
                Ok(admin) => {
                    problems.set(Vec::new());
                    password.set(String::new());
                    state.onboarding.set(None);
                    focus_soon("tenants-h");
                    state.succeed(Done {
                        key: "c-platform-tenant-created",
                        count: None,
                        name: Some(admin.username),
                    });
                    state.reload(api);
                }
                Err(e) => {
                    problems.set(remap(
                        &e.details,
                        &[
                            ("ags", "tenant.key"),
                            ("municipality", "tenant.key"),
                            ("name", "tenant.name"),
                            ("username", "tenant.username"),
                            ("admin.username", "tenant.username"),
                            ("display_name", "tenant.display_name"),
                            ("admin.display_name", "tenant.display_name"),
                            ("password", "tenant.password"),
                            ("admin.password", "tenant.password"),
                        ],
                    ));
                    state.fail(e);
                }
            }
        });
    };

    view! {
        <section class="console-card" aria-labelledby="tenant-h" data-testid="tenant-form">
            <h2 class="console-card__title" id="tenant-h">{move || i18n.t("c-platform-tenant-new")}</h2>
            <p class="kern-hint">{move || i18n.t("c-platform-tenant-hint")}</p>
            <form on:submit=submit novalidate=true>
                <div class="form-grid">
                    <Field id="tenant-key" label="c-platform-key" value=key field="tenant.key" problems=problems
                        hint="c-platform-key-hint" required=true />
                    <Field id="tenant-name" label="c-name" value=name field="tenant.name" problems=problems
                        hint="c-platform-tenant-name-hint" />
                </div>
                <h3 class="console-card__subtitle">{move || i18n.t("c-platform-tenant-admin")}</h3>
                <div class="form-grid">
                    <Field id="tenant-username" label="c-login-username" value=username field="tenant.username"
                        problems=problems autocomplete="off" required=true />
                    <Field id="tenant-display-name" label="c-platform-display-name" value=display_name
                        field="tenant.display_name" problems=problems />
                    <Field id="tenant-password" label="c-login-password" value=password field="tenant.password"
                        problems=problems input_type="password" autocomplete="new-password" required=true />
                </div>
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="tenant-import-mailed" data-testid="tenant-import-mailed-check"
                        prop:checked=move || import_mailed.get() on:change=move |ev| import_mailed.set(event_target_checked(&ev)) />
                    <label class="kern-label" for="tenant-import-mailed">
                        {move || i18n.t_args("c-platform-tenant-import-mailed", &[("count", f64::from(mailed).into())])}</label>
                </div>
                <ProblemList problems=problems shown=SHOWN testid="tenant-form-problems" />
                <div class="console-page__actions">
                    <button type="submit" class="kern-btn kern-btn--primary kern-btn--small" data-testid="tenant-create"
                        disabled=move || busy.get()>
                        <span class="kern-label">{move || i18n.t("c-platform-tenant-create")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="tenant-cancel"
                        on:click=move |_| {
                            state.onboarding.set(None);
                            focus_soon("tenants-h");
                        }>
                        <span class="kern-label">{move || i18n.t("c-cancel")}</span>
                    </button>
                </div>
            </form>
        </section>
    }
}
