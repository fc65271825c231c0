//! The inputs of the report form that follow the municipality's configuration: the
//! category tree with search, and each category's questions with typed inputs.

use leptos::prelude::*;

use augenmerk_domain::CategoryId;
use augenmerk_domain::category::{Category, CategoryTree, Question, QuestionKind};
use augenmerk_domain::error::FieldError;

use crate::components::errors::{FieldProblem, field_anchor};
use crate::i18n::{Lang, use_i18n};

/// A leaf category with the names of its ancestors, for the list and the search.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// Its id.
    pub id: CategoryId,
    /// Its name (de, en).
    pub name: (String, String),
    /// Its description (de, en).
    pub description: (Option<String>, Option<String>),
    /// The top-level group.
    pub group: CategoryId,
}

/// The leaves of a tree grouped by top-level category, in the tree's order.
pub fn leaves_by_group(tree: &CategoryTree) -> Vec<(Category, Vec<Leaf>)> {
    fn collect(c: &Category, group: &CategoryId, out: &mut Vec<Leaf>) {
        if c.subcategories.is_empty() {
            out.push(Leaf {
                id: c.id.clone(),
                name: (c.de.clone(), c.en.clone()),
                description: (c.description_de.clone(), c.description_en.clone()),
                group: group.clone(),
            });
        }
        for s in &c.subcategories {
            collect(s, group, out);
        }
    }
    tree.categories
        .iter()
        .map(|top| {
            let mut leaves = Vec::new();
            collect(top, &top.id, &mut leaves);
            (top.clone(), leaves)
        })
        .collect()
}

/// Whether a leaf matches a search (any word, in either language, name, group or description).
pub fn matches(leaf: &Leaf, group: &Category, query: &str) -> bool {
    let hay = format!(
        "{} {} {} {} {} {}",
        leaf.name.0,
        leaf.name.1,
        group.de,
        group.en,
        leaf.description.0.as_deref().unwrap_or(""),
        leaf.description.1.as_deref().unwrap_or("")
    )
    .to_lowercase();
    query.split_whitespace().all(|w| hay.contains(&w.to_lowercase()))
}

/// The category list with a search field.
#[component]
pub fn CategoryPicker(
    tree: CategoryTree,
    #[prop(into)] selected: Signal<Option<CategoryId>>,
    on_select: Callback<CategoryId>,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let groups = leaves_by_group(&tree);
    let view_groups = move || {
        let lang = i18n.lang();
        let q = query.get();
        groups
            .iter()
            .filter_map(|(group, leaves)| {
                let shown: Vec<Leaf> = leaves.iter().filter(|l| matches(l, group, &q)).cloned().collect();
                if shown.is_empty() {
                    return None;
                }
                let legend = lang.choose(&group.de, &group.en).to_owned();
                Some(view! {
                    <fieldset class="kern-fieldset category-group">
                        <legend class="kern-label">{legend}</legend>
                        <div class="kern-fieldset__body category-group__items">
                            {shown.into_iter().map(|leaf| leaf_option(lang, leaf, selected, on_select)).collect_view()}
                        </div>
                    </fieldset>
                })
            })
            .collect_view()
    };
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for="category-search">{move || i18n.t("category-search")}</label>
            <input id="category-search" class="kern-form-input__input" type="search" data-testid="category-search"
                autocomplete="off" prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
        </div>
        <div id=field_anchor("category") class="category-list" role="group"
            aria-label=move || i18n.t("category-legend")>
            {view_groups}
        </div>
        <FieldProblem problems=problems field="category" />
    }
}

fn leaf_option(
    lang: Lang,
    leaf: Leaf,
    selected: Signal<Option<CategoryId>>,
    on_select: Callback<CategoryId>,
) -> impl IntoView {
    let id = format!("category-{}", leaf.id.as_str());
    let checked_id = leaf.id.clone();
    let select_id = leaf.id.clone();
    let description = match lang {
        Lang::De => leaf.description.0.clone(),
        Lang::En => leaf.description.1.clone(),
    };
    let hint_id = format!("{id}-hint");
    let described = description.as_ref().map(|_| hint_id.clone());
    view! {
        <div class="kern-form-check category-option">
            <input class="kern-form-check__radio" type="radio" name="category" id=id.clone()
                data-category=leaf.id.as_str().to_owned() aria-describedby=described
                prop:checked=move || selected.get().as_ref() == Some(&checked_id)
                on:change=move |_| on_select.run(select_id.clone()) />
            <label class="kern-label" for=id>{lang.choose(&leaf.name.0, &leaf.name.1).to_owned()}</label>
            {description.map(|d| view! { <p class="kern-hint" id=hint_id>{d}</p> })}
        </div>
    }
}

/// The questions of the chosen category.
#[component]
pub fn Questions(
    questions: Vec<Question>,
    answers: Signal<serde_json::Map<String, serde_json::Value>>,
    on_answer: Callback<(String, Option<serde_json::Value>)>,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    questions
        .into_iter()
        .map(|q| view! { <QuestionInput question=q answers=answers on_answer=on_answer problems=problems /> })
        .collect_view()
}

#[component]
fn QuestionInput(
    question: Question,
    answers: Signal<serde_json::Map<String, serde_json::Value>>,
    on_answer: Callback<(String, Option<serde_json::Value>)>,
    problems: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let qid = question.id.as_str().to_owned();
    let field = format!("answers.{qid}");
    let anchor = field_anchor(&field);
    let error_id = format!("{anchor}-error");
    let de = question.de.clone();
    let en = question.en.clone();
    let required = question.required;
    let label = move || i18n.lang().choose(&de, &en).to_owned();
    let marker = move || {
        if required {
            view! { <span class="required-marker">{format!(" ({})", i18n.t("required"))}</span> }.into_any()
        } else {
            view! { <span class="kern-label__optional">{format!(" – {}", i18n.t("optional"))}</span> }.into_any()
        }
    };
    let has_problem = {
        let field = field.clone();
        move || problems.get().iter().any(|p| p.field == field)
    };
    let described = {
        let has_problem = has_problem.clone();
        let error_id = error_id.clone();
        move || has_problem().then(|| error_id.clone())
    };
    let value = {
        let qid = qid.clone();
        move || answers.with(|a| a.get(&qid).cloned())
    };
    let set = {
        let qid = qid.clone();
        move |v: Option<serde_json::Value>| on_answer.run((qid.clone(), v))
    };
    let error_class = has_problem.clone();
    let input = match question.kind.clone() {
        QuestionKind::Boolean => {
            let name = format!("q-{qid}");
            let options = [(true, "yes"), (false, "no")];
            view! {
                <fieldset class="kern-fieldset" id=anchor.clone() aria-describedby=described>
                    <legend class="kern-label">{label}{marker}</legend>
                    <div class="kern-fieldset__body kern-fieldset__body--horizontal">
                        {options.into_iter().map(|(b, key)| {
                            let id = format!("{name}-{b}");
                            let value = value.clone();
                            let set = set.clone();
                            view! {
                                <div class="kern-form-check">
                                    <input class="kern-form-check__radio" type="radio" name=name.clone() id=id.clone()
                                        value=b.to_string() data-question=qid.clone()
                                        prop:checked=move || value() == Some(serde_json::Value::Bool(b))
                                        on:change=move |_| set(Some(serde_json::Value::Bool(b))) />
                                    <label class="kern-label" for=id>{move || i18n.t(key)}</label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            }
            .into_any()
        }
        QuestionKind::Select { options } => {
            let current = value.clone();
            view! {
                <div class="kern-form-input">
                    <label class="kern-label" for=anchor.clone()>{label}{marker}</label>
                    <div class="kern-form-input__select-wrapper">
                        <select class="kern-form-input__select" id=anchor.clone() data-question=qid.clone()
                            aria-describedby=described aria-invalid=move || has_problem().to_string()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                set(if v.is_empty() { None } else { Some(serde_json::Value::String(v)) })
                            }>
                            <option value="" selected=move || current().is_none()>{move || i18n.t("please-choose")}</option>
                            {options.into_iter().map(|o| {
                                let value = value.clone();
                                let v = o.value.clone();
                                view! {
                                    <option value=o.value.clone()
                                        selected=move || value() == Some(serde_json::Value::String(v.clone()))>
                                        {move || i18n.lang().choose(&o.de, &o.en).to_owned()}
                                    </option>
                                }
                            }).collect_view()}
                        </select>
                    </div>
                </div>
            }
            .into_any()
        }
        QuestionKind::Multiselect { options } => view! {
            <fieldset class="kern-fieldset" id=anchor.clone() aria-describedby=described>
                <legend class="kern-label">{label}{marker}</legend>
                <div class="kern-fieldset__body">
                    {options.into_iter().map(|o| {
                        let id = format!("q-{qid}-{}", o.value);
                        let value = value.clone();
                        let value2 = value.clone();
                        let set = set.clone();
                        let v = o.value.clone();
                        let v2 = o.value.clone();
                        view! {
                            <div class="kern-form-check">
                                <input class="kern-form-check__checkbox" type="checkbox" id=id.clone()
                                    data-question=qid.clone() value=o.value.clone()
                                    prop:checked=move || value().and_then(|a| a.as_array().cloned())
                                        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(&v)))
                                    on:change=move |ev| {
                                        let mut list: Vec<serde_json::Value> =
                                            value2().and_then(|a| a.as_array().cloned()).unwrap_or_default();
                                        list.retain(|x| x.as_str() != Some(&v2));
                                        if event_target_checked(&ev) {
                                            list.push(serde_json::Value::String(v2.clone()));
                                        }
                                        set(if list.is_empty() { None } else { Some(serde_json::Value::Array(list)) })
                                    } />
                                <label class="kern-label" for=id>{move || i18n.lang().choose(&o.de, &o.en).to_owned()}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        }
        .into_any(),
        QuestionKind::Number { unit, min, max } => number_input(
            anchor.clone(),
            qid.clone(),
            label,
            marker,
            unit,
            min,
            max,
            false,
            value,
            set,
            described,
            has_problem.clone(),
        ),
        QuestionKind::Integer { unit, min, max } => number_input(
            anchor.clone(),
            qid.clone(),
            label,
            marker,
            unit,
            min.map(|m| m as f64),
            max.map(|m| m as f64),
            true,
            value,
            set,
            described,
            has_problem.clone(),
        ),
        QuestionKind::Text { max_length } => view! {
            <div class="kern-form-input">
                <label class="kern-label" for=anchor.clone()>{label}{marker}</label>
                <textarea class="kern-form-input__input" id=anchor.clone() data-question=qid.clone() rows="2"
                    maxlength=max_length.map(|m| m.to_string()) aria-describedby=described
                    aria-invalid=move || has_problem().to_string()
                    prop:value=move || value().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(if v.trim().is_empty() { None } else { Some(serde_json::Value::String(v)) })
                    }></textarea>
            </div>
        }
        .into_any(),
        QuestionKind::Date => view! {
            <div class="kern-form-input">
                <label class="kern-label" for=anchor.clone()>{label}{marker}</label>
                <input class="kern-form-input__input kern-form-input__input--width-4" type="date" id=anchor.clone()
                    data-question=qid.clone() aria-describedby=described aria-invalid=move || has_problem().to_string()
                    prop:value=move || value().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(if v.is_empty() { None } else { Some(serde_json::Value::String(v)) })
                    } />
            </div>
        }
        .into_any(),
    };
    view! {
        <div class="question" class:question--error=error_class>
            {input}
            <FieldProblem problems=problems field=field.clone() />
        </div>
    }
}

#[allow(clippy::too_many_arguments)]
fn number_input(
    anchor: String,
    qid: String,
    label: impl Fn() -> String + Send + Sync + Clone + 'static,
    marker: impl Fn() -> AnyView + Send + Sync + Clone + 'static,
    unit: Option<String>,
    min: Option<f64>,
    max: Option<f64>,
    integer: bool,
    value: impl Fn() -> Option<serde_json::Value> + Send + Sync + Clone + 'static,
    set: impl Fn(Option<serde_json::Value>) + Send + Sync + Clone + 'static,
    described: impl Fn() -> Option<String> + Send + Sync + Clone + 'static,
    has_problem: impl Fn() -> bool + Send + Sync + Clone + 'static,
) -> AnyView {
    let step = if integer { "1" } else { "any" };
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for=anchor.clone()>{label}{marker}</label>
            <div class="kern-input-group">
                <input class="kern-form-input__input kern-form-input__input--width-4" type="number" id=anchor.clone()
                    inputmode=if integer { "numeric" } else { "decimal" } step=step
                    min=min.map(|m| m.to_string()) max=max.map(|m| m.to_string()) data-question=qid
                    aria-describedby=described aria-invalid=move || has_problem().to_string()
                    prop:value=move || value().map(|v| v.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let text = event_target_value(&ev).replace(',', ".");
                        let parsed = if text.trim().is_empty() {
                            None
                        } else if integer {
                            text.trim().parse::<i64>().ok().map(serde_json::Value::from)
                                .or(Some(serde_json::Value::String(text)))
                        } else {
                            text.trim().parse::<f64>().ok().map(serde_json::Value::from)
                                .or(Some(serde_json::Value::String(text)))
                        };
                        set(parsed)
                    } />
                {unit.map(|u| view! { <span class="kern-input-group-text">{u}</span> })}
            </div>
        </div>
    }
    .into_any()
}
