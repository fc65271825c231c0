//! The field worker's login: the municipality is found by its name (the server's list of
//! municipalities with staff, offline the cached configurations), and an AGS can still be
//! typed (a server that cannot be reached and nothing cached yet). An account with a
//! second factor (issue 24) is asked for its code once name and password were right; the
//! password is kept for that step and not asked again.

use leptos::prelude::*;

use augenmerk_domain::Ags;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::MunicipalityInfo;
use augenmerk_domain::staff::StaffUser;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use crate::shell::use_ctx;

/// The municipality of the last login on this device: tomorrow's login starts there.
const LAST_MUNICIPALITY: &str = "augenmerk.field-municipality";
/// Most matches listed at once; a longer list asks for more letters.
const MAX_MATCHES: usize = 8;

/// A name as compared in the search: lower case, umlauts as their base letter, so that
/// "lubeck" and "Lübeck" find each other.
fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            'ä' => vec!['a'],
            'ö' => vec!['o'],
            'ü' => vec!['u'],
            'ß' => vec!['s', 's'],
            c => vec![c],
        })
        .collect()
}

/// The municipalities whose name contains the query, or whose key starts with it; all of
/// them for an empty query.
pub fn matching<'a>(list: &'a [MunicipalityInfo], query: &str) -> Vec<&'a MunicipalityInfo> {
    let q = fold(query);
    list.iter()
        .filter(|m| q.is_empty() || fold(&m.name).contains(&q) || m.ags.as_str().starts_with(q.as_str()))
        .collect()
}

/// The municipality the login goes to: the one picked from the matches, the only match,
/// an exact name, or a typed key (also one the list does not know).
pub fn chosen(list: &[MunicipalityInfo], query: &str, picked: Option<&Ags>) -> Option<Ags> {
    let matches = matching(list, query);
    if let Some(p) = picked
        && matches.iter().any(|m| &m.ags == p)
    {
        return Some(p.clone());
    }
    if let [only] = matches.as_slice() {
        return Some(only.ags.clone());
    }
    let q = fold(query);
    if let Some(exact) = matches.iter().find(|m| fold(&m.name) == q) {
        return Some(exact.ags.clone());
    }
    Ags::parse(query.trim()).ok()
}

/// What the form does after the server refused a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRefusal {
    /// Name and password were right and the account has a second factor: show the code
    /// field, without an error (nothing went wrong), and keep the password for it.
    AskForCode,
    /// Stay at the code and say why (wrong code, too many codes); the password is kept.
    CodeAgain,
    /// Name or password are wrong: back to them, the password cleared.
    PasswordAgain,
    /// Show the error and keep everything as typed (no network, trouble on the server).
    AsTyped,
}

/// The step after a refused sign-in, from the error's code and whether a code was sent.
pub fn after_refusal(code: Option<ErrorCode>, sent_code: bool) -> AfterRefusal {
    match code {
        Some(ErrorCode::TotpRequired) => AfterRefusal::AskForCode,
        Some(ErrorCode::InvalidTotp) => AfterRefusal::CodeAgain,
        Some(ErrorCode::InvalidCredentials) => AfterRefusal::PasswordAgain,
        // Too many wrong codes for the account: the wait is about the code, not the password.
        Some(ErrorCode::RateLimited) if sent_code => AfterRefusal::CodeAgain,
        _ => AfterRefusal::AsTyped,
    }
}

/// The error's code as the domain knows it (`None` for one the UI made itself).
fn code_of(e: &UiError) -> Option<ErrorCode> {
    let code = e.code.clone()?;
    serde_json::from_value(serde_json::Value::String(code)).ok()
}

/// The login form.
#[component]
pub fn Login(on_login: Callback<StaffUser>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let municipalities: RwSignal<Vec<MunicipalityInfo>> = RwSignal::new(Vec::new());
    let query = RwSignal::new(String::new());
    let picked: RwSignal<Option<Ags>> = RwSignal::new(None);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Shown once the server answered `totp_required` for the name and password.
    let needs_code = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    // A recovery code has letters: the phone's keyboard then is not the numeric one.
    let recovery = RwSignal::new(false);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    {
        let backend = ctx.backend.clone();
        leptos::task::spawn_local(async move {
            // Without a list the field takes a typed key: no error to show here.
            let list = backend.staff_municipalities().await.unwrap_or_default();
            let last = crate::storage::get(LAST_MUNICIPALITY).and_then(|a| Ags::parse(&a).ok());
            // Only into an empty field: the worker may have typed while the list was loading.
            if let Some(m) = last.and_then(|a| list.iter().find(|m| m.ags == a))
                && query.get_untracked().is_empty()
            {
                query.set(m.name.clone());
                picked.set(Some(m.ags.clone()));
            }
            municipalities.set(list);
        });
    }
    let choice = Memo::new(move |_| municipalities.with(|l| chosen(l, &query.get(), picked.get().as_ref())));
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(ags) = choice.get_untracked() else {
            error.set(Some(UiError::localized("e-choose-municipality")));
            return;
        };
        let backend = ctx.backend.clone();
        let (u, p) = (username.get_untracked(), password.get_untracked());
        let totp = needs_code.get_untracked().then(|| code.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = backend
                .login(Some(ags.to_string()), u.trim(), &p, totp.as_deref())
                .await;
            busy.set(false);
            match result {
                Ok(user) => {
                    crate::storage::set(LAST_MUNICIPALITY, user.municipality.as_str());
                    password.set(String::new());
                    code.set(String::new());
                    needs_code.set(false);
                    on_login.run(user);
                    let _ = backend.sync_now().await;
                }
                Err(e) => match after_refusal(code_of(&e), totp.is_some()) {
                    AfterRefusal::AskForCode => {
                        error.set(None);
                        needs_code.set(true);
                        crate::pages::report::focus("login-totp");
                    }
                    AfterRefusal::CodeAgain => {
                        code.set(String::new());
                        error.set(Some(e));
                        crate::pages::report::focus("login-totp");
                    }
                    AfterRefusal::PasswordAgain => {
                        password.set(String::new());
                        code.set(String::new());
                        needs_code.set(false);
                        error.set(Some(e));
                    }
                    AfterRefusal::AsTyped => error.set(Some(e)),
                },
            }
        });
    };
    let listed = move || {
        municipalities.with(|l| {
            matching(l, &query.get())
                .into_iter()
                .take(MAX_MATCHES)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let found = move || municipalities.with(|l| matching(l, &query.get()).len());
    view! {
        <div class="page page--narrow">
            <h1 class="kern-heading-large">{move || i18n.t("field-login-title")}</h1>
            <p class="kern-body">{move || i18n.t("field-login-lead")}</p>
            <ErrorAlert error=error.into() />
            <form class="login" on:submit=submit>
                <Show when=move || !needs_code.get()>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-municipality">{move || i18n.t("login-municipality")}</label>
                    <input id="login-municipality" class="kern-form-input__input" type="search"
                        autocomplete="off" aria-describedby="login-municipality-help login-municipality-status"
                        data-testid="login-municipality" prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            picked.set(None);
                        } />
                    <p class="kern-hint" id="login-municipality-help">{move || i18n.t("login-municipality-help")}</p>
                </div>
                <Show when=move || !listed().is_empty()>
                    <fieldset class="kern-fieldset municipality-matches">
                        <legend class="kern-label">{move || i18n.t("login-municipality-matches")}</legend>
                        <div class="kern-fieldset__body">
                            {move || listed().into_iter().map(|m| {
                                let ags = m.ags.clone();
                                let rid = format!("login-municipality-{}", ags.as_str());
                                let checked = {
                                    let ags = ags.clone();
                                    move || choice.get().as_ref() == Some(&ags)
                                };
                                view! {
                                    <div class="kern-form-check">
                                        <input class="kern-form-check__radio" type="radio" name="municipality"
                                            id=rid.clone() value=ags.to_string() data-testid="login-municipality-option"
                                            prop:checked=checked
                                            on:change=move |_| picked.set(Some(ags.clone())) />
                                        <label class="kern-label" for=rid>{m.name.clone()}</label>
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                </Show>
                <p class="kern-body kern-body--small" id="login-municipality-status" role="status"
                    data-testid="login-municipality-status" data-ags=move || choice.get().map(|a| a.to_string())>
                    {move || {
                        let name = choice.get().map(|a| municipalities.with(|l| {
                            l.iter().find(|m| m.ags == a).map_or_else(|| a.to_string(), |m| m.name.clone())
                        }));
                        match name {
                            Some(name) => i18n.t_args("login-municipality-chosen", &[("name", name.into())]),
                            None if found() > MAX_MATCHES => i18n.t_args("login-municipality-more", &[("count", (found() as f64).into())]),
                            None if found() == 0 && !query.get().trim().is_empty() => i18n.t("login-municipality-none"),
                            None => String::new(),
                        }
                    }}
                </p>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-username">{move || i18n.t("login-username")}</label>
                    <input id="login-username" class="kern-form-input__input" autocomplete="username" required
                        data-testid="login-username" prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-password">{move || i18n.t("login-password")}</label>
                    <input id="login-password" class="kern-form-input__input" type="password" required
                        autocomplete="current-password" data-testid="login-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                </Show>
                <Show when=move || needs_code.get()>
                    <p class="kern-body" data-testid="login-totp-lead">{move || i18n.t("field-login-totp-lead")}</p>
                    <div class="kern-form-input" data-testid="login-totp-field">
                        <label class="kern-label" for="login-totp">{move || i18n.t("field-login-totp")}</label>
                        <p class="kern-hint" id="login-totp-hint">{move || i18n.t("field-login-totp-hint")}</p>
                        <input id="login-totp" class="kern-form-input__input" required data-testid="login-totp"
                            aria-describedby="login-totp-hint"
                            inputmode=move || if recovery.get() { "text" } else { "numeric" }
                            autocomplete=move || if recovery.get() { "off" } else { "one-time-code" }
                            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    </div>
                    <p class="kern-body kern-body--small">
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="login-totp-kind"
                            on:click=move |_| {
                                recovery.update(|r| *r = !*r);
                                crate::pages::report::focus("login-totp");
                            }>
                            <span class="kern-label">{move || i18n.t(if recovery.get() {
                                "field-login-totp-use-app"
                            } else {
                                "field-login-totp-use-recovery"
                            })}</span>
                        </button>
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="login-totp-back"
                            on:click=move |_| {
                                needs_code.set(false);
                                code.set(String::new());
                                error.set(None);
                            }>
                            <span class="kern-label">{move || i18n.t("field-login-totp-back")}</span>
                        </button>
                    </p>
                </Show>
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="login-submit" disabled=move || busy.get()>
                    <span class="kern-label">{move || i18n.t("login-submit")}</span>
                </button>
            </form>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augenmerk_domain::public::Delivery;

    fn info(ags: &str, name: &str) -> MunicipalityInfo {
        MunicipalityInfo {
            ags: Ags::parse(ags).expect("test key"),
            name: name.into(),
            active: true,
            config_version: None,
            delivery: Delivery::Platform,
        }
    }

    fn list() -> Vec<MunicipalityInfo> {
        vec![
            info("010590045", "Amt Langballig"),
            info("01001000", "Flensburg"),
            info("01003000", "Lübeck"),
        ]
    }

    #[test]
    fn a_part_of_the_name_finds_the_municipality() {
        let l = list();
        assert_eq!(
            chosen(&l, "flens", None).map(|a| a.to_string()),
            Some("01001000".into())
        );
        assert_eq!(
            chosen(&l, "lubeck", None).map(|a| a.to_string()),
            Some("01003000".into())
        );
        assert_eq!(
            chosen(&l, " Langb", None).map(|a| a.to_string()),
            Some("010590045".into())
        );
        // Two matches (Langballig, Flensburg): nothing until one is picked.
        assert_eq!(matching(&l, "g").len(), 2);
        assert_eq!(chosen(&l, "g", None), None);
        let flensburg = Ags::parse("01001000").ok();
        assert_eq!(chosen(&l, "g", flensburg.as_ref()), flensburg);
        let lubeck = Ags::parse("01003000").ok();
        // A pick the query no longer shows does not count.
        assert_eq!(
            chosen(&l, "flens", lubeck.as_ref()).map(|a| a.to_string()),
            Some("01001000".into())
        );
    }

    #[test]
    fn the_code_field_appears_when_the_server_asks_for_the_second_factor() {
        // Name and password right, no code sent: ask for it, no error shown.
        assert_eq!(
            after_refusal(Some(ErrorCode::TotpRequired), false),
            AfterRefusal::AskForCode
        );
        // A wrong code, or too many of them: stay at the code, the password is kept.
        assert_eq!(
            after_refusal(Some(ErrorCode::InvalidTotp), true),
            AfterRefusal::CodeAgain
        );
        assert_eq!(
            after_refusal(Some(ErrorCode::RateLimited), true),
            AfterRefusal::CodeAgain
        );
        // Too many sign-ins before any code: the message, nothing else changes.
        assert_eq!(
            after_refusal(Some(ErrorCode::RateLimited), false),
            AfterRefusal::AsTyped
        );
        // A wrong password asks for the password again.
        assert_eq!(
            after_refusal(Some(ErrorCode::InvalidCredentials), false),
            AfterRefusal::PasswordAgain
        );
        // No network (the app's own error, no code the server knows): keep all as typed.
        assert_eq!(after_refusal(Some(ErrorCode::Internal), true), AfterRefusal::AsTyped);
        assert_eq!(after_refusal(None, true), AfterRefusal::AsTyped);
    }

    #[test]
    fn the_servers_code_is_read_as_the_domains() {
        let mut e = UiError::new("", "");
        e.code = Some("totp_required".into());
        assert_eq!(code_of(&e), Some(ErrorCode::TotpRequired));
        e.code = Some("invalid_totp".into());
        assert_eq!(code_of(&e), Some(ErrorCode::InvalidTotp));
        e.code = Some("something_new".into());
        assert_eq!(code_of(&e), None);
    }

    #[test]
    fn a_typed_key_is_taken_also_when_the_list_does_not_know_it() {
        let l = list();
        assert_eq!(
            chosen(&l, "01001000", None).map(|a| a.to_string()),
            Some("01001000".into())
        );
        assert_eq!(
            chosen(&[], "01001000", None).map(|a| a.to_string()),
            Some("01001000".into())
        );
        assert_eq!(chosen(&[], "Flensburg", None), None);
        assert_eq!(chosen(&l, "0100", None), None);
    }
}
