//! The delegation rules' editor: the ordered list, one rule's conditions (category, named
//! area, an Amt's Gemeinde, answer, time) and action, and a dry run of the unsaved rules
//! against an existing report or a sample, which shows the rule that would decide and why
//! every rule before it did not.

use leptos::prelude::*;

use augenmerk_domain::api::{DryRunRequest, DryRunResponse, RuleSample};
use augenmerk_domain::geo::GeoPoint;
use augenmerk_domain::report::Priority;
use augenmerk_domain::rules::{AnswerTest, Condition, Rule, RuleAction, TimeWindow};
use augenmerk_domain::staff::{Page as ResultPage, StaffReportSummary};
use augenmerk_domain::{Ags, AreaId, AuthorityId, CategoryId, DepartmentId, QuestionId, ReportId, RuleId, UserId};

use super::api::use_api;
use super::case::leaf_options;
use super::widgets::{Notice, PRIORITIES, priority_key};
use super::{Refs, use_console};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::{I18n, Lang, use_i18n};

/// Flensburg's centre, the sample's default place (any place of the municipality will do;
/// an Amt's sample starts in its first Gemeinde).
const SAMPLE_AT: (f64, f64) = (54.7836, 9.4321);

fn window_key(w: TimeWindow) -> &'static str {
    match w {
        TimeWindow::WorkingHours => "c-rule-time-working",
        TimeWindow::OutsideWorkingHours => "c-rule-time-outside",
        TimeWindow::Weekend => "c-rule-time-weekend",
    }
}

/// A condition in words.
fn condition_text(refs: &Refs, lang: Lang, i18n: I18n, c: &Condition) -> String {
    match c {
        Condition::Category { categories } => {
            let names: Vec<String> = categories
                .iter()
                .map(|c| refs.category_name(lang, c.as_str()))
                .collect();
            i18n.t_args("c-rule-cond-category", &[("list", names.join(", ").into())])
        }
        Condition::Area { areas } => {
            let names: Vec<String> = areas
                .iter()
                .map(|a| {
                    refs.areas
                        .iter()
                        .find(|x| &x.id == a)
                        .map_or_else(|| a.to_string(), |x| x.name.clone())
                })
                .collect();
            i18n.t_args("c-rule-cond-area", &[("list", names.join(", ").into())])
        }
        Condition::Gemeinde { gemeinden } => super::gemeinde::condition_text(refs, i18n, gemeinden),
        Condition::Answer { question, test } => {
            let label = question_label(refs, lang, question.as_str());
            let test = match test {
                AnswerTest::IsTrue => i18n.t("c-rule-test-is-true"),
                AnswerTest::Answered => i18n.t("c-rule-test-answered"),
                AnswerTest::AtLeast { value } => i18n.t_args("c-rule-test-at-least", &[("value", (*value).into())]),
                AnswerTest::OneOf { values } => {
                    let list: Vec<String> = values
                        .iter()
                        .map(|v| crate::components::answers::answer_text(&i18n, None, v))
                        .collect();
                    i18n.t_args("c-rule-test-one-of", &[("list", list.join(", ").into())])
                }
            };
            format!("„{label}“ {test}")
        }
        Condition::Time { window } => i18n.t(window_key(*window)),
    }
}

/// A question's label anywhere in the tree (questions are shared by id across categories).
fn question_label(refs: &Refs, lang: Lang, id: &str) -> String {
    refs.tree
        .iter()
        .flat_map(|c| c.questions.iter())
        .find(|q| q.id.as_str() == id)
        .map_or_else(|| id.to_owned(), |q| lang.choose(&q.de, &q.en).to_owned())
}

/// Every question id of the tree once, with its label.
fn all_questions(refs: &Refs, lang: Lang) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for c in refs.tree.iter() {
        for q in &c.questions {
            if !out.iter().any(|(id, _)| id == q.id.as_str()) {
                out.push((q.id.to_string(), format!("{} ({})", lang.choose(&q.de, &q.en), q.id)));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The rule editor with its dry run.
#[component]
pub fn RulesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let refs = console.refs;
    let rules: RwSignal<Vec<Rule>> = RwSignal::new(Vec::new());
    let selected: RwSignal<Option<usize>> = RwSignal::new(None);
    let dirty = RwSignal::new(false);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);

    // The selected rule's fields (the editor's inputs bind to these; see `write_back`).
    let f_id = RwSignal::new(String::new());
    let f_name = RwSignal::new(String::new());
    let f_enabled = RwSignal::new(true);
    let f_conditions: RwSignal<Vec<Condition>> = RwSignal::new(Vec::new());
    let f_department = RwSignal::new(String::new());
    let f_assignee = RwSignal::new(String::new());
    let f_forward = RwSignal::new(String::new());
    let f_priority = RwSignal::new(String::new());
    let f_due = RwSignal::new(String::new());

    let load_fields = move |i: usize| {
        let Some(r) = rules.with_untracked(|rs| rs.get(i).cloned()) else {
            return;
        };
        f_id.set(r.id.to_string());
        f_name.set(r.name.clone());
        f_enabled.set(r.enabled);
        f_conditions.set(r.conditions.clone());
        f_department.set(r.action.department.map(|d| d.to_string()).unwrap_or_default());
        f_assignee.set(r.action.assignee.map(|u| u.to_string()).unwrap_or_default());
        f_forward.set(r.action.forward_to.map(|a| a.to_string()).unwrap_or_default());
        f_priority.set(r.action.priority.map(|p| p.as_str().to_owned()).unwrap_or_default());
        f_due.set(r.action.due_hours.map(|h| h.to_string()).unwrap_or_default());
        selected.set(Some(i));
    };

    // Whatever the editor's fields say goes back into the selected rule. `rules` is only
    // written here, never read tracked, so this does not re-run itself.
    Effect::new(move |first: Option<()>| {
        let id = f_id.get();
        let name = f_name.get();
        let enabled = f_enabled.get();
        let conditions = f_conditions.get();
        let action = RuleAction {
            department: DepartmentId::parse(&f_department.get()).ok(),
            assignee: f_assignee.get().parse::<UserId>().ok(),
            forward_to: AuthorityId::parse(&f_forward.get()).ok(),
            priority: Priority::parse(&f_priority.get()),
            due_hours: f_due.get().trim().parse::<u32>().ok(),
        };
        let Some(i) = selected.get_untracked() else { return };
        if first.is_none() {
            return;
        }
        rules.update(|rs| {
            if let Some(r) = rs.get_mut(i) {
                let new_id = RuleId::parse(id.trim()).unwrap_or_else(|_| r.id.clone());
                let changed = r.id != new_id
                    || r.name != name
                    || r.enabled != enabled
                    || r.conditions != conditions
                    || r.action != action;
                if changed {
                    r.id = new_id;
                    r.name = name;
                    r.enabled = enabled;
                    r.conditions = conditions;
                    r.action = action;
                    dirty.set(true);
                }
            }
        });
    });

    leptos::task::spawn_local(async move {
        match api.get::<Vec<Rule>>("/staff/config/rules").await {
            Ok(rs) => {
                let any = !rs.is_empty();
                rules.set(rs);
                if any {
                    load_fields(0);
                }
            }
            Err(e) => error.set(Some(e)),
        }
    });

    let add_rule = move |_| {
        let n = rules.with_untracked(|rs| rs.len()) + 1;
        let mut k = n;
        let id = loop {
            let candidate = format!("regel-{k}");
            if !rules.with_untracked(|rs| rs.iter().any(|r| r.id.as_str() == candidate)) {
                break candidate;
            }
            k += 1;
        };
        let Ok(id) = RuleId::parse(&id) else { return };
        let rule = Rule {
            id,
            name: i18n.t("c-rule-new-name"),
            enabled: true,
            conditions: Vec::new(),
            action: RuleAction::default(),
        };
        // New rules go first: the first matching rule decides, and a new rule is usually
        // more specific than the ones behind it. It can be moved down.
        rules.update(|rs| rs.insert(0, rule));
        dirty.set(true);
        load_fields(0);
    };
    let move_rule = move |delta: isize| {
        let Some(i) = selected.get_untracked() else { return };
        let len = rules.with_untracked(Vec::len);
        let j = i as isize + delta;
        if j < 0 || j as usize >= len {
            return;
        }
        rules.update(|rs| rs.swap(i, j as usize));
        selected.set(Some(j as usize));
        dirty.set(true);
    };
    let delete_rule = move |_| {
        let Some(i) = selected.get_untracked() else { return };
        rules.update(|rs| {
            if i < rs.len() {
                rs.remove(i);
            }
        });
        dirty.set(true);
        selected.set(None);
        if rules.with_untracked(|rs| !rs.is_empty()) {
            load_fields(i.saturating_sub(1));
        }
    };
    let save = move |_| {
        let list = rules.get_untracked();
        leptos::task::spawn_local(async move {
            match api.put::<_, Vec<Rule>>("/staff/config/rules", &list).await {
                Ok(saved) => {
                    rules.set(saved);
                    dirty.set(false);
                    error.set(None);
                    notice.set(Some("c-rules-saved"));
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e));
                }
            }
        });
    };

    // Adding a condition.
    let c_type = RwSignal::new("category".to_owned());
    let c_category = RwSignal::new(String::new());
    let c_area = RwSignal::new(String::new());
    let c_gemeinde = RwSignal::new(String::new());
    let c_question = RwSignal::new(String::new());
    let c_test = RwSignal::new("is_true".to_owned());
    let c_value = RwSignal::new(String::new());
    let c_window = RwSignal::new("outside_working_hours".to_owned());
    let add_condition = move |_| {
        let condition = match c_type.get_untracked().as_str() {
            "category" => CategoryId::parse(&c_category.get_untracked())
                .ok()
                .map(|c| Condition::Category { categories: vec![c] }),
            "area" => AreaId::parse(&c_area.get_untracked())
                .ok()
                .map(|a| Condition::Area { areas: vec![a] }),
            "gemeinde" => Ags::parse(&c_gemeinde.get_untracked())
                .ok()
                .map(|g| Condition::Gemeinde { gemeinden: vec![g] }),
            "answer" => QuestionId::parse(&c_question.get_untracked()).ok().and_then(|q| {
                let value = c_value.get_untracked();
                let test = match c_test.get_untracked().as_str() {
                    "answered" => Some(AnswerTest::Answered),
                    "at_least" => value
                        .trim()
                        .replace(',', ".")
                        .parse::<f64>()
                        .ok()
                        .map(|v| AnswerTest::AtLeast { value: v }),
                    "one_of" => Some(AnswerTest::OneOf {
                        values: value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| serde_json::Value::String(s.to_owned()))
                            .collect(),
                    }),
                    _ => Some(AnswerTest::IsTrue),
                }?;
                Some(Condition::Answer { question: q, test })
            }),
            _ => Some(Condition::Time {
                window: match c_window.get_untracked().as_str() {
                    "working_hours" => TimeWindow::WorkingHours,
                    "weekend" => TimeWindow::Weekend,
                    _ => TimeWindow::OutsideWorkingHours,
                },
            }),
        };
        match condition {
            Some(c) => {
                // A second category (area, Gemeinde) condition widens the first instead of
                // narrowing it to nothing: a report has one category.
                f_conditions.update(|cs| {
                    match (
                        &c,
                        cs.iter_mut()
                            .find(|x| std::mem::discriminant(*x) == std::mem::discriminant(&c)),
                    ) {
                        (Condition::Category { categories: new }, Some(Condition::Category { categories })) => {
                            for n in new {
                                if !categories.contains(n) {
                                    categories.push(n.clone());
                                }
                            }
                        }
                        (Condition::Area { areas: new }, Some(Condition::Area { areas })) => {
                            for n in new {
                                if !areas.contains(n) {
                                    areas.push(n.clone());
                                }
                            }
                        }
                        (Condition::Gemeinde { gemeinden: new }, Some(Condition::Gemeinde { gemeinden })) => {
                            for n in new {
                                if !gemeinden.contains(n) {
                                    gemeinden.push(n.clone());
                                }
                            }
                        }
                        _ => cs.push(c),
                    }
                });
                error.set(None);
            }
            None => error.set(Some(UiError::localized("c-e-condition-incomplete"))),
        }
    };

    // Dry run.
    let d_mode = RwSignal::new("sample".to_owned());
    let d_report = RwSignal::new(String::new());
    let d_category = RwSignal::new(String::new());
    let d_lat = RwSignal::new(SAMPLE_AT.0.to_string());
    let d_lon = RwSignal::new(SAMPLE_AT.1.to_string());
    let d_answer = RwSignal::new(String::new());
    let recent: RwSignal<Vec<StaffReportSummary>> = RwSignal::new(Vec::new());
    let result: RwSignal<Option<DryRunResponse>> = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        if let Ok(p) = api
            .get::<ResultPage<StaffReportSummary>>("/staff/reports?page=1&page_size=20&sort=received_at")
            .await
        {
            if let Some(first) = p.items.first() {
                d_report.set(first.report.id.to_string());
            }
            recent.set(p.items);
        }
    });
    let run = move |_| {
        let rules_now = rules.get_untracked();
        let request = if d_mode.get_untracked() == "report" {
            match d_report.get_untracked().parse::<ReportId>() {
                Ok(id) => DryRunRequest {
                    report_id: Some(id),
                    sample: None,
                    rules: Some(rules_now),
                },
                Err(_) => {
                    error.set(Some(UiError::localized("c-e-choose-report")));
                    return;
                }
            }
        } else {
            let category = CategoryId::parse(&d_category.get_untracked());
            let (lat, lon) = (
                d_lat.get_untracked().replace(',', ".").trim().parse::<f64>(),
                d_lon.get_untracked().replace(',', ".").trim().parse::<f64>(),
            );
            let (Ok(category), Ok(lat), Ok(lon)) = (category, lat, lon) else {
                error.set(Some(UiError::localized("c-e-sample-incomplete")));
                return;
            };
            let mut answers = serde_json::Map::new();
            // "frage=wert" pairs, so answer conditions can be tried too.
            for pair in d_answer.get_untracked().split(';') {
                if let Some((k, v)) = pair.split_once('=') {
                    let v = v.trim();
                    let value = match v {
                        "true" | "ja" | "yes" => serde_json::Value::Bool(true),
                        "false" | "nein" | "no" => serde_json::Value::Bool(false),
                        _ => v
                            .parse::<f64>()
                            .ok()
                            .and_then(|n| serde_json::Number::from_f64(n).map(serde_json::Value::Number))
                            .unwrap_or_else(|| serde_json::Value::String(v.to_owned())),
                    };
                    answers.insert(k.trim().to_owned(), value);
                }
            }
            DryRunRequest {
                report_id: None,
                sample: Some(RuleSample {
                    category,
                    answers,
                    location: GeoPoint { lat, lon },
                    at: None,
                }),
                rules: Some(rules_now),
            }
        };
        leptos::task::spawn_local(async move {
            match api.post::<_, DryRunResponse>("/staff/rules/dry-run", &request).await {
                Ok(r) => {
                    error.set(None);
                    result.set(Some(r));
                }
                Err(mut e) => {
                    // Name the sample's missing or invalid answers: the form has no field per question.
                    if !e.details.is_empty() {
                        let list = e
                            .details
                            .iter()
                            .map(|d| format!("{} ({})", d.field.trim_start_matches("answers."), d.problem))
                            .collect::<Vec<_>>()
                            .join(", ");
                        e.message.de = format!("{} {list}", e.message.de);
                        e.message.en = format!("{} {list}", e.message.en);
                    }
                    result.set(None);
                    error.set(Some(e));
                }
            }
        });
    };

    let list = move || {
        let sel = selected.get();
        rules.get().into_iter().enumerate().map(|(i, r)| {
            let active = sel == Some(i);
            view! {
                <li class="rule-list__item" class:rule-list__item--active=active class:rule-list__item--off=!r.enabled>
                    <button type="button" class="rule-list__button" aria-current=active.then_some("true")
                        data-testid="rule-item" data-rule=r.id.to_string() on:click=move |_| load_fields(i)>
                        <span class="rule-list__number">{(i + 1).to_string()}</span>
                        <span class="rule-list__name">{r.name.clone()}</span>
                        {(!r.enabled).then(|| view! { <span class="kern-badge"><span class="kern-label kern-label--small">{i18n.t("c-rule-disabled")}</span></span> })}
                    </button>
                </li>
            }
        }).collect_view()
    };

    let options_with_none = move |items: Vec<(String, String)>| {
        let mut out = vec![(String::new(), "—".to_owned())];
        out.extend(items);
        out
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       value: RwSignal<String>,
                       options: Signal<Vec<(String, String)>>| {
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
    };
    let leaf = Signal::derive(move || refs.with(|r| leaf_options(r, i18n.lang(), None)));
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
    let gemeinden = Signal::derive(move || refs.with(|r| super::gemeinde::options(r, i18n.t("c-choose"))));
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
    let recent_options = Signal::derive(move || {
        let lang = i18n.lang();
        let r = refs.get();
        recent
            .get()
            .into_iter()
            .map(|s| {
                let id = s.report.id.to_string();
                let label = format!(
                    "#{} · {} · {}",
                    id.chars().take(8).collect::<String>(),
                    r.category_name(lang, s.report.category.as_str()),
                    s.report.address_hint.clone().unwrap_or_default()
                );
                (id, label)
            })
            .collect::<Vec<_>>()
    });

    let editor = move || {
        selected.get().map(|_| {
            view! {
                <section class="console-card rule-editor" aria-labelledby="rule-editor-h" data-testid="rule-editor">
                    <div class="console-card__head">
                        <h2 class="console-card__title" id="rule-editor-h">{move || i18n.t("c-rule-edit")}</h2>
                        <div class="console-card__tools">
                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| move_rule(-1)
                                data-testid="rule-up">
                                <span class="kern-icon kern-icon--arrow-up" aria-hidden="true"></span>
                                <span class="kern-label">{move || i18n.t("c-rule-up")}</span></button>
                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| move_rule(1)
                                data-testid="rule-down">
                                <span class="kern-icon kern-icon--arrow-down" aria-hidden="true"></span>
                                <span class="kern-label">{move || i18n.t("c-rule-down")}</span></button>
                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=delete_rule
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
                        <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" on:click=add_condition
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
        })
    };

    let trace = move || {
        let lang = i18n.lang();
        result.get().map(|r| {
            let matched = r.evaluation.matched.as_ref().map(|m| m.to_string()).unwrap_or_default();
            let matched_name = rules.with(|rs| rs.iter().find(|x| x.id.as_str() == matched).map(|x| x.name.clone()));
            view! {
                <div class="dry-run__result" data-testid="dry-run-result" data-matched=matched.clone()>
                    {match matched_name {
                        Some(name) => view! {
                            <div class="kern-alert kern-alert--success" role="status">
                                <div class="kern-alert__header">
                                    <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                                    <span class="kern-title">{i18n.t_args("c-dry-run-decides", &[("rule", name.into())])}</span>
                                </div>
                            </div>
                        }.into_any(),
                        None => view! {
                            <div class="kern-alert kern-alert--warning" role="status">
                                <div class="kern-alert__header"><span class="kern-title">{i18n.t("c-case-no-rule-matched")}</span></div>
                            </div>
                        }.into_any(),
                    }}
                    {(!r.areas.is_empty()).then(|| view! {
                        <p class="kern-body kern-body--small">{i18n.t("c-dry-run-areas")}": "
                            {r.areas.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")}</p>
                    })}
                    <ol class="trace">
                        {r.evaluation.trace.into_iter().map(|t| view! {
                            <li class="trace__rule" class:trace__rule--matched=t.matched data-testid="dry-run-trace" data-rule=t.rule.to_string()
                                data-matched=t.matched.to_string()>
                                <p class="trace__name">
                                    <span class=if t.matched { "kern-icon kern-icon--success kern-icon--small" } else { "kern-icon kern-icon--close kern-icon--small" } aria-hidden="true"></span>
                                    " "{t.name.clone()}
                                    {(!t.enabled).then(|| format!(" ({})", i18n.t("c-rule-disabled")))}
                                </p>
                                <ul>
                                    {t.conditions.iter().map(|c| view! {
                                        <li class:trace__cond--holds=c.holds>{if c.holds { "✓ " } else { "✗ " }}{lang.pick(&c.explanation).to_owned()}</li>
                                    }).collect_view()}
                                </ul>
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            }
        })
    };

    view! {
        <div class="rules" data-testid="rules-page">
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            <div class="rules__toolbar">
                <p class="kern-body kern-body--small console-muted">{move || i18n.t("c-rules-lead")}</p>
                <div class="console-page__actions">
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" on:click=add_rule data-testid="rule-add">
                        <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-rule-add")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--primary kern-btn--small" on:click=save data-testid="rules-save"
                        disabled=move || !dirty.get()>
                        <span class="kern-label">{move || i18n.t("c-rules-save")}</span>
                    </button>
                </div>
            </div>
            {move || dirty.get().then(|| view! { <p class="unsaved" data-testid="rules-unsaved">{i18n.t("c-unsaved")}</p> })}
            <div class="rules__grid">
                <nav class="console-card rule-list" aria-label=move || i18n.t("c-rules-list")>
                    <h2 class="console-card__title">{move || i18n.t("c-rules-order")}</h2>
                    <ol>{list}</ol>
                </nav>
                {editor}
                <section class="console-card dry-run" aria-labelledby="dry-run-h" data-testid="dry-run">
                    <h2 class="console-card__title" id="dry-run-h">{move || i18n.t("c-dry-run")}</h2>
                    <p class="kern-hint">{move || i18n.t("c-dry-run-hint")}</p>
                    <fieldset class="kern-fieldset">
                        <legend class="kern-label">{move || i18n.t("c-dry-run-against")}</legend>
                        <div class="kern-fieldset__body kern-fieldset__body--horizontal">
                            <div class="kern-form-check">
                                <input class="kern-form-check__radio" type="radio" name="dry-mode" id="dry-sample" data-testid="dry-sample"
                                    prop:checked=move || d_mode.get() == "sample" on:change=move |_| d_mode.set("sample".into()) />
                                <label class="kern-label" for="dry-sample">{move || i18n.t("c-dry-run-sample")}</label>
                            </div>
                            <div class="kern-form-check">
                                <input class="kern-form-check__radio" type="radio" name="dry-mode" id="dry-report" data-testid="dry-report"
                                    prop:checked=move || d_mode.get() == "report" on:change=move |_| d_mode.set("report".into()) />
                                <label class="kern-label" for="dry-report">{move || i18n.t("c-dry-run-report")}</label>
                            </div>
                        </div>
                    </fieldset>
                    {move || if d_mode.get() == "report" {
                        select("dry-report-id", "c-dry-run-report", d_report, recent_options).into_any()
                    } else {
                        view! {
                            {select("dry-category", "c-filter-category", d_category,
                                Signal::derive(move || { let mut o = vec![(String::new(), i18n.t("c-choose"))]; o.extend(leaf.get()); o }))}
                            <super::gemeinde::SampleGemeinde lat=d_lat lon=d_lon default=SAMPLE_AT />
                            <div class="form-grid">
                                <div class="kern-form-input">
                                    <label class="kern-label" for="dry-lat">{i18n.t("c-latitude")}</label>
                                    <input class="kern-form-input__input" id="dry-lat" data-testid="dry-lat" inputmode="decimal"
                                        prop:value=move || d_lat.get() on:input=move |ev| d_lat.set(event_target_value(&ev)) />
                                </div>
                                <div class="kern-form-input">
                                    <label class="kern-label" for="dry-lon">{i18n.t("c-longitude")}</label>
                                    <input class="kern-form-input__input" id="dry-lon" data-testid="dry-lon" inputmode="decimal"
                                        prop:value=move || d_lon.get() on:input=move |ev| d_lon.set(event_target_value(&ev)) />
                                </div>
                            </div>
                            <div class="kern-form-input">
                                <label class="kern-label" for="dry-answers">{i18n.t("c-dry-run-answers")}</label>
                                <p class="kern-hint" id="dry-answers-hint">{i18n.t("c-dry-run-answers-hint")}</p>
                                <input class="kern-form-input__input" id="dry-answers" data-testid="dry-answers" aria-describedby="dry-answers-hint"
                                    prop:value=move || d_answer.get() on:input=move |ev| d_answer.set(event_target_value(&ev)) />
                            </div>
                        }.into_any()
                    }}
                    <button type="button" class="kern-btn kern-btn--primary" on:click=run data-testid="dry-run-submit">
                        <span class="kern-icon kern-icon--checklist" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-dry-run-submit")}</span>
                    </button>
                    {trace}
                </section>
            </div>
        </div>
    }
}
