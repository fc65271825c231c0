//! Staff accounts: list with role and department, create, change role, disable, end
//! their sessions; the municipality's sign-in log below.

use leptos::prelude::*;

use augenmerk_domain::DepartmentId;
use augenmerk_domain::api::{NewStaffUser, StaffUserUpdate};
use augenmerk_domain::staff::{Role, StaffUser};

use super::finish;
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::console::api::use_api;
use crate::console::widgets::{Notice, SelectField, TextField};
use crate::console::{role_name, use_console};
use crate::i18n::use_i18n;

/// Staff accounts: list with role and department, create, disable.
#[component]
pub(super) fn Users() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let list: RwSignal<Vec<StaffUser>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let username = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("field_worker".to_owned());
    let department = RwSignal::new(String::new());
    let user_email = RwSignal::new(String::new());
    // The server's reasons for refusing a password, shown under the field.
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(u) = api.users().await {
                list.set(u);
            }
        });
    };
    reload();
    let roles = Signal::derive(move || {
        [Role::FieldWorker, Role::Dispatcher, Role::Admin, Role::PrivacyOfficer]
            .into_iter()
            .map(|r| (r.as_str().to_owned(), role_name(&i18n, r)))
            .collect::<Vec<_>>()
    });
    let departments = Signal::derive(move || {
        let mut out = vec![(String::new(), "—".to_owned())];
        out.extend(console.refs.with(|r| {
            r.departments
                .iter()
                .map(|d| (d.id.to_string(), d.name.clone()))
                .collect::<Vec<_>>()
        }));
        out
    });
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let new = NewStaffUser {
            username: username.get_untracked().trim().to_owned(),
            display_name: display.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::FieldWorker),
            department: DepartmentId::parse(&department.get_untracked()).ok(),
            email: Some(user_email.get_untracked().trim().to_owned()).filter(|e| !e.is_empty()),
        };
        leptos::task::spawn_local(async move {
            let result = api.create_user(&new).await.map(|_| ());
            if result.is_ok() {
                username.set(String::new());
                display.set(String::new());
                password.set(String::new());
                user_email.set(String::new());
                reload();
                console.reload_refs(api);
            }
            finish(result, "c-saved", error, notice);
        });
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="users-h">
                <h2 class="console-card__title" id="users-h">{move || i18n.t("c-config-users")}</h2>
                <table class="kern-table kern-table--small" data-testid="user-table">
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-login-username")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-role")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-filter-department")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-email")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-active")}</th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {move || {
                            let refs = console.refs.get();
                            list.get().into_iter().map(|u| {
                                let uid = u.id.to_string();
                                let end_uid = uid.clone();
                                let totp_uid = uid.clone();
                                let active = u.active;
                                view! {
                                    <tr class="kern-table__row">
                                        <td class="kern-table__cell">{u.display_name.clone()}</td>
                                        <td class="kern-table__cell">{u.username.clone()}</td>
                                        <td class="kern-table__cell">
                                            <label class="kern-sr-only" for=format!("role-{uid}")>{i18n.t("c-role")}</label>
                                            <select class="kern-form-input__select role-select" id=format!("role-{uid}")
                                                data-testid="user-role-change" data-user=uid.clone()
                                                on:change={
                                                    let uid = uid.clone();
                                                    move |ev| {
                                                        let Some(role) = Role::parse(&event_target_value(&ev)) else { return };
                                                        let uid = uid.clone();
                                                        leptos::task::spawn_local(async move {
                                                            let update = StaffUserUpdate { role: Some(role), ..StaffUserUpdate::default() };
                                                            let result = api.update_user(&uid, &update).await.map(|_| ());
                                                            if result.is_ok() { reload(); console.reload_refs(api); }
                                                            finish(result, "c-saved", error, notice);
                                                        });
                                                    }
                                                }>
                                                {[Role::FieldWorker, Role::Dispatcher, Role::Admin, Role::PrivacyOfficer].into_iter().map(|r| view! {
                                                    <option value=r.as_str() selected={r == u.role}>{role_name(&i18n, r)}</option>
                                                }).collect_view()}
                                            </select>
                                        </td>
                                        <td class="kern-table__cell">{u.department.as_ref().map(|d| refs.department_name(d.as_str())).unwrap_or_else(|| "—".into())}</td>
                                        <td class="kern-table__cell" data-testid="user-email">{u.email.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td class="kern-table__cell">
                                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                                let uid = uid.clone();
                                                leptos::task::spawn_local(async move {
                                                    let update = StaffUserUpdate { active: Some(!active), ..StaffUserUpdate::default() };
                                                    let result = api.update_user(&uid, &update).await.map(|_| ());
                                                    if result.is_ok() { reload(); }
                                                    finish(result, "c-saved", error, notice);
                                                });
                                            }>
                                                <span class="kern-label">{if active { i18n.t("c-user-disable") } else { i18n.t("c-user-enable") }}</span>
                                            </button>
                                            {(!active).then(|| view! { <span class="kern-badge"><span class="kern-label kern-label--small">{i18n.t("c-inactive")}</span></span> })}
                                            // A lost laptop, a person who left: every session ends at once.
                                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                                data-testid="user-end-sessions" data-user=end_uid.clone() on:click=move |_| {
                                                let uid = end_uid.clone();
                                                leptos::task::spawn_local(async move {
                                                    let result = api.end_user_sessions(&uid).await.map(|_| ());
                                                    finish(result, "c-sessions-ended", error, notice);
                                                });
                                            }>
                                                <span class="kern-label">{i18n.t("c-user-end-sessions")}</span>
                                            </button>
                                            // A lost phone and lost recovery codes (issue 24): set up again at the next sign-in.
                                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                                data-testid="user-reset-totp" data-user=totp_uid.clone() on:click=move |_| {
                                                let uid = totp_uid.clone();
                                                leptos::task::spawn_local(async move {
                                                    let result = api.totp_reset(&uid).await;
                                                    finish(result, "c-totp-was-reset", error, notice);
                                                });
                                            }>
                                                <span class="kern-label">{i18n.t("c-user-reset-totp")}</span>
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
            </section>
            <section class="console-card" aria-labelledby="user-form-h">
                <h2 class="console-card__title" id="user-form-h">{move || i18n.t("c-user-add")}</h2>
                <form on:submit=submit>
                    <TextField id="user-username" label="c-login-username" value=username required=true />
                    <TextField id="user-display" label="c-name" value=display />
                    <TextField id="user-password" label="c-login-password" value=password input_type="password" hint="c-password-hint" required=true />
                    <FieldProblem problems=problems field="password" />
                    <TextField id="user-email" label="c-email" value=user_email input_type="email" />
                    <FieldProblem problems=problems field="email" />
                    <SelectField id="user-role" label="c-role" value=role options=roles />
                    <SelectField id="user-department" label="c-filter-department" value=department options=departments />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="user-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
        </div>
        <crate::console::sessions::LoginLog />
    }
}
