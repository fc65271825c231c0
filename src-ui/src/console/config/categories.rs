//! The category tree with its questions: pick, rename, deactivate, delete or move a
//! category, edit its questions, add subcategories; saved as one tree.

use leptos::prelude::*;

use augenmerk_domain::category::{Category, QuestionKind};
use augenmerk_domain::{CategoryId, CategoryTree};

use super::finish;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::console::api::{Api, use_api};
use crate::console::category_edit::{
    QuestionForm, find_mut, kind_name, move_category, move_question, range_summary, remove_category,
};
use crate::console::widgets::{Notice, SelectField, TextField};
use crate::console::{ConsoleCtx, use_console};
use crate::i18n::use_i18n;

/// Category tree: pick a category; rename it, deactivate or delete it, move it among its
/// siblings; add, edit, reorder and remove its questions; add subcategories. Changes are
/// collected and sent as one tree with "Save" (the server checks it; a category that
/// reports are filed on cannot be deleted, only deactivated).
#[component]
pub(super) fn Categories() -> impl IntoView {
    let i18n = use_i18n();
    let s = Editor::new();
    let Editor {
        tree,
        error,
        notice,
        dirty,
        ..
    } = s;
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <div class="rules__toolbar">
            <p class="kern-body kern-body--small console-muted">{move || i18n.t("c-cat-lead")}</p>
            <button type="button" class="kern-btn kern-btn--primary kern-btn--small" on:click=move |_| s.save() disabled=move || !dirty.get()
                data-testid="categories-save">
                <span class="kern-label">{move || i18n.t("c-save")}</span>
            </button>
        </div>
        <div class="split">
            <div>
                <nav class="console-card cat-tree" aria-label=move || i18n.t("c-config-categories")>
                    <ul>{move || tree_items(s)}</ul>
                </nav>
                <section class="console-card">
                    <NewCategory prefix="top" legend="c-cat-add-top" tree=tree error=error
                        on_add=Callback::new(move |group: Category| {
                            let id = group.id.to_string();
                            tree.update(|t| t.categories.push(group));
                            s.choose(id);
                            s.changed();
                        }) />
                </section>
            </div>
            <div>{move || category_detail(s).unwrap_or_else(|| view! {
                <section class="console-card"><p class="kern-body">{i18n.t("c-cat-choose")}</p></section>
            }.into_any())}</div>
        </div>
    }
}

/// The editor's state (copyable: signals) and what its buttons do.
#[derive(Clone, Copy)]
struct Editor {
    api: Api,
    console: ConsoleCtx,
    tree: RwSignal<CategoryTree>,
    /// The chosen category's id (empty: none).
    selected: RwSignal<String>,
    error: RwSignal<Option<UiError>>,
    notice: RwSignal<Option<&'static str>>,
    /// Changes not yet saved.
    dirty: RwSignal<bool>,
    name_de: RwSignal<String>,
    name_en: RwSignal<String>,
    /// The question form; `editing` names the question it changes (None: a new one).
    editing: RwSignal<Option<String>>,
    q_id: RwSignal<String>,
    q_de: RwSignal<String>,
    q_en: RwSignal<String>,
    q_type: RwSignal<String>,
    q_options: RwSignal<String>,
    q_required: RwSignal<bool>,
    q_unit: RwSignal<String>,
    q_min: RwSignal<String>,
    q_max: RwSignal<String>,
    q_max_length: RwSignal<String>,
}

impl Editor {
    fn new() -> Self {
        let api = use_api();
        let console = use_console();
        let s = Self {
            api,
            console,
            tree: RwSignal::new(console.refs.with_untracked(|r| r.tree.clone())),
            selected: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            dirty: RwSignal::new(false),
            name_de: RwSignal::new(String::new()),
            name_en: RwSignal::new(String::new()),
            editing: RwSignal::new(None),
            q_id: RwSignal::new(String::new()),
            q_de: RwSignal::new(String::new()),
            q_en: RwSignal::new(String::new()),
            q_type: RwSignal::new("boolean".to_owned()),
            q_options: RwSignal::new(String::new()),
            q_required: RwSignal::new(false),
            q_unit: RwSignal::new(String::new()),
            q_min: RwSignal::new(String::new()),
            q_max: RwSignal::new(String::new()),
            q_max_length: RwSignal::new(String::new()),
        };
        let Self {
            error, notice, tree, ..
        } = s;
        // A "saved" notice next to a newer error would say the opposite of it.
        Effect::new(move |_| {
            if error.with(Option::is_some) {
                notice.set(None);
            }
        });
        leptos::task::spawn_local(async move {
            if let Ok(t) = api.categories().await {
                tree.set(t);
            }
        });
        s
    }

    fn changed(self) {
        self.dirty.set(true);
        self.notice.set(None);
    }

    /// Changes the chosen category.
    fn edit(self, f: &mut dyn FnMut(&mut Category)) {
        let id = self.selected.get_untracked();
        self.tree.update(|t| {
            if let Some(c) = find_mut(&mut t.categories, &id) {
                f(c);
            }
        });
        self.changed();
    }

    fn fill_form(self, form: QuestionForm) {
        self.q_id.set(form.id);
        self.q_de.set(form.de);
        self.q_en.set(form.en);
        self.q_type.set(if form.kind.is_empty() {
            "boolean".to_owned()
        } else {
            form.kind
        });
        self.q_options.set(form.options);
        self.q_required.set(form.required);
        self.q_unit.set(form.unit);
        self.q_min.set(form.min);
        self.q_max.set(form.max);
        self.q_max_length.set(form.max_length);
    }

    fn reset_form(self) {
        self.editing.set(None);
        self.fill_form(QuestionForm::default());
    }

    fn choose(self, id: String) {
        if let Some(c) = self
            .tree
            .with_untracked(|t| CategoryId::parse(&id).ok().and_then(|cid| t.find(&cid).cloned()))
        {
            self.name_de.set(c.de);
            self.name_en.set(c.en);
        }
        self.reset_form();
        self.selected.set(id);
    }

    /// Sends the whole tree.
    fn save(self) {
        let Self {
            api,
            console,
            error,
            notice,
            dirty,
            ..
        } = self;
        let t = self.tree.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api.save_categories(&t).await.map(|_| ()).map_err(|e| {
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
    }

    /// Adds the question of the form, or changes the one being edited.
    fn submit_question(self) {
        let form = QuestionForm {
            id: self
                .editing
                .get_untracked()
                .unwrap_or_else(|| self.q_id.get_untracked()),
            de: self.q_de.get_untracked(),
            en: self.q_en.get_untracked(),
            kind: self.q_type.get_untracked(),
            options: self.q_options.get_untracked(),
            required: self.q_required.get_untracked(),
            unit: self.q_unit.get_untracked(),
            min: self.q_min.get_untracked(),
            max: self.q_max.get_untracked(),
            max_length: self.q_max_length.get_untracked(),
        };
        let editing_id = self.editing.get_untracked();
        match form.to_question() {
            Err(key) => self.error.set(Some(UiError::localized(key))),
            Ok(q) => {
                self.error.set(None);
                self.edit(&mut |c| match c.questions.iter_mut().find(|x| x.id == q.id) {
                    Some(slot) if editing_id.is_some() => *slot = q.clone(),
                    Some(_) => {}
                    None => c.questions.push(q.clone()),
                });
                self.reset_form();
            }
        }
    }
}

/// The tree as a list, each category with its "up" and "down" buttons.
fn tree_items(s: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let Editor { tree, selected, .. } = s;
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
                        on:click=move |_| s.choose(pick_id.clone())>
                        <span>{name}
                            {(!c.active).then(|| view! { <span class="cat-tree__inactive">" · "{i18n.t("c-cat-inactive")}</span> })}</span>
                        {(n > 0).then(|| view! { <span class="cat-tree__count">{i18n.t_args("c-cat-questions-count", &[("count", (n as f64).into())])}</span> })}
                    </button>
                    <span class="cat-tree__moves">
                        <button type="button" class="cat-tree__move" disabled=first aria-label=up_label
                            data-testid="category-up" data-id=id.clone()
                            on:click=move |_| { tree.update(|t| { move_category(t, &up_id, true); }); s.changed(); }>
                            <span class="kern-icon kern-icon--arrow-up" aria-hidden="true"></span></button>
                        <button type="button" class="cat-tree__move" disabled=last aria-label=down_label
                            data-testid="category-down" data-id=id.clone()
                            on:click=move |_| { tree.update(|t| { move_category(t, &down_id, false); }); s.changed(); }>
                            <span class="kern-icon kern-icon--arrow-down" aria-hidden="true"></span></button>
                    </span>
                </li>
            }
        }).collect_view()
}

/// The chosen category: names, active, delete, its questions, a new subcategory.
fn category_detail(s: Editor) -> Option<AnyView> {
    let i18n = use_i18n();
    let Editor {
        tree,
        selected,
        error,
        name_de,
        name_en,
        ..
    } = s;
    let id = selected.get();
    let lang = i18n.lang();
    let cat = tree.with(|t| CategoryId::parse(&id).ok().and_then(|cid| t.find(&cid).cloned()))?;
    let questions = cat.questions.clone();
    let cat_active = cat.active;
    let delete_id = cat.id.to_string();
    Some(
        view! {
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
                        s.edit(&mut |c| { c.de = de.trim().to_owned(); c.en = en.trim().to_owned(); });
                    }>
                    <span class="kern-label">{i18n.t("c-apply")}</span>
                </button>
                <div class="kern-form-check cat-active">
                    <input class="kern-form-check__checkbox" type="checkbox" id="cat-active" data-testid="cat-active"
                        aria-describedby="cat-active-hint"
                        prop:checked=cat_active on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            s.edit(&mut |c| c.active = on);
                        } />
                    <label class="kern-label" for="cat-active">{i18n.t("c-cat-active")}</label>
                </div>
                <p class="kern-hint" id="cat-active-hint">{i18n.t("c-cat-active-hint")}</p>
                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="cat-delete"
                    on:click=move |_| {
                        let id = delete_id.clone();
                        tree.update(|t| { remove_category(t, &id); });
                        selected.set(String::new());
                        s.changed();
                    }>
                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                    <span class="kern-label">{i18n.t("c-cat-delete")}</span>
                </button>
                <h3 class="console-card__subtitle">{i18n.t("c-cat-questions")}</h3>
                {question_table(s, questions, lang)}
                {question_form(s)}
                <NewCategory prefix="sub" legend="c-cat-add-sub" tree=tree error=error
                    on_add=Callback::new(move |sub: Category| s.edit(&mut |c| c.subcategories.push(sub.clone()))) />
            </section>
        }
        .into_any(),
    )
}

/// The chosen category's questions with edit, move and remove buttons.
fn question_table(s: Editor, questions: Vec<augenmerk_domain::Question>, lang: crate::i18n::Lang) -> impl IntoView {
    let i18n = use_i18n();
    let Editor { editing, .. } = s;
    let count = questions.len();
    view! {
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
                                            on:click=move |_| { editing.set(Some(edit_id.clone())); s.fill_form(form.clone()); }>
                                            <span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                                            <span class="kern-label">{i18n.t("c-edit")}</span>
                                        </button>
                                        <button type="button" class="cat-tree__move question-actions__up" disabled={i == 0}
                                            data-testid="q-up" data-id=qid.clone()
                                            aria-label=i18n.t_args("c-move-up-named", &[("name", label.clone().into())])
                                            on:click=move |_| { let qid = up_id.clone(); s.edit(&mut |c| { move_question(c, &qid, true); }); }>
                                            <span class="kern-icon kern-icon--arrow-up" aria-hidden="true"></span></button>
                                        <button type="button" class="cat-tree__move question-actions__down" disabled={i + 1 == count}
                                            data-testid="q-down" data-id=qid.clone()
                                            aria-label=i18n.t_args("c-move-down-named", &[("name", label.clone().into())])
                                            on:click=move |_| { let qid = down_id.clone(); s.edit(&mut |c| { move_question(c, &qid, false); }); }>
                                            <span class="kern-icon kern-icon--arrow-down" aria-hidden="true"></span></button>
                                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small question-actions__remove"
                                            aria-label=i18n.t_args("c-remove-named", &[("name", label.clone().into())])
                                            on:click=move |_| { let qid = del_id.clone(); s.edit(&mut |c| c.questions.retain(|x| x.id.as_str() != qid)); }>
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
    }
}

/// The form to add a question or change the one being edited.
fn question_form(s: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let Editor {
        editing,
        q_id,
        q_de,
        q_en,
        q_type,
        q_options,
        q_required,
        q_unit,
        q_min,
        q_max,
        q_max_length,
        ..
    } = s;
    view! {
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
                            on:click=move |_| s.submit_question()>
                            <span class="kern-label">{i18n.t("c-apply")}</span>
                        </button>
                        <button type="button" class="kern-btn kern-btn--tertiary kern-btn--small" data-testid="q-cancel"
                            on:click=move |_| s.reset_form()>
                            <span class="kern-label">{i18n.t("c-cancel")}</span>
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="q-add"
                            on:click=move |_| s.submit_question()>
                            <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                            <span class="kern-label">{i18n.t("c-add")}</span>
                        </button>
                    }.into_any()
                }}
            </div>
        </fieldset>
    }
}

/// The fields for a new category (id, German and English name) and its "add" button;
/// `on_add` gets the category once its id is valid and not yet in `tree`, and it has a
/// German name.
#[component]
pub(super) fn NewCategory(
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
