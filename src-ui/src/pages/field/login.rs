//! The field worker's login: the municipality is found by its name (the server's list of
//! municipalities with staff, offline the cached configurations), and an AGS can still be
//! typed (a server that cannot be reached and nothing cached yet).

use leptos::prelude::*;

use augenmerk_domain::Ags;
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
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = backend.login(Some(ags.to_string()), u.trim(), &p).await;
            busy.set(false);
            match result {
                Ok(user) => {
                    crate::storage::set(LAST_MUNICIPALITY, user.municipality.as_str());
                    password.set(String::new());
                    on_login.run(user);
                    let _ = backend.sync_now().await;
                }
                Err(e) => error.set(Some(e)),
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
                        data-testid="login-username" on:input=move |ev| username.set(event_target_value(&ev)) />
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="login-password">{move || i18n.t("login-password")}</label>
                    <input id="login-password" class="kern-form-input__input" type="password" required
                        autocomplete="current-password" data-testid="login-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
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
