//! The selected rule's editor: name, id, enabled, its conditions with the form to add
//! one, and its action.

use leptos::prelude::*;

use augenmerk_domain::rules::TimeWindow;

use super::Rules;
use super::text::{all_questions, condition_text, window_key};
use crate::console::Refs;
use crate::console::widgets::{PRIORITIES, priority_key};
use crate::i18n::use_i18n;

/// A labelled select bound to `value`.
pub(super) fn select(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for=id>{move || i18n.t(label)}</label>
            <div class="kern-form-input__select-wrapper">
                <select class="kern-form-input__select" id=id data-testid=id on:change=move |ev| value.set(event_target_value(&ev))>
                    {move || {
                        let current = value.get();
                        options.get().into_iter().map(|(v, t)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{t}</option> }
                        }).collect_view()
                    }}
                </select>
            </div>
        </div>
    }
}

/// The selected rule's editor.
#[component]
pub(super) fn RuleEditor(s: Rules) -> impl IntoView {
    let i18n = use_i18n();
    let Rules {
        refs,
        f_id,
        f_name,
        f_enabled,
        f_conditions,
        f_department,
        f_assignee,
        f_forward,
        f_priority,
        f_due,
        c_type,
        c_category,
        c_area,
        c_gemeinde,
        c_question,
        c_test,
        c_value,
        c_window,
        ..
    } = s;
    let options_with_none = move |items: Vec<(String, String)>| {
        let mut out = vec![(String::new(), "—".to_owned())];
        out.extend(items);
        out
    };
    let any_category = Signal::derive(move || {
        let lang = i18n.lang();
        refs.with(|r| {
            let mut out = vec![(String::new(), i18n.t("c-choose"))];
            // Inactive categories get no new reports, so no rule needs them.
            for c in r.tree.categories.iter().filter(|c| c.active) {
                out.push((
                    c.id.to_string(),
                    format!("{} {}", lang.choose(&c.de, &c.en), i18n.t("c-rule-whole-group")),
                ));
                for s in c.subcategories.iter().filter(|s| s.active) {
                    out.push((s.id.to_string(), format!("– {}", lang.choose(&s.de, &s.en))));
                }
            }
            out
        })
    });
    let departments = Signal::derive(move || {
        options_with_none(refs.with(|r| {
            r.departments
                .iter()
                .map(|d| (d.id.to_string(), d.name.clone()))
                .collect()
        }))
    });
    let users = Signal::derive(move || {
        options_with_none(refs.with(|r| {
            r.users
                .iter()
                .map(|u| (u.id.to_string(), u.display_name.clone()))
                .collect()
        }))
    });
    let authorities = Signal::derive(move || {
        options_with_none(refs.with(|r| {
            r.settings
                .as_ref()
                .map(|s| {
                    s.authorities
                        .iter()
                        .map(|a| (a.id.to_string(), a.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        }))
    });
    let priorities = Signal::derive(move || {
        options_with_none(
            PRIORITIES
                .iter()
                .map(|p| (p.as_str().to_owned(), i18n.t(priority_key(*p))))
                .collect(),
        )
    });
    let areas = Signal::derive(move || {
        let mut out = vec![(String::new(), i18n.t("c-choose"))];
        out.extend(refs.with(|r| {
            r.areas
                .iter()
                .map(|a| (a.id.to_string(), a.name.clone()))
                .collect::<Vec<_>>()
        }));
        out
    });
    let questions = Signal::derive(move || {
        let mut out = vec![(String::new(), i18n.t("c-choose"))];
        out.extend(refs.with(|r| all_questions(r, i18n.lang())));
        out
    });
    let gemeinden = Signal::derive(move || refs.with(|r| crate::console::gemeinde::options(r, i18n.t("c-choose"))));
    let condition_types = Signal::derive(move || {
        let mut out = vec![
            ("category".to_owned(), i18n.t("c-rule-type-category")),
            ("area".to_owned(), i18n.t("c-rule-type-area")),
        ];
        // Only an Amt has Gemeinden to tell apart.
        if refs.with(Refs::is_amt) {
            out.push(("gemeinde".to_owned(), i18n.t("c-rule-type-gemeinde")));
        }
        out.push(("answer".to_owned(), i18n.t("c-rule-type-answer")));
        out.push(("time".to_owned(), i18n.t("c-rule-type-time")));
        out
    });
    let tests = Signal::derive(move || {
        vec![
            ("is_true".to_owned(), i18n.t("c-rule-test-is-true")),
            ("answered".to_owned(), i18n.t("c-rule-test-answered")),
            ("at_least".to_owned(), i18n.t("c-rule-test-at-least-label")),
            ("one_of".to_owned(), i18n.t("c-rule-test-one-of-label")),
        ]
    });
    let windows = Signal::derive(move || {
        [
            TimeWindow::WorkingHours,
            TimeWindow::OutsideWorkingHours,
            TimeWindow::Weekend,
        ]
        .into_iter()
        .map(|w| {
            let v = serde_json::to_value(w)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (v, i18n.t(window_key(w)))
        })
        .collect::<Vec<_>>()
    });
    view! {
        <section class="console-card rule-editor" aria-labelledby="rule-editor-h" data-testid="rule-editor">
            <div class="console-card__head">
                <h2 class="console-card__title" id="rule-editor-h">{move || i18n.t("c-rule-edit")}</h2>
                <div class="console-card__tools">
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| s.move_rule(-1)
                        data-testid="rule-up">
                        <span class="kern-icon kern-icon--arrow-up" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-rule-up")}</span></button>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| s.move_rule(1)
                        data-testid="rule-down">
                        <span class="kern-icon kern-icon--arrow-down" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-rule-down")}</span></button>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| s.delete_rule()
                        data-testid="rule-delete">
                        <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-delete")}</span></button>
                </div>
            </div>
            <div class="form-grid">
                <div class="kern-form-input">
                    <label class="kern-label" for="rule-name">{move || i18n.t("c-rule-name")}</label>
                    <input class="kern-form-input__input" id="rule-name" data-testid="rule-name"
                        prop:value=move || f_name.get() on:input=move |ev| f_name.set(event_target_value(&ev)) />
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="rule-id">{move || i18n.t("c-rule-id")}</label>
                    <input class="kern-form-input__input" id="rule-id" data-testid="rule-id"
                        prop:value=move || f_id.get() on:change=move |ev| f_id.set(event_target_value(&ev)) />
                </div>
            </div>
            <div class="kern-form-check">
                <input class="kern-form-check__checkbox" type="checkbox" id="rule-enabled" data-testid="rule-enabled"
                    prop:checked=move || f_enabled.get() on:change=move |ev| f_enabled.set(event_target_checked(&ev)) />
                <label class="kern-label" for="rule-enabled">{move || i18n.t("c-rule-enabled")}</label>
            </div>

            <h3 class="console-card__subtitle">{move || i18n.t("c-rule-conditions")}</h3>
            <p class="kern-hint">{move || i18n.t("c-rule-conditions-hint")}</p>
            <ul class="conditions" data-testid="rule-conditions">
                {move || {
                    let lang = i18n.lang();
                    let r = refs.get();
                    let cs = f_conditions.get();
                    if cs.is_empty() {
                        return view! { <li class="conditions__item conditions__item--empty">{i18n.t("c-rule-default")}</li> }.into_any();
                    }
                    cs.into_iter().enumerate().map(|(i, c)| view! {
                        <li class="conditions__item" data-testid="rule-condition">
                            <span>{condition_text(&r, lang, i18n, &c)}</span>
                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                on:click=move |_| f_conditions.update(|cs| { if i < cs.len() { cs.remove(i); } })>
                                <span class="kern-icon kern-icon--close" aria-hidden="true"></span>
                                <span class="kern-label">{i18n.t("c-remove")}</span>
                            </button>
                        </li>
                    }).collect_view().into_any()
                }}
            </ul>
            <fieldset class="kern-fieldset add-condition">
                <legend class="kern-label">{move || i18n.t("c-rule-add-condition")}</legend>
                <div class="form-grid">
                    {select("cond-type", "c-rule-cond-type", c_type, condition_types)}
                    {move || match c_type.get().as_str() {
                        "category" => select("cond-category", "c-filter-category", c_category, any_category).into_any(),
                        "area" => select("cond-area", "c-filter-area", c_area, areas).into_any(),
                        "gemeinde" => select("cond-gemeinde", "c-filter-gemeinde", c_gemeinde, gemeinden).into_any(),
                        "answer" => view! {
                            {select("cond-question", "c-rule-question", c_question, questions)}
                            {select("cond-test", "c-rule-test", c_test, tests)}
                            <div class="kern-form-input">
                                <label class="kern-label" for="cond-value">{i18n.t("c-rule-value")}</label>
                                <input class="kern-form-input__input" id="cond-value" data-testid="cond-value"
                                    prop:value=move || c_value.get() on:input=move |ev| c_value.set(event_target_value(&ev)) />
                            </div>
                        }.into_any(),
                        _ => select("cond-window", "c-rule-window", c_window, windows).into_any(),
                    }}
                </div>
                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" on:click=move |_| s.add_condition()
                    data-testid="cond-add">
                    <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("c-rule-add-condition-button")}</span>
                </button>
            </fieldset>

            <h3 class="console-card__subtitle">{move || i18n.t("c-rule-action")}</h3>
            <div class="form-grid">
                {select("action-department", "c-filter-department", f_department, departments)}
                {select("action-assignee", "c-case-assignee", f_assignee, users)}
                {select("action-forward", "c-case-forward-to", f_forward, authorities)}
                {select("action-priority", "c-col-priority", f_priority, priorities)}
                <div class="kern-form-input">
                    <label class="kern-label" for="action-due">{move || i18n.t("c-rule-due")}</label>
                    <input class="kern-form-input__input" id="action-due" data-testid="action-due" type="number" min="0"
                        prop:value=move || f_due.get() on:input=move |ev| f_due.set(event_target_value(&ev)) />
                </div>
            </div>
        </section>
    }
}
