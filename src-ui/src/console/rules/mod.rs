//! The delegation rules' editor: the ordered list, one rule's conditions (category, named
//! area, an Amt's Gemeinde, answer, time) and action, and a dry run of the unsaved rules
//! against an existing report or a sample, which shows the rule that would decide and why
//! every rule before it did not.
//!
//! The state is one copyable [`Rules`]; the selected rule's editor is in `editor`, the dry
//! run in `dry_run`, the texts of conditions in `text`.

mod dry_run;
mod editor;
mod text;

use leptos::prelude::*;

use augenmerk_domain::report::Priority;
use augenmerk_domain::rules::{AnswerTest, Condition, Rule, RuleAction, TimeWindow};
use augenmerk_domain::{Ags, AreaId, AuthorityId, CategoryId, DepartmentId, QuestionId, RuleId, UserId};

use super::api::{Api, use_api};
use super::widgets::Notice;
use super::{Refs, use_console};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use dry_run::DryRun;
use editor::RuleEditor;

/// The rules page's state (copyable: signals).
#[derive(Clone, Copy)]
struct Rules {
    api: Api,
    refs: RwSignal<Refs>,
    rules: RwSignal<Vec<Rule>>,
    selected: RwSignal<Option<usize>>,
    /// Changes not yet saved.
    dirty: RwSignal<bool>,
    error: RwSignal<Option<UiError>>,
    notice: RwSignal<Option<&'static str>>,
    // The selected rule's fields (the editor's inputs bind to these; see `write_back`).
    f_id: RwSignal<String>,
    f_name: RwSignal<String>,
    f_enabled: RwSignal<bool>,
    f_conditions: RwSignal<Vec<Condition>>,
    f_department: RwSignal<String>,
    f_assignee: RwSignal<String>,
    f_forward: RwSignal<String>,
    f_priority: RwSignal<String>,
    f_due: RwSignal<String>,
    // The form for a new condition (kept while another rule is chosen).
    c_type: RwSignal<String>,
    c_category: RwSignal<String>,
    c_area: RwSignal<String>,
    c_gemeinde: RwSignal<String>,
    c_question: RwSignal<String>,
    c_test: RwSignal<String>,
    c_value: RwSignal<String>,
    c_window: RwSignal<String>,
}

impl Rules {
    fn new() -> Self {
        Self {
            api: use_api(),
            refs: use_console().refs,
            rules: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            dirty: RwSignal::new(false),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            f_id: RwSignal::new(String::new()),
            f_name: RwSignal::new(String::new()),
            f_enabled: RwSignal::new(true),
            f_conditions: RwSignal::new(Vec::new()),
            f_department: RwSignal::new(String::new()),
            f_assignee: RwSignal::new(String::new()),
            f_forward: RwSignal::new(String::new()),
            f_priority: RwSignal::new(String::new()),
            f_due: RwSignal::new(String::new()),
            c_type: RwSignal::new("category".to_owned()),
            c_category: RwSignal::new(String::new()),
            c_area: RwSignal::new(String::new()),
            c_gemeinde: RwSignal::new(String::new()),
            c_question: RwSignal::new(String::new()),
            c_test: RwSignal::new("is_true".to_owned()),
            c_value: RwSignal::new(String::new()),
            c_window: RwSignal::new("outside_working_hours".to_owned()),
        }
    }

    /// Shows rule `i` in the editor.
    fn load_fields(self, i: usize) {
        let Self {
            rules,
            selected,
            f_id,
            f_name,
            f_enabled,
            f_conditions,
            f_department,
            f_assignee,
            f_forward,
            f_priority,
            f_due,
            ..
        } = self;
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
    }

    /// Whatever the editor's fields say goes back into the selected rule.
    fn write_back(self) {
        let Self {
            rules,
            selected,
            dirty,
            f_id,
            f_name,
            f_enabled,
            f_conditions,
            f_department,
            f_assignee,
            f_forward,
            f_priority,
            f_due,
            ..
        } = self;
        // `rules` is only written here, never read tracked, so this does not re-run itself.
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
    }

    /// Adds a rule in front (the name is the translated default).
    fn add_rule(self, name: String) {
        let Self { rules, dirty, .. } = self;
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
            name,
            enabled: true,
            conditions: Vec::new(),
            action: RuleAction::default(),
        };
        // New rules go first: the first matching rule decides, and a new rule is usually
        // more specific than the ones behind it. It can be moved down.
        rules.update(|rs| rs.insert(0, rule));
        dirty.set(true);
        self.load_fields(0);
    }

    /// Moves the selected rule up (-1) or down (1).
    fn move_rule(self, delta: isize) {
        let Self {
            rules, selected, dirty, ..
        } = self;
        let Some(i) = selected.get_untracked() else { return };
        let len = rules.with_untracked(Vec::len);
        let j = i as isize + delta;
        if j < 0 || j as usize >= len {
            return;
        }
        rules.update(|rs| rs.swap(i, j as usize));
        selected.set(Some(j as usize));
        dirty.set(true);
    }

    fn delete_rule(self) {
        let Self {
            rules, selected, dirty, ..
        } = self;
        let Some(i) = selected.get_untracked() else { return };
        rules.update(|rs| {
            if i < rs.len() {
                rs.remove(i);
            }
        });
        dirty.set(true);
        selected.set(None);
        if rules.with_untracked(|rs| !rs.is_empty()) {
            self.load_fields(i.saturating_sub(1));
        }
    }

    fn save(self) {
        let Self {
            api,
            rules,
            dirty,
            error,
            notice,
            ..
        } = self;
        let list = rules.get_untracked();
        leptos::task::spawn_local(async move {
            match api.save_rules(&list).await {
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
    }

    /// Adds the condition of the form to the selected rule.
    fn add_condition(self) {
        let Self {
            error,
            f_conditions,
            c_type,
            c_category,
            c_area,
            c_gemeinde,
            c_question,
            c_test,
            c_value,
            c_window,
            ..
        } = self;
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
    }
}

/// The rule editor with its dry run.
#[component]
pub fn RulesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let s = Rules::new();
    let Rules {
        api,
        rules,
        selected,
        dirty,
        error,
        notice,
        ..
    } = s;
    s.write_back();
    leptos::task::spawn_local(async move {
        match api.rules().await {
            Ok(rs) => {
                let any = !rs.is_empty();
                rules.set(rs);
                if any {
                    s.load_fields(0);
                }
            }
            Err(e) => error.set(Some(e)),
        }
    });

    view! {
        <div class="rules" data-testid="rules-page">
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            <div class="rules__toolbar">
                <p class="kern-body kern-body--small console-muted">{move || i18n.t("c-rules-lead")}</p>
                <div class="console-page__actions">
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" on:click=move |_| s.add_rule(i18n.t("c-rule-new-name")) data-testid="rule-add">
                        <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-rule-add")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--primary kern-btn--small" on:click=move |_| s.save() data-testid="rules-save"
                        disabled=move || !dirty.get()>
                        <span class="kern-label">{move || i18n.t("c-rules-save")}</span>
                    </button>
                </div>
            </div>
            {move || dirty.get().then(|| view! { <p class="unsaved" data-testid="rules-unsaved">{i18n.t("c-unsaved")}</p> })}
            <div class="rules__grid">
                <nav class="console-card rule-list" aria-label=move || i18n.t("c-rules-list")>
                    <h2 class="console-card__title">{move || i18n.t("c-rules-order")}</h2>
                    <ol>{move || rule_list(s)}</ol>
                </nav>
                {move || selected.get().map(|_| view! { <RuleEditor s=s /> })}
                <DryRun s=s />
            </div>
        </div>
    }
}

/// The ordered list of rules; a click shows one in the editor.
fn rule_list(s: Rules) -> impl IntoView {
    let i18n = use_i18n();
    let Rules { rules, selected, .. } = s;
    let sel = selected.get();
    rules.get().into_iter().enumerate().map(|(i, r)| {
        let active = sel == Some(i);
        view! {
            <li class="rule-list__item" class:rule-list__item--active=active class:rule-list__item--off=!r.enabled>
                <button type="button" class="rule-list__button" aria-current=active.then_some("true")
                    data-testid="rule-item" data-rule=r.id.to_string() on:click=move |_| s.load_fields(i)>
                    <span class="rule-list__number">{(i + 1).to_string()}</span>
                    <span class="rule-list__name">{r.name.clone()}</span>
                    {(!r.enabled).then(|| view! { <span class="kern-badge"><span class="kern-label kern-label--small">{i18n.t("c-rule-disabled")}</span></span> })}
                </button>
            </li>
        }
    }).collect_view()
}
