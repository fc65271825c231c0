//! The municipality's configuration, for admins: category tree and questions, departments,
//! staff accounts and roles, delegation rules (see `rules`), reply templates, named
//! areas imported from GeoJSON, working hours, external authorities, Open311 API keys, the
//! boundary, the look, mail, and the public map with its open data.
//! Every change goes through the server's checks; refusals are shown as they come.

use leptos::prelude::*;

mod api_keys;
mod appearance;
mod areas;
mod authorities;
mod boundary;
mod categories;
mod departments;
mod public_map;
mod sso;
mod templates;
mod users;
mod working_hours;

use api_keys::ApiKeys;
use appearance::Appearance;
use areas::Areas;
use authorities::Authorities;
use boundary::Boundary;
use categories::Categories;
use departments::Departments;
use public_map::PublicMap;
use sso::SsoConfig;
use templates::Templates;
use users::Users;
use working_hours::WorkingHoursConfig;

use super::Page;
use super::rules::RulesEditor;
use crate::backend::UiError;
use crate::i18n::use_i18n;

const SECTIONS: [(&str, &str); 14] = [
    ("rules", "c-config-rules"),
    ("categories", "c-config-categories"),
    ("departments", "c-config-departments"),
    ("users", "c-config-users"),
    ("templates", "c-config-templates"),
    ("areas", "c-config-areas"),
    ("working-hours", "c-config-working-hours"),
    ("authorities", "c-config-authorities"),
    ("api-keys", "c-config-api-keys"),
    ("boundary", "c-config-boundary"),
    ("appearance", "c-config-appearance"),
    ("mail", "c-config-mail"),
    ("public", "c-config-public"),
    ("sso", "c-config-sso"),
];

/// The configuration page with its sections.
#[component]
pub fn ConfigPage(section: String) -> impl IntoView {
    let i18n = use_i18n();
    let current = section.clone();
    view! {
        <div class="console-page" data-testid="config">
            <div class="console-page__head">
                <h1 class="kern-heading-large">{move || i18n.t("c-config-title")}</h1>
            </div>
            <nav class="config-tabs" aria-label=move || i18n.t("c-config-sections")>
                <ul>
                    {SECTIONS.iter().map(|(id, key)| {
                        let active = *id == current;
                        view! {
                            <li><a class="config-tabs__link" class:config-tabs__link--active=active
                                aria-current=active.then_some("page") href=Page::Config((*id).to_owned()).href()
                                data-testid=format!("config-{id}")>{move || i18n.t(key)}</a></li>
                        }
                    }).collect_view()}
                </ul>
            </nav>
            {match section.as_str() {
                "categories" => view! { <Categories /> }.into_any(),
                "departments" => view! { <Departments /> }.into_any(),
                "users" => view! { <Users /> }.into_any(),
                "templates" => view! { <Templates /> }.into_any(),
                "areas" => view! { <Areas /> }.into_any(),
                "working-hours" => view! { <WorkingHoursConfig /> }.into_any(),
                "authorities" => view! { <Authorities /> }.into_any(),
                "api-keys" => view! { <ApiKeys /> }.into_any(),
                "boundary" => view! { <Boundary /> }.into_any(),
                "appearance" => view! { <Appearance /> }.into_any(),
                "mail" => view! { <super::mail_settings::MailConfig /> }.into_any(),
                "public" => view! { <PublicMap /> }.into_any(),
                "sso" => view! { <SsoConfig /> }.into_any(),
                _ => view! { <RulesEditor /> }.into_any(),
            }}
        </div>
    }
}

/// Shared result handling of the configuration forms.
pub(super) fn finish(
    result: Result<(), UiError>,
    ok: &'static str,
    error: RwSignal<Option<UiError>>,
    notice: RwSignal<Option<&'static str>>,
) {
    match result {
        Ok(()) => {
            error.set(None);
            notice.set(Some(ok));
        }
        Err(e) => {
            notice.set(None);
            error.set(Some(e));
        }
    }
}
