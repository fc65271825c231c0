//! The municipality's configuration, for admins: category tree and questions, departments,
//! staff accounts and roles, delegation rules (see `rules`), reply templates, and named
//! areas imported from GeoJSON. Every change goes through the server's checks; refusals
//! are shown as they come.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::api::{MunicipalitySettings, NewStaffUser, StaffUserUpdate};
use augenmerk_domain::category::{Category, QuestionKind};
use augenmerk_domain::staff::{Department, Role, StaffUser};
use augenmerk_domain::templates::{PLACEHOLDERS, ReplyTemplate};
use augenmerk_domain::{CategoryId, CategoryTree, DepartmentId};

use super::api::{encode, use_api};
use super::category_edit::{
    QuestionForm, find_mut, kind_name, move_category, move_question, range_summary, remove_category,
};
use super::rules::RulesEditor;
use super::settings_io::{load_settings, save_settings};
use super::widgets::{Notice, SelectField, TextArea, TextField};
use super::{Page, role_name, use_console};
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::i18n::use_i18n;

const SECTIONS: [(&str, &str); 8] = [
    ("rules", "c-config-rules"),
    ("categories", "c-config-categories"),
    ("departments", "c-config-departments"),
    ("users", "c-config-users"),
    ("templates", "c-config-templates"),
    ("areas", "c-config-areas"),
    ("appearance", "c-config-appearance"),
    ("mail", "c-config-mail"),
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
                "appearance" => view! { <Appearance /> }.into_any(),
                "mail" => view! { <super::mail_settings::MailConfig /> }.into_any(),
                _ => view! { <RulesEditor /> }.into_any(),
            }}
        </div>
    }
}

/// Shared result handling of the configuration forms.
fn finish(
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

/// Category tree: pick a category; rename it, deactivate or delete it, move it among its
/// siblings; add, edit, reorder and remove its questions; add subcategories. Changes are
/// collected and sent as one tree with "Save" (the server checks it; a category that
/// reports are filed on cannot be deleted, only deactivated).
#[component]
fn Categories() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let tree: RwSignal<CategoryTree> = RwSignal::new(console.refs.with_untracked(|r| r.tree.clone()));
    let selected = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let dirty = RwSignal::new(false);
    // A "saved" notice next to a newer error would say the opposite of it.
    Effect::new(move |_| {
        if error.with(Option::is_some) {
            notice.set(None);
        }
    });
    leptos::task::spawn_local(async move {
        if let Ok(t) = api.get::<CategoryTree>("/staff/config/categories").await {
            tree.set(t);
        }
    });

    let name_de = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    // The question form; `editing` names the question it changes (None: a new one).
    let editing: RwSignal<Option<String>> = RwSignal::new(None);
    let q_id = RwSignal::new(String::new());
    let q_de = RwSignal::new(String::new());
    let q_en = RwSignal::new(String::new());
    let q_type = RwSignal::new("boolean".to_owned());
    let q_options = RwSignal::new(String::new());
    let q_required = RwSignal::new(false);
    let q_unit = RwSignal::new(String::new());
    let q_min = RwSignal::new(String::new());
    let q_max = RwSignal::new(String::new());
    let q_max_length = RwSignal::new(String::new());

    let changed = move || {
        dirty.set(true);
        notice.set(None);
    };
    let edit = move |f: &mut dyn FnMut(&mut Category)| {
        let id = selected.get_untracked();
        tree.update(|t| {
            if let Some(c) = find_mut(&mut t.categories, &id) {
                f(c);
            }
        });
        changed();
    };
    let fill_form = move |form: QuestionForm| {
        q_id.set(form.id);
        q_de.set(form.de);
        q_en.set(form.en);
        q_type.set(if form.kind.is_empty() {
            "boolean".to_owned()
        } else {
            form.kind
        });
        q_options.set(form.options);
        q_required.set(form.required);
        q_unit.set(form.unit);
        q_min.set(form.min);
        q_max.set(form.max);
        q_max_length.set(form.max_length);
    };
    let reset_form = move || {
        editing.set(None);
        fill_form(QuestionForm::default());
    };
    let choose = move |id: String| {
        if let Some(c) = tree.with_untracked(|t| CategoryId::parse(&id).ok().and_then(|cid| t.find(&cid).cloned())) {
            name_de.set(c.de);
            name_en.set(c.en);
        }
        reset_form();
        selected.set(id);
    };
    let save = move |_| {
        let t = tree.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api
                .put::<_, CategoryTree>("/staff/config/categories", &t)
                .await
                .map(|_| ())
                .map_err(|e| {
                    // Only removing a category that reports are filed on conflicts here.
                    if e.code.as_deref() == Some("conflict") {
                        UiError::localized("c-cat-in-use")
                    } else {
                        e
                    }
                });
            if result.is_ok() {
                dirty.set(false);
                console.reload_refs(api);
            }
            finish(result, "c-saved", error, notice);
        });
    };
    let submit_question = move |_| {
        let form = QuestionForm {
            id: editing.get_untracked().unwrap_or_else(|| q_id.get_untracked()),
            de: q_de.get_untracked(),
            en: q_en.get_untracked(),
            kind: q_type.get_untracked(),
            options: q_options.get_untracked(),
            required: q_required.get_untracked(),
            unit: q_unit.get_untracked(),
            min: q_min.get_untracked(),
            max: q_max.get_untracked(),
            max_length: q_max_length.get_untracked(),
        };
        let editing_id = editing.get_untracked();
        match form.to_question() {
            Err(key) => error.set(Some(UiError::localized(key))),
            Ok(q) => {
                error.set(None);
                edit(&mut |c| match c.questions.iter_mut().find(|x| x.id == q.id) {
                    Some(slot) if editing_id.is_some() => *slot = q.clone(),
                    Some(_) => {}
                    None => c.questions.push(q.clone()),
                });
                reset_form();
            }
        }
    };

    let tree_view = move || {
        let lang = i18n.lang();
        let sel = selected.get();
        let t = tree.get();
        fn items(cats: &[Category], depth: usize, out: &mut Vec<(Category, usize, bool, bool)>) {
            for (i, c) in cats.iter().enumerate() {
                out.push((c.clone(), depth, i == 0, i + 1 == cats.len()));
                items(&c.subcategories, depth + 1, out);
            }
        }
        let mut flat = Vec::new();
        items(&t.categories, 0, &mut flat);
        flat.into_iter().map(|(c, depth, first, last)| {
            let id = c.id.to_string();
            let active = id == sel;
            let n = c.questions.len();
            let name = lang.choose(&c.de, &c.en).to_owned();
            let (up_id, down_id, pick_id) = (id.clone(), id.clone(), id.clone());
            let up_label = i18n.t_args("c-move-up-named", &[("name", name.clone().into())]);
            let down_label = i18n.t_args("c-move-down-named", &[("name", name.clone().into())]);
            view! {
                <li class=format!("cat-tree__item cat-tree__item--{}", depth.min(2))
                    class:cat-tree__item--inactive={!c.active}>
                    <button type="button" class="cat-tree__button" class:cat-tree__button--active=active
                        aria-current=active.then_some("true") data-testid="category-item" data-id=id.clone()
                        data-active=c.active.to_string()
                        on:click=move |_| choose(pick_id.clone())>
                        <span>{name}
                            {(!c.active).then(|| view! { <span class="cat-tree__inactive">" · "{i18n.t("c-cat-inactive")}</span> })}</span>
                        {(n > 0).then(|| view! { <span class="cat-tree__count">{i18n.t_args("c-cat-questions-count", &[("count", (n as f64).into())])}</span> })}
                    </button>
                    <span class="cat-tree__moves">
                        <button type="button" class="cat-tree__move" disabled=first aria-label=up_label
                            data-testid="category-up" data-id=id.clone()
                            on:click=move |_| { tree.update(|t| { move_category(t, &up_id, true); }); changed(); }>
                            <span class="kern-icon kern-icon--arrow-up" aria-hidden="true"></span></button>
                        <button type="button" class="cat-tree__move" disabled=last aria-label=down_label
                            data-testid="category-down" data-id=id.clone()
                            on:click=move |_| { tree.update(|t| { move_category(t, &down_id, false); }); changed(); }>
                            <span class="kern-icon kern-icon--arrow-down" aria-hidden="true"></span></button>
                    </span>
                </li>
            }
        }).collect_view()
    };

    let detail = move || {
        let id = selected.get();
        let lang = i18n.lang();
        let cat = tree.with(|t| CategoryId::parse(&id).ok().and_then(|cid| t.find(&cid).cloned()))?;
        let questions = cat.questions.clone();
        let count = questions.len();
        let cat_active = cat.active;
        let delete_id = cat.id.to_string();
        Some(view! {
            <section class="console-card" aria-labelledby="cat-edit-h" data-testid="category-editor">
                <h2 class="console-card__title" id="cat-edit-h">{lang.choose(&cat.de, &cat.en).to_owned()}
                    <span class="console-muted">" ("{cat.id.to_string()}")"</span></h2>
                <div class="form-grid">
                    <TextField id="cat-de" label="c-cat-name-de" value=name_de />
                    <TextField id="cat-en" label="c-cat-name-en" value=name_en />
                </div>
                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="cat-rename"
                    on:click=move |_| {
                        let (de, en) = (name_de.get_untracked(), name_en.get_untracked());
                        edit(&mut |c| { c.de = de.trim().to_owned(); c.en = en.trim().to_owned(); });
                    }>
                    <span class="kern-label">{i18n.t("c-apply")}</span>
                </button>
                <div class="kern-form-check cat-active">
                    <input class="kern-form-check__checkbox" type="checkbox" id="cat-active" data-testid="cat-active"
                        aria-describedby="cat-active-hint"
                        prop:checked=cat_active on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            edit(&mut |c| c.active = on);
                        } />
                    <label class="kern-label" for="cat-active">{i18n.t("c-cat-active")}</label>
                </div>
                <p class="kern-hint" id="cat-active-hint">{i18n.t("c-cat-active-hint")}</p>
                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="cat-delete"
                    on:click=move |_| {
                        let id = delete_id.clone();
                        tree.update(|t| { remove_category(t, &id); });
                        selected.set(String::new());
                        changed();
                    }>
                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                    <span class="kern-label">{i18n.t("c-cat-delete")}</span>
                </button>
                <h3 class="console-card__subtitle">{i18n.t("c-cat-questions")}</h3>
                {if questions.is_empty() {
                    view! { <p class="kern-body kern-body--small console-muted">{i18n.t("c-cat-no-questions")}</p> }.into_any()
                } else {
                    view! {
                        <table class="kern-table kern-table--small" data-testid="question-table">
                            <thead><tr class="kern-table__row">
                                <th class="kern-table__header" scope="col">{i18n.t("c-cat-question")}</th>
                                <th class="kern-table__header" scope="col">{i18n.t("c-cat-type")}</th>
                                <th class="kern-table__header" scope="col">{i18n.t("c-cat-required")}</th>
                                <th class="kern-table__header" scope="col"><span class="kern-sr-only">{i18n.t("c-actions")}</span></th>
                            </tr></thead>
                            <tbody class="kern-table__body">
                                {questions.into_iter().enumerate().map(|(i, q)| {
                                    let qid = q.id.to_string();
                                    let kind = kind_name(&q.kind);
                                    let limits = match &q.kind {
                                        QuestionKind::Text { max_length: Some(n) } => Some(i18n.t_args(
                                            "c-cat-limit-length", &[("count", (*n as f64).into())])),
                                        other => range_summary(other),
                                    };
                                    let label = lang.choose(&q.de, &q.en).to_owned();
                                    let form = QuestionForm::of(&q);
                                    let (edit_id, up_id, down_id, del_id) = (qid.clone(), qid.clone(), qid.clone(), qid.clone());
                                    view! {
                                        <tr class="kern-table__row" data-testid="question-row" data-id=qid.clone()>
                                            <td class="kern-table__cell">{label.clone()}<br/><span class="console-muted">{qid.clone()}</span></td>
                                            <td class="kern-table__cell" data-testid="question-kind">{i18n.t(&format!("c-qtype-{kind}"))}
                                                {limits.map(|l| view! { <br/><span class="console-muted">{l}</span> })}</td>
                                            <td class="kern-table__cell">{if q.required { i18n.t("c-yes") } else { i18n.t("c-no") }}</td>
                                            <td class="kern-table__cell"><div class="question-actions">
                                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small question-actions__edit"
                                                    data-testid="q-edit" data-id=qid.clone()
                                                    aria-label=i18n.t_args("c-edit-named", &[("name", label.clone().into())])
                                                    on:click=move |_| { editing.set(Some(edit_id.clone())); fill_form(form.clone()); }>
                                                    <span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                                    <span class="kern-label">{i18n.t("c-edit")}</span>
                                                </button>
                                                <button type="button" class="cat-tree__move question-actions__up" disabled={i == 0}
                                                    data-testid="q-up" data-id=qid.clone()
                                                    aria-label=i18n.t_args("c-move-up-named", &[("name", label.clone().into())])
                                                    on:click=move |_| { let qid = up_id.clone(); edit(&mut |c| { move_question(c, &qid, true); }); }>
                                                    <span class="kern-icon kern-icon--arrow-up" aria-hidden="true"></span></button>
                                                <button type="button" class="cat-tree__move question-actions__down" disabled={i + 1 == count}
                                                    data-testid="q-down" data-id=qid.clone()
                                                    aria-label=i18n.t_args("c-move-down-named", &[("name", label.clone().into())])
                                                    on:click=move |_| { let qid = down_id.clone(); edit(&mut |c| { move_question(c, &qid, false); }); }>
                                                    <span class="kern-icon kern-icon--arrow-down" aria-hidden="true"></span></button>
                                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small question-actions__remove"
                                                    aria-label=i18n.t_args("c-remove-named", &[("name", label.clone().into())])
                                                    on:click=move |_| { let qid = del_id.clone(); edit(&mut |c| c.questions.retain(|x| x.id.as_str() != qid)); }>
                                                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                                    <span class="kern-label">{i18n.t("c-remove")}</span>
                                                </button>
                                            </div></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                <fieldset class="kern-fieldset" data-testid="question-form">
                    <legend class="kern-label">{move || match editing.get() {
                        Some(qid) => i18n.t_args("c-cat-edit-question", &[("id", qid.into())]),
                        None => i18n.t("c-cat-add-question"),
                    }}</legend>
                    <div class="form-grid">
                        {move || editing.get().is_none().then(|| view! { <TextField id="q-id" label="c-cat-question-id" value=q_id /> })}
                        <SelectField id="q-type" label="c-cat-type" value=q_type options=Signal::derive(move || vec![
                            ("boolean".to_owned(), i18n.t("c-qtype-boolean")),
                            ("select".to_owned(), i18n.t("c-qtype-select")),
                            ("multiselect".to_owned(), i18n.t("c-qtype-multiselect")),
                            ("number".to_owned(), i18n.t("c-qtype-number")),
                            ("integer".to_owned(), i18n.t("c-qtype-integer")),
                            ("text".to_owned(), i18n.t("c-qtype-text")),
                            ("date".to_owned(), i18n.t("c-qtype-date")),
                        ]) />
                        <TextField id="q-de" label="c-cat-label-de" value=q_de />
                        <TextField id="q-en" label="c-cat-label-en" value=q_en />
                    </div>
                    {move || match q_type.get().as_str() {
                        "select" | "multiselect" => view! {
                            <TextField id="q-options" label="c-cat-options" value=q_options hint="c-cat-options-hint" />
                        }.into_any(),
                        "number" | "integer" => view! {
                            <div class="form-grid">
                                <TextField id="q-min" label="c-cat-min" value=q_min />
                                <TextField id="q-max" label="c-cat-max" value=q_max />
                                <TextField id="q-unit" label="c-cat-unit" value=q_unit />
                            </div>
                        }.into_any(),
                        "text" => view! {
                            <TextField id="q-max-length" label="c-cat-max-length" value=q_max_length hint="c-cat-max-length-hint" />
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                    <div class="kern-form-check">
                        <input class="kern-form-check__checkbox" type="checkbox" id="q-required" data-testid="q-required"
                            prop:checked=move || q_required.get() on:change=move |ev| q_required.set(event_target_checked(&ev)) />
                        <label class="kern-label" for="q-required">{i18n.t("c-cat-required")}</label>
                    </div>
                    <div class="console-page__actions">
                        {move || if editing.get().is_some() {
                            view! {
                                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="q-apply"
                                    on:click=submit_question>
                                    <span class="kern-label">{i18n.t("c-apply")}</span>
                                </button>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="q-cancel"
                                    on:click=move |_| reset_form()>
                                    <span class="kern-label">{i18n.t("c-cancel")}</span>
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="q-add"
                                    on:click=submit_question>
                                    <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                                    <span class="kern-label">{i18n.t("c-add")}</span>
                                </button>
                            }.into_any()
                        }}
                    </div>
                </fieldset>
                <NewCategory prefix="sub" legend="c-cat-add-sub" tree=tree error=error
                    on_add=Callback::new(move |sub: Category| edit(&mut |c| c.subcategories.push(sub.clone()))) />
            </section>
        }.into_any())
    };

    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="rules__toolbar">
            <p class="kern-body kern-body--small console-muted">{move || i18n.t("c-cat-lead")}</p>
            <button type="button" class="kern-btn kern-btn--primary kern-btn--small" on:click=save disabled=move || !dirty.get()
                data-testid="categories-save">
                <span class="kern-label">{move || i18n.t("c-save")}</span>
            </button>
        </div>
        <div class="split">
            <div>
                <nav class="console-card cat-tree" aria-label=move || i18n.t("c-config-categories")>
                    <ul>{tree_view}</ul>
                </nav>
                <section class="console-card">
                    <NewCategory prefix="top" legend="c-cat-add-top" tree=tree error=error
                        on_add=Callback::new(move |group: Category| {
                            let id = group.id.to_string();
                            tree.update(|t| t.categories.push(group));
                            choose(id);
                            changed();
                        }) />
                </section>
            </div>
            <div>{move || detail().unwrap_or_else(|| view! {
                <section class="console-card"><p class="kern-body">{i18n.t("c-cat-choose")}</p></section>
            }.into_any())}</div>
        </div>
    }
}

/// The fields for a new category (id, German and English name) and its "add" button;
/// `on_add` gets the category once its id is valid and not yet in `tree`, and it has a
/// German name.
#[component]
fn NewCategory(
    prefix: &'static str,
    legend: &'static str,
    tree: RwSignal<CategoryTree>,
    error: RwSignal<Option<UiError>>,
    on_add: Callback<Category>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (id, de, en) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let add = move |_| {
        let Ok(cid) = CategoryId::parse(id.get_untracked().trim()) else {
            error.set(Some(UiError::localized("c-cat-id-invalid")));
            return;
        };
        // Ids are unique in the whole tree (the server refuses the tree otherwise).
        if tree.with_untracked(|t| t.find(&cid).is_some()) {
            error.set(Some(UiError::localized("c-cat-id-taken")));
            return;
        }
        let name_de = de.get_untracked().trim().to_owned();
        if name_de.is_empty() {
            error.set(Some(UiError::localized("c-cat-name-missing")));
            return;
        }
        let name_en = Some(en.get_untracked().trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| name_de.clone());
        error.set(None);
        on_add.run(Category::new(cid, name_de, name_en));
        id.set(String::new());
        de.set(String::new());
        en.set(String::new());
    };
    view! {
        <fieldset class="kern-fieldset new-category">
            <legend class="kern-label">{move || i18n.t(legend)}</legend>
            <div class="form-grid">
                <TextField id=format!("{prefix}-id") label="c-cat-id" value=id />
                <TextField id=format!("{prefix}-de") label="c-cat-name-de" value=de />
                <TextField id=format!("{prefix}-en") label="c-cat-name-en" value=en />
            </div>
            <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid=format!("{prefix}-add")
                on:click=add>
                <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                <span class="kern-label">{move || i18n.t("c-add")}</span>
            </button>
        </fieldset>
    }
}

/// Departments: list, add or rename, delete.
#[component]
fn Departments() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let list: RwSignal<Vec<Department>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(d) = api.get::<Vec<Department>>("/staff/config/departments").await {
                list.set(d);
            }
        });
    };
    reload();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Ok(dept_id) = DepartmentId::parse(id.get_untracked().trim()) else {
            error.set(Some(UiError::localized("c-e-invalid-id")));
            return;
        };
        let dept = Department {
            id: dept_id.clone(),
            name: name.get_untracked().trim().to_owned(),
            email: Some(email.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
        };
        leptos::task::spawn_local(async move {
            let result = api
                .put::<_, Department>(&format!("/staff/config/departments/{}", dept_id.as_str()), &dept)
                .await
                .map(|_| ());
            if result.is_ok() {
                id.set(String::new());
                name.set(String::new());
                email.set(String::new());
                reload();
                console.reload_refs(api);
            }
            finish(result, "c-saved", error, notice);
        });
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="dept-h">
                <h2 class="console-card__title" id="dept-h">{move || i18n.t("c-config-departments")}</h2>
                <table class="kern-table kern-table--small" data-testid="department-table">
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-id")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-email")}</th>
                        <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-actions")}</span></th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {move || list.get().into_iter().map(|d| {
                            let did = d.id.to_string();
                            let edit_d = d.clone();
                            view! {
                                <tr class="kern-table__row">
                                    <td class="kern-table__cell">{d.name.clone()}</td>
                                    <td class="kern-table__cell">{did.clone()}</td>
                                    <td class="kern-table__cell">{d.email.clone().unwrap_or_default()}</td>
                                    <td class="kern-table__cell">
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                            id.set(edit_d.id.to_string()); name.set(edit_d.name.clone()); email.set(edit_d.email.clone().unwrap_or_default());
                                        }><span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-edit")}</span></button>
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                            let did = did.clone();
                                            leptos::task::spawn_local(async move {
                                                let result = api.delete(&format!("/staff/config/departments/{did}")).await;
                                                if result.is_ok() { reload(); console.reload_refs(api); }
                                                finish(result, "c-deleted", error, notice);
                                            });
                                        }><span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-delete")}</span></button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="console-card" aria-labelledby="dept-form-h">
                <h2 class="console-card__title" id="dept-form-h">{move || i18n.t("c-dept-add")}</h2>
                <form on:submit=submit>
                    <TextField id="dept-id" label="c-id" value=id hint="c-id-hint" required=true />
                    <TextField id="dept-name" label="c-name" value=name required=true />
                    <TextField id="dept-email" label="c-email" value=email input_type="email" />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="dept-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
        </div>
    }
}

/// Staff accounts: list with role and department, create, disable.
#[component]
fn Users() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let list: RwSignal<Vec<StaffUser>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let username = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("field_worker".to_owned());
    let department = RwSignal::new(String::new());
    let user_email = RwSignal::new(String::new());
    // The server's reasons for refusing a password, shown under the field.
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(u) = api.get::<Vec<StaffUser>>("/staff/config/users").await {
                list.set(u);
            }
        });
    };
    reload();
    let roles = Signal::derive(move || {
        [Role::FieldWorker, Role::Dispatcher, Role::Admin, Role::PrivacyOfficer]
            .into_iter()
            .map(|r| (r.as_str().to_owned(), role_name(&i18n, r)))
            .collect::<Vec<_>>()
    });
    let departments = Signal::derive(move || {
        let mut out = vec![(String::new(), "—".to_owned())];
        out.extend(console.refs.with(|r| {
            r.departments
                .iter()
                .map(|d| (d.id.to_string(), d.name.clone()))
                .collect::<Vec<_>>()
        }));
        out
    });
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let new = NewStaffUser {
            username: username.get_untracked().trim().to_owned(),
            display_name: display.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::FieldWorker),
            department: DepartmentId::parse(&department.get_untracked()).ok(),
            email: Some(user_email.get_untracked().trim().to_owned()).filter(|e| !e.is_empty()),
        };
        leptos::task::spawn_local(async move {
            let result = api.post::<_, StaffUser>("/staff/config/users", &new).await.map(|_| ());
            if result.is_ok() {
                username.set(String::new());
                display.set(String::new());
                password.set(String::new());
                user_email.set(String::new());
                reload();
                console.reload_refs(api);
            }
            finish(result, "c-saved", error, notice);
        });
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="users-h">
                <h2 class="console-card__title" id="users-h">{move || i18n.t("c-config-users")}</h2>
                <table class="kern-table kern-table--small" data-testid="user-table">
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-login-username")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-role")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-filter-department")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-email")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-active")}</th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {move || {
                            let refs = console.refs.get();
                            list.get().into_iter().map(|u| {
                                let uid = u.id.to_string();
                                let active = u.active;
                                view! {
                                    <tr class="kern-table__row">
                                        <td class="kern-table__cell">{u.display_name.clone()}</td>
                                        <td class="kern-table__cell">{u.username.clone()}</td>
                                        <td class="kern-table__cell">
                                            <label class="kern-sr-only" for=format!("role-{uid}")>{i18n.t("c-role")}</label>
                                            <select class="kern-form-input__select role-select" id=format!("role-{uid}")
                                                data-testid="user-role-change" data-user=uid.clone()
                                                on:change={
                                                    let uid = uid.clone();
                                                    move |ev| {
                                                        let Some(role) = Role::parse(&event_target_value(&ev)) else { return };
                                                        let uid = uid.clone();
                                                        leptos::task::spawn_local(async move {
                                                            let update = StaffUserUpdate { role: Some(role), ..StaffUserUpdate::default() };
                                                            let result = api.patch::<_, StaffUser>(&format!("/staff/config/users/{uid}"), &update).await.map(|_| ());
                                                            if result.is_ok() { reload(); console.reload_refs(api); }
                                                            finish(result, "c-saved", error, notice);
                                                        });
                                                    }
                                                }>
                                                {[Role::FieldWorker, Role::Dispatcher, Role::Admin, Role::PrivacyOfficer].into_iter().map(|r| view! {
                                                    <option value=r.as_str() selected={r == u.role}>{role_name(&i18n, r)}</option>
                                                }).collect_view()}
                                            </select>
                                        </td>
                                        <td class="kern-table__cell">{u.department.as_ref().map(|d| refs.department_name(d.as_str())).unwrap_or_else(|| "—".into())}</td>
                                        <td class="kern-table__cell" data-testid="user-email">{u.email.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td class="kern-table__cell">
                                            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                                let uid = uid.clone();
                                                leptos::task::spawn_local(async move {
                                                    let update = StaffUserUpdate { active: Some(!active), ..StaffUserUpdate::default() };
                                                    let result = api.patch::<_, StaffUser>(&format!("/staff/config/users/{uid}"), &update).await.map(|_| ());
                                                    if result.is_ok() { reload(); }
                                                    finish(result, "c-saved", error, notice);
                                                });
                                            }>
                                                <span class="kern-label">{if active { i18n.t("c-user-disable") } else { i18n.t("c-user-enable") }}</span>
                                            </button>
                                            {(!active).then(|| view! { <span class="kern-badge"><span class="kern-label kern-label--small">{i18n.t("c-inactive")}</span></span> })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
            </section>
            <section class="console-card" aria-labelledby="user-form-h">
                <h2 class="console-card__title" id="user-form-h">{move || i18n.t("c-user-add")}</h2>
                <form on:submit=submit>
                    <TextField id="user-username" label="c-login-username" value=username required=true />
                    <TextField id="user-display" label="c-name" value=display />
                    <TextField id="user-password" label="c-login-password" value=password input_type="password" hint="c-password-hint" required=true />
                    <FieldProblem problems=problems field="password" />
                    <TextField id="user-email" label="c-email" value=user_email input_type="email" />
                    <FieldProblem problems=problems field="email" />
                    <SelectField id="user-role" label="c-role" value=role options=roles />
                    <SelectField id="user-department" label="c-filter-department" value=department options=departments />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="user-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
        </div>
    }
}

/// Reply templates (Textbausteine) with their placeholders.
#[component]
fn Templates() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let t_id = RwSignal::new(String::new());
    let t_name = RwSignal::new(String::new());
    let t_body = RwSignal::new(String::new());
    let show = move |s: MunicipalitySettings| settings.set(Some(s));
    load_settings(api, show, error);
    let store = move |s: MunicipalitySettings| save_settings(api, console, s, show, "c-saved", error, notice);
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        let id = t_id.get_untracked().trim().to_lowercase().replace(' ', "-");
        if id.is_empty() || t_body.get_untracked().trim().is_empty() {
            error.set(Some(UiError::localized("c-e-template-incomplete")));
            return;
        }
        let template = ReplyTemplate {
            id: id.clone(),
            name: Some(t_name.get_untracked().trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| id.clone()),
            body: t_body.get_untracked().trim().to_owned(),
        };
        match s.reply_templates.iter_mut().find(|t| t.id == id) {
            Some(slot) => *slot = template,
            None => s.reply_templates.push(template),
        }
        t_id.set(String::new());
        t_name.set(String::new());
        t_body.set(String::new());
        store(s);
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="tpl-h">
                <h2 class="console-card__title" id="tpl-h">{move || i18n.t("c-config-templates")}</h2>
                <ul class="template-list" data-testid="template-list">
                    {move || settings.get().map(|s| s.reply_templates.into_iter().map(|t| {
                        let edit_t = t.clone();
                        let del_id = t.id.clone();
                        view! {
                            <li class="template-list__item">
                                <p class="template-list__name">{t.name.clone()}" "<span class="console-muted">"("{t.id.clone()}")"</span></p>
                                <p class="kern-body kern-body--small">{t.body.clone()}</p>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                    t_id.set(edit_t.id.clone()); t_name.set(edit_t.name.clone()); t_body.set(edit_t.body.clone());
                                }><span class="kern-icon kern-icon--edit" aria-hidden="true"></span><span class="kern-label">{i18n.t("c-edit")}</span></button>
                                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                    if let Some(mut s) = settings.get_untracked() {
                                        s.reply_templates.retain(|x| x.id != del_id);
                                        store(s);
                                    }
                                }><span class="kern-icon kern-icon--delete" aria-hidden="true"></span><span class="kern-label">{i18n.t("c-delete")}</span></button>
                            </li>
                        }
                    }).collect_view())}
                </ul>
            </section>
            <section class="console-card" aria-labelledby="tpl-form-h">
                <h2 class="console-card__title" id="tpl-form-h">{move || i18n.t("c-template-add")}</h2>
                <form on:submit=submit>
                    <TextField id="tpl-id" label="c-id" value=t_id required=true />
                    <TextField id="tpl-name" label="c-name" value=t_name />
                    <TextArea id="tpl-body" label="c-template-body" value=t_body rows=5 />
                    <p class="kern-hint">{move || i18n.t("c-template-placeholders")}</p>
                    <ul class="placeholder-list">
                        {PLACEHOLDERS.iter().map(|(p, _)| {
                            let key = format!("c-placeholder-{p}");
                            view! { <li><code>{format!("{{{{{p}}}}}")}</code>" – "{move || i18n.t(&key)}</li> }
                        }).collect_view()}
                    </ul>
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="tpl-save">
                        <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                </form>
            </section>
        </div>
    }
}

/// Named areas: list, delete, import from a GeoJSON file.
#[component]
fn Areas() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let name_property = RwSignal::new("name".to_owned());
    let geojson = RwSignal::new(String::new());
    let import = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = geojson.get_untracked();
        if body.trim().is_empty() {
            error.set(Some(UiError::localized("c-e-geojson-missing")));
            return;
        }
        let prop = name_property.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api
                .post_raw::<serde_json::Value>(
                    &format!("/staff/config/areas/import?name_property={}", encode(prop.trim())),
                    "application/geo+json",
                    body,
                )
                .await
                .map(|_| ());
            if result.is_ok() {
                geojson.set(String::new());
                console.reload_refs(api);
            }
            finish(result, "c-areas-imported", error, notice);
        });
    };
    let read_file = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.text()).await {
                Ok(text) => geojson.set(text.as_string().unwrap_or_default()),
                Err(e) => error.set(Some(UiError::unexpected(format!("{e:?}")))),
            }
        });
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="areas-h">
                <h2 class="console-card__title" id="areas-h">{move || i18n.t("c-config-areas")}</h2>
                <table class="kern-table kern-table--small" data-testid="area-table">
                    <thead><tr class="kern-table__row">
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-name")}</th>
                        <th class="kern-table__header" scope="col">{move || i18n.t("c-id")}</th>
                        <th class="kern-table__header" scope="col"><span class="kern-sr-only">{move || i18n.t("c-actions")}</span></th>
                    </tr></thead>
                    <tbody class="kern-table__body">
                        {move || console.refs.get().areas.into_iter().map(|a| {
                            let aid = a.id.to_string();
                            view! {
                                <tr class="kern-table__row">
                                    <td class="kern-table__cell">{a.name.clone()}</td>
                                    <td class="kern-table__cell">{aid.clone()}</td>
                                    <td class="kern-table__cell">
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" on:click=move |_| {
                                            let aid = aid.clone();
                                            leptos::task::spawn_local(async move {
                                                let result = api.delete(&format!("/staff/config/areas/{aid}")).await;
                                                if result.is_ok() { console.reload_refs(api); }
                                                finish(result, "c-deleted", error, notice);
                                            });
                                        }><span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-delete")}</span></button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="console-card" aria-labelledby="areas-import-h">
                <h2 class="console-card__title" id="areas-import-h">{move || i18n.t("c-areas-import")}</h2>
                <p class="kern-hint">{move || i18n.t("c-areas-import-hint")}</p>
                <form on:submit=import>
                    <div class="kern-form-input">
                        <label class="kern-label" for="areas-file">{move || i18n.t("c-areas-file")}</label>
                        <input class="kern-form-input__input" type="file" id="areas-file" data-testid="areas-file"
                            accept=".geojson,.json,application/geo+json,application/json" on:change=read_file />
                    </div>
                    <TextField id="areas-name-property" label="c-areas-name-property" value=name_property />
                    <TextArea id="areas-geojson" label="c-areas-geojson" value=geojson rows=6 />
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="areas-import">
                        <span class="kern-icon kern-icon--drive-folder-upload" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-areas-import-submit")}</span></button>
                </form>
            </section>
        </div>
    }
}

/// The municipality's look: accent colour and logo (the server checks contrast and format).
#[component]
fn Appearance() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let accent = RwSignal::new(String::new());
    let logo: RwSignal<Option<String>> = RwSignal::new(None);
    let publish_text = RwSignal::new(false);
    let show = move |s: MunicipalitySettings| {
        accent.set(s.accent_color.clone().unwrap_or_default());
        logo.set(s.logo.clone());
        publish_text.set(s.publish_text);
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let read_logo = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let mime = file.type_();
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    logo.set(Some(format!("data:{mime};base64,{}", STANDARD.encode(&bytes))));
                }
                Err(e) => error.set(Some(UiError::unexpected(format!("{e:?}")))),
            }
        });
    };
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        s.accent_color = Some(accent.get_untracked().trim().to_owned()).filter(|c| !c.is_empty());
        s.logo = logo.get_untracked();
        s.publish_text = publish_text.get_untracked();
        save_settings(api, console, s, show, "c-appearance-saved", error, notice);
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="split">
            <section class="console-card" aria-labelledby="appearance-h">
                <h2 class="console-card__title" id="appearance-h">{move || i18n.t("c-config-appearance")}</h2>
                <p class="kern-hint">{move || i18n.t("c-appearance-hint")}</p>
                <form on:submit=save>
                    <TextField id="appearance-accent" label="c-appearance-accent" value=accent hint="c-appearance-accent-hint" />
                    <div class="kern-form-input">
                        <label class="kern-label" for="appearance-logo">{move || i18n.t("c-appearance-logo")}</label>
                        <input class="kern-form-input__input" type="file" id="appearance-logo" data-testid="appearance-logo"
                            accept="image/png,image/jpeg,image/webp,image/svg+xml" on:change=read_logo />
                    </div>
                    // What the public feeds show of a citizen's own words (off by default).
                    <div class="kern-form-check">
                        <input class="kern-form-check__checkbox" type="checkbox" id="appearance-publish-text" data-testid="appearance-publish-text"
                            aria-describedby="appearance-publish-text-hint"
                            prop:checked=move || publish_text.get() on:change=move |ev| publish_text.set(event_target_checked(&ev)) />
                        <label class="kern-label" for="appearance-publish-text">{move || i18n.t("c-appearance-publish-text")}</label>
                    </div>
                    <p class="kern-hint" id="appearance-publish-text-hint">{move || i18n.t("c-appearance-publish-text-hint")}</p>
                    <div class="console-page__actions">
                        <button type="submit" class="kern-btn kern-btn--primary" data-testid="appearance-save">
                            <span class="kern-label">{move || i18n.t("c-save")}</span></button>
                        <button type="button" class="kern-btn kern-btn--tertiary" on:click=move |_| logo.set(None)>
                            <span class="kern-label">{move || i18n.t("c-appearance-logo-remove")}</span></button>
                    </div>
                </form>
            </section>
            <section class="console-card" aria-labelledby="appearance-preview-h">
                <h2 class="console-card__title" id="appearance-preview-h">{move || i18n.t("c-appearance-preview")}</h2>
                <div class="appearance-preview" style=move || {
                    let c = accent.get();
                    if c.trim().is_empty() { String::new() } else { format!("--app-accent: {}", c.trim()) }
                }>
                    {move || logo.get().map(|l| view! { <img class="appearance-preview__logo" src=l alt=i18n.t("c-appearance-logo") /> })}
                    <span class="appearance-preview__button">{move || i18n.t("c-appearance-sample-button")}</span>
                </div>
            </section>
        </div>
    }
}
