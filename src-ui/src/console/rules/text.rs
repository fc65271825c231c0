//! Rules in words: conditions, time windows, question labels.

use augenmerk_domain::rules::{AnswerTest, Condition, TimeWindow};

use crate::console::Refs;
use crate::i18n::{I18n, Lang};

/// Flensburg's centre, the sample's default place (any place of the municipality will do;
/// an Amt's sample starts in its first Gemeinde).
pub(super) const SAMPLE_AT: (f64, f64) = (54.7836, 9.4321);

pub(super) fn window_key(w: TimeWindow) -> &'static str {
    match w {
        TimeWindow::WorkingHours => "c-rule-time-working",
        TimeWindow::OutsideWorkingHours => "c-rule-time-outside",
        TimeWindow::Weekend => "c-rule-time-weekend",
    }
}

/// A condition in words.
pub(super) fn condition_text(refs: &Refs, lang: Lang, i18n: I18n, c: &Condition) -> String {
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
        Condition::Gemeinde { gemeinden } => crate::console::gemeinde::condition_text(refs, i18n, gemeinden),
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
pub(super) fn question_label(refs: &Refs, lang: Lang, id: &str) -> String {
    refs.tree
        .iter()
        .flat_map(|c| c.questions.iter())
        .find(|q| q.id.as_str() == id)
        .map_or_else(|| id.to_owned(), |q| lang.choose(&q.de, &q.en).to_owned())
}

/// Every question id of the tree once, with its label.
pub(super) fn all_questions(refs: &Refs, lang: Lang) -> Vec<(String, String)> {
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
