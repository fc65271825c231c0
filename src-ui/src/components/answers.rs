//! A report's answers to its category's questions, as people read them: the question's
//! label and the chosen option's label in the page's language, not the stored ids.

use leptos::prelude::*;

use augenmerk_domain::{CategoryId, Question, QuestionKind};

use crate::i18n::{I18n, Lang, use_i18n};
use crate::shell::use_ctx;

/// One answer ready to show: the question and the answer as text.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownAnswer {
    /// The question's label (its id when the configuration does not know it any more).
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Labels the answers with the category's questions, in the questions' order; answers to
/// questions the configuration no longer has come last, under their ids.
pub fn shown_answers(i18n: &I18n, questions: &[Question], answers: &[(String, serde_json::Value)]) -> Vec<ShownAnswer> {
    let lang = i18n.lang();
    let mut shown: Vec<ShownAnswer> = questions
        .iter()
        .filter_map(|q| {
            let (_, value) = answers.iter().find(|(id, _)| id.as_str() == q.id.as_str())?;
            Some(ShownAnswer {
                question: lang.choose(&q.de, &q.en).to_owned(),
                answer: answer_text(i18n, Some(&q.kind), value),
            })
        })
        .collect();
    shown.extend(
        answers
            .iter()
            .filter(|(id, _)| !questions.iter().any(|q| q.id.as_str() == id.as_str()))
            .map(|(id, value)| ShownAnswer {
                question: id.clone(),
                answer: answer_text(i18n, None, value),
            }),
    );
    shown
}

/// An answer's value as text (the domain's [`augenmerk_domain::category::answer_text`]
/// in the UI's language).
pub fn answer_text(i18n: &I18n, kind: Option<&QuestionKind>, value: &serde_json::Value) -> String {
    let lang = match i18n.lang() {
        Lang::De => augenmerk_domain::Language::De,
        Lang::En => augenmerk_domain::Language::En,
    };
    augenmerk_domain::category::answer_text(kind, value, lang)
}

/// The answers as a description list, labelled from the municipality's configuration
/// (loaded once; cached by the backend for offline use).
#[component]
pub fn AnswerList(
    /// The report's municipality (AGS).
    municipality: String,
    /// The report's category.
    category: CategoryId,
    /// The answers by question id.
    answers: Vec<(String, serde_json::Value)>,
    /// The questions as they were when the report was written, for a category the
    /// configuration no longer has.
    #[prop(optional)]
    kept: Vec<Question>,
) -> impl IntoView {
    let i18n = use_i18n();
    let backend = use_ctx().backend.clone();
    let questions: RwSignal<Vec<Question>> = RwSignal::new(Vec::new());
    if !answers.is_empty() {
        leptos::task::spawn_local(async move {
            // Without the configuration the ids are still shown: better than nothing offline.
            let current = backend
                .municipality_config(&municipality)
                .await
                .ok()
                .and_then(|config| {
                    let own = config.categories.effective_questions(&category)?;
                    Some(own.into_iter().cloned().collect::<Vec<_>>())
                });
            questions.set(current.unwrap_or(kept));
        });
    }
    move || {
        let shown = questions.with(|q| shown_answers(&i18n, q, &answers));
        (!shown.is_empty()).then(|| {
            view! {
                <dl class="kern-description-list answers">
                    {shown.into_iter().map(|a| view! {
                        <div class="kern-description-list-item">
                            <dt class="kern-description-list-item__key">{a.question}</dt>
                            <dd class="kern-description-list-item__value">{a.answer}</dd>
                        </div>
                    }).collect_view()}
                </dl>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        let tree = augenmerk_domain::CategoryTree::from_json(include_str!("../../../data/categories.json"))
            .unwrap_or_else(|e| panic!("the demo tree parses: {e}"));
        let id = CategoryId::parse("schlagloch").unwrap_or_else(|e| panic!("{e:?}"));
        tree.effective_questions(&id)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect()
    }

    #[test]
    fn answers_show_labels_not_ids() {
        let de = I18n::new(Lang::De);
        let answers = vec![
            ("strassenart".to_owned(), serde_json::json!("gemeindestrasse")),
            ("gefahr_akut".to_owned(), serde_json::json!(false)),
            ("removed_question".to_owned(), serde_json::json!(2.5)),
        ];
        let shown = shown_answers(&de, &questions(), &answers);
        let texts: Vec<(&str, &str)> = shown.iter().map(|a| (a.question.as_str(), a.answer.as_str())).collect();
        assert!(
            texts
                .iter()
                .any(|(q, a)| q.contains("Straße") && *a == "Gemeinde-/Ortsstraße"),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|(q, a)| q.contains("Gefahr") && *a == "Nein"),
            "{texts:?}"
        );
        assert_eq!(texts.last(), Some(&("removed_question", "2,5")));
        let en = I18n::new(Lang::En);
        let shown = shown_answers(&en, &questions(), &answers);
        assert!(shown.iter().any(|a| a.answer == "No"), "{shown:?}");
    }
}
