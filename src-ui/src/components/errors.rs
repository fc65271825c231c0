//! Validation errors: a summary at the top of a form (with links to the fields, as the
//! GOV.UK and KERN patterns do) and the message under each field.

use leptos::prelude::*;

use augenmerk_domain::error::FieldError;

use crate::backend::UiError;
use crate::i18n::{I18n, use_i18n};

/// The human text of a field problem.
pub fn problem_text(i18n: &I18n, problem: &FieldError) -> String {
    let key = format!("problem-{}", problem.problem.replace('_', "-"));
    let text = i18n.t(&key);
    if text == key { i18n.t("problem-invalid") } else { text }
}

/// The label of a field path such as `answers.tiefe_cm` (questions name themselves).
pub fn field_label(i18n: &I18n, field: &str, question: impl Fn(&str) -> Option<String>) -> String {
    if let Some(id) = field.strip_prefix("answers.") {
        return question(id).unwrap_or_else(|| id.to_owned());
    }
    let key = format!("field-{}", field.replace('_', "-"));
    let text = i18n.t(&key);
    if text == key { field.to_owned() } else { text }
}

/// The element id of a field path, so the summary can link to it.
pub fn field_anchor(field: &str) -> String {
    format!("field-{}", field.replace(['.', '_'], "-"))
}

/// The first problem of a field, if any.
pub fn problem_of(problems: &[FieldError], field: &str) -> Option<FieldError> {
    problems.iter().find(|p| p.field == field).cloned()
}

/// The message under a field.
#[component]
pub fn FieldProblem(problems: Signal<Vec<FieldError>>, #[prop(into)] field: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{}-error", field_anchor(&field));
    move || {
        problem_of(&problems.get(), &field).map(|p| {
            view! {
                <p class="kern-error" id=id.clone() role="alert">
                    <span class="kern-icon kern-icon--danger kern-icon--small" aria-hidden="true"></span>
                    <span>{problem_text(&i18n, &p)}</span>
                </p>
            }
        })
    }
}

/// An error from the backend, as an alert.
#[component]
pub fn ErrorAlert(error: Signal<Option<UiError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let lang = i18n.lang();
            let class = if e.offline {
                "kern-alert kern-alert--warning"
            } else {
                "kern-alert kern-alert--danger"
            };
            view! {
                <div class=class role="alert" data-testid="error-alert">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--warning" aria-hidden="true"></span>
                        <span class="kern-title">{lang.pick(&e.message).to_owned()}</span>
                    </div>
                </div>
            }
        })
    }
}
