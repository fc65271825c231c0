//! The inbox's filters: their state, the query string of the staff API, their form as a
//! saved filter ([`ReportQuery`]), the quick filters ("assigned to me", "my department",
//! "awaiting reply", "overdue") and the filter bar.

use leptos::prelude::*;

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::{Ags, AreaId, CategoryId, DepartmentId, Priority};

use super::super::Refs;
use super::super::api::encode;
use super::super::widgets::{PRIORITIES, priority_key};
use crate::i18n::use_i18n;

/// Reports per page.
pub const PAGE_SIZE: u32 = 25;

/// The open statuses (the inbox's default view).
pub const OPEN: &str = "received,assigned,in_progress";

/// The inbox's filters, sort order and page.
#[derive(Debug, Clone, PartialEq)]
pub struct Filters {
    /// Comma-separated statuses ("" = all).
    pub status: String,
    /// Category id (subtree).
    pub category: String,
    /// Department id.
    pub department: String,
    /// Priority.
    pub priority: String,
    /// Only overdue ones.
    pub overdue: bool,
    /// Named area.
    pub area: String,
    /// The Gemeinde (AGS) of an Amt.
    pub gemeinde: String,
    /// Text search.
    pub q: String,
    /// Sort key.
    pub sort: String,
    /// Page, from 1.
    pub page: u32,
    /// Only those assigned to the signed-in account.
    pub assigned_to_me: bool,
    /// Only those of the signed-in account's department.
    pub my_department: bool,
    /// Only those whose citizen waits for an answer.
    pub awaiting_reply: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            status: OPEN.into(),
            category: String::new(),
            department: String::new(),
            priority: String::new(),
            overdue: false,
            area: String::new(),
            gemeinde: String::new(),
            q: String::new(),
            sort: "received_at".into(),
            page: 1,
            assigned_to_me: false,
            my_department: false,
            awaiting_reply: false,
        }
    }
}

impl Filters {
    /// The query string of the staff API (without paging when `paged` is false).
    pub fn query(&self, paged: bool) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode(v)));
            }
        };
        add("status", &self.status);
        add("category", &self.category);
        add("department", &self.department);
        add("priority", &self.priority);
        add("area", &self.area);
        add("gemeinde", &self.gemeinde);
        add("q", self.q.trim());
        add("sort", &self.sort);
        for (on, key) in [
            (self.overdue, "overdue"),
            (self.assigned_to_me, "assigned_to_me"),
            (self.my_department, "my_department"),
            (self.awaiting_reply, "awaiting_reply"),
        ] {
            if on {
                parts.push(format!("{key}=true"));
            }
        }
        if paged {
            parts.push(format!("page={}&page_size={PAGE_SIZE}", self.page.max(1)));
        }
        parts.join("&")
    }

    /// The filters as a saved filter keeps them (no page). A value that is not a valid
    /// id (none the selects offer) is left out.
    pub fn to_report_query(&self) -> ReportQuery {
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let on = |b: bool| b.then_some(true);
        ReportQuery {
            status: text(&self.status),
            category: CategoryId::parse(&self.category).ok(),
            department: DepartmentId::parse(&self.department).ok(),
            gemeinde: Ags::parse(&self.gemeinde).ok(),
            priority: PRIORITIES.into_iter().find(|p| p.as_str() == self.priority),
            overdue: on(self.overdue),
            q: text(&self.q),
            sort: text(&self.sort),
            area: AreaId::parse(&self.area).ok(),
            assigned_to_me: on(self.assigned_to_me),
            my_department: on(self.my_department),
            awaiting_reply: on(self.awaiting_reply),
            ..ReportQuery::default()
        }
    }

    /// The filters of a saved filter, from its first page.
    pub fn from_report_query(q: &ReportQuery) -> Self {
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        Self {
            status: text(&q.status),
            category: q.category.as_ref().map(ToString::to_string).unwrap_or_default(),
            department: q.department.as_ref().map(ToString::to_string).unwrap_or_default(),
            priority: q.priority.map(|p: Priority| p.as_str().to_owned()).unwrap_or_default(),
            overdue: q.overdue == Some(true),
            area: q.area.as_ref().map(ToString::to_string).unwrap_or_default(),
            gemeinde: q.gemeinde.as_ref().map(ToString::to_string).unwrap_or_default(),
            q: text(&q.q),
            sort: q.sort.clone().unwrap_or_else(|| "received_at".into()),
            page: 1,
            assigned_to_me: q.assigned_to_me == Some(true),
            my_department: q.my_department == Some(true),
            awaiting_reply: q.awaiting_reply == Some(true),
        }
    }
}

/// Changes a filter and goes back to the first page.
pub fn set_filter(filters: RwSignal<Filters>, f: fn(&mut Filters, String), value: String) {
    filters.update(|x| {
        f(x, value);
        x.page = 1;
    });
}

/// The quick filters as toggle buttons; "my department" only for an account with one.
/// ("Only overdue" is the filter bar's switch.)
pub fn quick_filters(filters: RwSignal<Filters>, has_department: bool) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |key: &'static str, testid: &'static str, get: fn(&Filters) -> bool, flip: fn(&mut Filters)| {
        let on = move || filters.with(get);
        view! {
            <button type="button" class="quick-filter" class:quick-filter--on=on data-testid=testid
                aria-pressed=move || on().to_string()
                on:click=move |_| filters.update(|f| { flip(f); f.page = 1; })>
                <span class="kern-icon kern-icon--check kern-icon--small quick-filter__check" aria-hidden="true"></span>
                {move || i18n.t(key)}
            </button>
        }
    };
    view! {
        <div class="quick-filters" role="group" aria-label=move || i18n.t("c-quick-filters")>
            {toggle("c-filter-assigned-to-me", "filter-assigned-to-me", |f| f.assigned_to_me,
                |f| f.assigned_to_me = !f.assigned_to_me)}
            {has_department.then(|| toggle("c-filter-my-department", "filter-my-department", |f| f.my_department,
                |f| f.my_department = !f.my_department))}
            {toggle("c-filter-awaiting-reply", "filter-awaiting-reply", |f| f.awaiting_reply,
                |f| f.awaiting_reply = !f.awaiting_reply)}
        </div>
    }
}

/// The text search and the selects.
pub fn filter_bar(filters: RwSignal<Filters>, refs: RwSignal<Refs>, search_text: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let set = move |f: fn(&mut Filters, String), value: String| set_filter(filters, f, value);
    let category_options = move || {
        let lang = i18n.lang();
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-any"))];
            for top in &r.tree.categories {
                out.push((top.id.to_string(), lang.choose(&top.de, &top.en).to_owned()));
                for sub in &top.subcategories {
                    out.push((sub.id.to_string(), format!("– {}", lang.choose(&sub.de, &sub.en))));
                }
            }
            out
        })
    };
    let department_options = move || {
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-any"))];
            out.extend(r.departments.iter().map(|d| (d.id.to_string(), d.name.clone())));
            out
        })
    };
    let area_options = move || {
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-any"))];
            out.extend(r.areas.iter().map(|a| (a.id.to_string(), a.name.clone())));
            out
        })
    };
    let gemeinde_options = move || refs.with(|r| super::super::gemeinde::options(r, i18n.t("c-any")));
    let priority_options = move || {
        let mut out = vec![(String::new(), i18n.t("c-any"))];
        out.extend(
            PRIORITIES
                .iter()
                .rev()
                .map(|p| (p.as_str().to_owned(), i18n.t(priority_key(*p)))),
        );
        out
    };
    let sort_options = move || {
        vec![
            ("received_at".to_owned(), i18n.t("c-sort-received")),
            ("due_at".to_owned(), i18n.t("c-sort-due")),
            ("priority".to_owned(), i18n.t("c-sort-priority")),
            ("updated_at".to_owned(), i18n.t("c-sort-updated")),
        ]
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       get: fn(&Filters) -> String,
                       put: fn(&mut Filters, String),
                       options: Box<dyn Fn() -> Vec<(String, String)> + Send + Sync>| {
        view! {
            <div class="kern-form-input filter">
                <label class="kern-label kern-label--small" for=id>{move || i18n.t(label)}</label>
                <div class="kern-form-input__select-wrapper">
                    <select class="kern-form-input__select" id=id data-testid=id
                        on:change=move |ev| set(put, event_target_value(&ev))>
                        {move || {
                            let current = filters.with(get);
                            options().into_iter().map(|(v, t)| {
                                let selected = v == current;
                                view! { <option value=v selected=selected>{t}</option> }
                            }).collect_view()
                        }}
                    </select>
                </div>
            </div>
        }
    };
    view! {
    <section class="filters" aria-label=move || i18n.t("c-filters")>
        <form class="filters__search filter filter--wide" role="search" on:submit=move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            set(|f, v| f.q = v, search_text.get_untracked());
        }>
            <div class="kern-form-input">
                <label class="kern-label kern-label--small" for="filter-q">{move || i18n.t("c-filter-text")}</label>
                <div class="search-box">
                    <input class="kern-form-input__input" id="filter-q" type="search" data-testid="filter-q"
                        prop:value=move || search_text.get() on:input=move |ev| search_text.set(event_target_value(&ev)) />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="filter-search">
                        <span class="kern-icon kern-icon--search" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-search")}</span>
                    </button>
                </div>
            </div>
        </form>
        {select("filter-category", "c-filter-category", |f| f.category.clone(), |f, v| f.category = v, Box::new(category_options))}
        {select("filter-department", "c-filter-department", |f| f.department.clone(), |f, v| f.department = v, Box::new(department_options))}
        {select("filter-priority", "c-filter-priority", |f| f.priority.clone(), |f, v| f.priority = v, Box::new(priority_options))}
        {move || refs.with(|r| r.is_amt()).then(|| select("filter-gemeinde", "c-filter-gemeinde",
            |f| f.gemeinde.clone(), |f, v| f.gemeinde = v, Box::new(gemeinde_options)))}
        {select("filter-area", "c-filter-area", |f| f.area.clone(), |f, v| f.area = v, Box::new(area_options))}
        {select("filter-sort", "c-filter-sort", |f| f.sort.clone(), |f, v| f.sort = v, Box::new(sort_options))}
        <div class="filters__end">
            <div class="kern-form-check">
                <input class="kern-form-check__checkbox" type="checkbox" id="filter-overdue" data-testid="filter-overdue"
                    prop:checked=move || filters.with(|f| f.overdue)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        filters.update(|f| { f.overdue = on; f.page = 1; });
                    } />
                <label class="kern-label" for="filter-overdue">{move || i18n.t("c-filter-overdue")}</label>
            </div>
            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="filter-reset"
                on:click=move |_| { search_text.set(String::new()); filters.set(Filters::default()); }>
                <span class="kern-label">{move || i18n.t("c-filter-reset")}</span>
            </button>
        </div>
    </section>    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_survive_a_round_trip_through_a_saved_filter() {
        let f = Filters {
            status: "received".into(),
            department: "tiefbau".into(),
            priority: "high".into(),
            q: "Loch".into(),
            assigned_to_me: true,
            awaiting_reply: true,
            page: 4,
            ..Filters::default()
        };
        let back = Filters::from_report_query(&f.to_report_query());
        assert_eq!(back, Filters { page: 1, ..f });
    }

    #[test]
    fn quick_filters_go_into_the_query_string() {
        // Text values stay empty: encoding them needs the browser.
        let none = Filters {
            status: String::new(),
            sort: String::new(),
            ..Filters::default()
        };
        let f = Filters {
            assigned_to_me: true,
            my_department: true,
            awaiting_reply: true,
            ..none.clone()
        };
        assert_eq!(
            f.query(false),
            "assigned_to_me=true&my_department=true&awaiting_reply=true"
        );
        assert_eq!(none.query(false), "");
    }
}
