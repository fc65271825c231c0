//! The public map's filter: category, status (open, closed or one status) and period.
//! Every change applies at once (no submit button), and the map and list follow.

use chrono::NaiveDate;
use leptos::prelude::*;

use augenmerk_domain::{CategoryTree, Status};

use super::api::{Filter, STATUS_CHOICES};
use crate::i18n::{I18n, use_i18n};

/// The label of a status choice.
fn status_choice_label(i18n: I18n, choice: &str) -> String {
    match choice {
        "open" => i18n.t("pm-status-open"),
        "closed" => i18n.t("pm-status-closed"),
        other => Status::parse(other)
            .map(|s| i18n.lang().pick(&s.label()).to_owned())
            .unwrap_or_else(|| other.to_owned()),
    }
}

/// A date input's value: empty or `YYYY-MM-DD`.
fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// The filter form. `categories` lists the municipality's (empty in the statewide view,
/// where the categories of different municipalities do not line up).
#[component]
pub fn Filters(filter: RwSignal<Filter>, categories: Signal<Option<CategoryTree>>) -> impl IntoView {
    let i18n = use_i18n();
    let category_options = move || {
        let lang = i18n.lang();
        categories.get().map(|tree| {
            tree.iter()
                .map(|c| {
                    let id = c.id.as_str().to_owned();
                    let selected = filter.with(|f| f.category == id);
                    view! { <option value=id.clone() selected=selected>{lang.pick(&c.name()).to_owned()}</option> }
                })
                .collect_view()
        })
    };
    let has_categories = move || categories.with(|c| c.as_ref().is_some_and(|t| t.iter().next().is_some()));
    view! {
        <form class="public-filters" data-testid="public-filters" on:submit=|ev| ev.prevent_default()
            aria-label=move || i18n.t("pm-filter-label")>
            <Show when=has_categories>
                <div class="kern-form-input">
                    <label class="kern-label" for="pm-category">{move || i18n.t("pm-filter-category")}</label>
                    <div class="kern-form-input__select-wrapper">
                        <select class="kern-form-input__select" id="pm-category" data-testid="pm-category"
                            on:change=move |ev| filter.update(|f| f.category = event_target_value(&ev))>
                            <option value="" selected=move || filter.with(|f| f.category.is_empty())>
                                {move || i18n.t("pm-filter-all")}</option>
                            {category_options}
                        </select>
                    </div>
                </div>
            </Show>
            <div class="kern-form-input">
                <label class="kern-label" for="pm-status">{move || i18n.t("pm-filter-status")}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id="pm-status" data-testid="pm-status"
                        on:change=move |ev| filter.update(|f| f.status = event_target_value(&ev))>
                        <option value="" selected=move || filter.with(|f| f.status.is_empty())>
                            {move || i18n.t("pm-filter-all")}</option>
                        {STATUS_CHOICES.into_iter().map(|choice| view! {
                            <option value=choice selected=move || filter.with(|f| f.status == choice)>
                                {move || status_choice_label(i18n, choice)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="kern-form-input">
                <label class="kern-label" for="pm-from">{move || i18n.t("pm-filter-from")}</label>
                <input class="kern-form-input__input" type="date" id="pm-from" data-testid="pm-from"
                    on:change=move |ev| filter.update(|f| f.from = parse_day(&event_target_value(&ev))) />
            </div>
            <div class="kern-form-input">
                <label class="kern-label" for="pm-to">{move || i18n.t("pm-filter-to")}</label>
                <input class="kern-form-input__input" type="date" id="pm-to" data-testid="pm-to"
                    on:change=move |ev| filter.update(|f| f.to = parse_day(&event_target_value(&ev))) />
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        assert_eq!(parse_day("2026-03-01"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(parse_day(""), None);
        assert_eq!(parse_day("01.03.2026"), None);
    }
}
