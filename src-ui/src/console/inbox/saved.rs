//! Saved filters: the signed-in account's named filters as buttons (a click applies
//! one), saving the current filters under a name, deleting one.

use leptos::prelude::*;

use augenmerk_domain::triage::{NewSavedFilter, SavedFilter};

use super::super::api::use_api;
use super::filters::Filters;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;

/// The saved filters' row.
#[component]
pub fn SavedFilters(filters: RwSignal<Filters>, search_text: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let list: RwSignal<Vec<SavedFilter>> = RwSignal::new(Vec::new());
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        match api.saved_filters().await {
            Ok(l) => list.set(l),
            Err(e) => error.set(Some(e)),
        }
    });

    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let new = NewSavedFilter {
            name: name.get_untracked(),
            query: filters.with_untracked(Filters::to_report_query),
        };
        leptos::task::spawn_local(async move {
            match api.save_filter(&new).await {
                Ok(saved) => {
                    error.set(None);
                    list.update(|l| l.push(saved));
                    naming.set(false);
                    name.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let apply = move |f: &SavedFilter| {
        let next = Filters::from_report_query(&f.query);
        search_text.set(next.q.clone());
        filters.set(next);
    };
    let delete = move |id: String| {
        leptos::task::spawn_local(async move {
            match api.delete_filter(&id).await {
                Ok(()) => list.update(|l| l.retain(|f| f.id.to_string() != id)),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="saved-filters" data-testid="saved-filters" aria-label=move || i18n.t("c-saved-filters")>
            <span class="saved-filters__label">{move || i18n.t("c-saved-filters")}</span>
            <ul class="saved-filters__list">
                {move || list.get().into_iter().map(|f| {
                    let id = f.id.to_string();
                    let label = f.name.clone();
                    let active = {
                        let q = Filters::from_report_query(&f.query);
                        move || filters.with(|cur| *cur == Filters { page: cur.page, ..q.clone() })
                    };
                    let delete_label = i18n.t_args("c-saved-filter-delete", &[("name", label.clone().into())]);
                    view! {
                        <li class="saved-filter" data-testid="saved-filter" data-name=label.clone()>
                            <button type="button" class="saved-filter__apply" data-testid="saved-filter-apply"
                                aria-pressed=move || active().to_string() on:click=move |_| apply(&f)>{label.clone()}</button>
                            <button type="button" class="saved-filter__delete" data-testid="saved-filter-delete"
                                title=delete_label.clone() aria-label=delete_label on:click=move |_| delete(id.clone())>
                                <span class="kern-icon kern-icon--close kern-icon--small" aria-hidden="true"></span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || if naming.get() {
                view! {
                    <form class="saved-filters__form" on:submit=save data-testid="saved-filter-form">
                        <label class="kern-label kern-label--small" for="saved-filter-name">{i18n.t("c-saved-filter-name")}</label>
                        <input class="kern-form-input__input" id="saved-filter-name" data-testid="saved-filter-name" maxlength="80"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        <button type="submit" class="kern-btn kern-btn--primary kern-btn--x-small" data-testid="saved-filter-save">
                            <span class="kern-label">{i18n.t("c-save")}</span>
                        </button>
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| naming.set(false)>
                            <span class="kern-label">{i18n.t("c-cancel")}</span>
                        </button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="saved-filter-new"
                        on:click=move |_| {
                            naming.set(true);
                            set_timeout(|| super::super::keys::focus("#saved-filter-name"), std::time::Duration::from_millis(30));
                        }>
                        <span class="kern-icon kern-icon--add kern-icon--small" aria-hidden="true"></span>
                        <span class="kern-label">{i18n.t("c-saved-filter-new")}</span>
                    </button>
                }.into_any()
            }}
            <ErrorAlert error=error.into() />
        </section>
    }
}
