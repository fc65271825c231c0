//! Answers to a category's questions: validating raw JSON answers against the
//! questions a report's category asks, converting form posts (every value a string) to
//! JSON of the right types, and showing a stored answer as text.

use std::collections::BTreeMap;

use crate::error::FieldError;
use crate::ids::CategoryId;
use crate::report::{Answer, Answers};

use super::{CategoryTree, MAX_TEXT_ANSWER_CHARS, Question, QuestionKind};

/// An answer's value as people read it: option labels for choices, yes/no, numbers with
/// their unit and the language's decimal separator. The one place that turns a stored
/// answer into text (the UI, mails to authorities, exports).
pub fn answer_text(kind: Option<&QuestionKind>, value: &serde_json::Value, lang: crate::i18n::Language) -> String {
    use serde_json::Value;
    let option_label = |v: &str| -> String {
        let options = match kind {
            Some(QuestionKind::Select { options } | QuestionKind::Multiselect { options }) => options.as_slice(),
            _ => &[],
        };
        options
            .iter()
            .find(|o| o.value == v)
            .map(|o| lang.pick(&o.de, &o.en).to_owned())
            .unwrap_or_else(|| v.to_owned())
    };
    let unit = match kind {
        Some(QuestionKind::Number { unit, .. } | QuestionKind::Integer { unit, .. }) => unit.clone(),
        _ => None,
    };
    match value {
        Value::Bool(b) => lang
            .pick(if *b { "Ja" } else { "Nein" }, if *b { "Yes" } else { "No" })
            .to_owned(),
        Value::String(s) => option_label(s),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => option_label(s),
                other => answer_text(None, other, lang),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Number(n) => {
            let n = match lang {
                crate::i18n::Language::De => n.to_string().replace('.', ","),
                crate::i18n::Language::En => n.to_string(),
            };
            unit.map_or(n.clone(), |u| format!("{n} {u}"))
        }
        Value::Null => "–".into(),
        Value::Object(_) => value.to_string(),
    }
}

impl CategoryTree {
    /// Validates raw JSON answers for a report filed on `category` and returns them typed.
    ///
    /// Every problem is reported, not only the first, so a form can mark all fields at once.
    pub fn validate_answers(
        &self,
        category: &CategoryId,
        raw: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Answers, AnswerError> {
        let cat = self.find(category).ok_or(AnswerError::UnknownCategory)?;
        if !cat.subcategories.is_empty() {
            return Err(AnswerError::Invalid(vec![FieldError::new("category", "not_a_leaf")]));
        }
        let questions = self.effective_questions(category).unwrap_or_default();
        let mut errors = Vec::new();
        let mut answers = BTreeMap::new();
        for key in raw.keys() {
            if !questions.iter().any(|q| q.id.as_str() == key) {
                errors.push(FieldError::new(format!("answers.{key}"), "unknown_question"));
            }
        }
        for q in &questions {
            let field = format!("answers.{}", q.id);
            match raw.get(q.id.as_str()) {
                None | Some(serde_json::Value::Null) => {
                    if q.required {
                        errors.push(FieldError::new(field, "required"));
                    }
                }
                Some(value) => match check_answer(&q.kind, value) {
                    Ok(Some(answer)) => {
                        answers.insert(q.id.clone(), answer);
                    }
                    Ok(None) if q.required => errors.push(FieldError::new(field, "required")),
                    Ok(None) => {}
                    Err(problem) => errors.push(FieldError::new(field, problem)),
                },
            }
        }
        if errors.is_empty() {
            Ok(answers)
        } else {
            Err(AnswerError::Invalid(errors))
        }
    }
}

/// Why answers were not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    /// The category is not part of the tree.
    #[error("unknown category")]
    UnknownCategory,
    /// One or more answers are missing or invalid.
    #[error("invalid answers: {0:?}")]
    Invalid(Vec<FieldError>),
}

/// Checks one answer; `Ok(None)` is an empty answer (blank text, no choice).
fn check_answer(kind: &QuestionKind, value: &serde_json::Value) -> Result<Option<Answer>, &'static str> {
    use serde_json::Value;
    match (kind, value) {
        (QuestionKind::Boolean, Value::Bool(b)) => Ok(Some(Answer::Bool(*b))),
        (QuestionKind::Select { options }, Value::String(s)) => {
            if s.is_empty() {
                Ok(None)
            } else if options.iter().any(|o| &o.value == s) {
                Ok(Some(Answer::Text(s.clone())))
            } else {
                Err("not_an_option")
            }
        }
        (QuestionKind::Multiselect { options }, Value::Array(items)) => {
            let mut chosen = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(s) = item else {
                    return Err("wrong_type");
                };
                if !options.iter().any(|o| &o.value == s) {
                    return Err("not_an_option");
                }
                if !chosen.contains(s) {
                    chosen.push(s.clone());
                }
            }
            Ok((!chosen.is_empty()).then_some(Answer::Choices(chosen)))
        }
        (QuestionKind::Number { min, max, .. }, Value::Number(n)) => {
            let x = n.as_f64().ok_or("wrong_type")?;
            if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                return Err("out_of_range");
            }
            Ok(Some(Answer::Number(x)))
        }
        (QuestionKind::Integer { min, max, .. }, Value::Number(n)) => {
            let x = n.as_i64().ok_or("wrong_type")?;
            if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                return Err("out_of_range");
            }
            Ok(Some(Answer::Integer(x)))
        }
        (QuestionKind::Text { max_length }, Value::String(s)) => {
            let limit = max_length.unwrap_or(MAX_TEXT_ANSWER_CHARS).min(MAX_TEXT_ANSWER_CHARS);
            let trimmed = s.trim();
            if trimmed.chars().count() > limit {
                Err("too_long")
            } else if trimmed.is_empty() {
                Ok(None)
            } else {
                // A text answer is free text like the description: no control characters.
                let text = crate::text::FreeText::parse("", trimmed).map_err(|_| crate::text::CONTROL_CHARACTER)?;
                Ok(Some(Answer::Text(text.into_string())))
            }
        }
        (QuestionKind::Date, Value::String(s)) => {
            if s.is_empty() {
                Ok(None)
            } else if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
                Ok(Some(Answer::Text(s.clone())))
            } else {
                Err("invalid_date")
            }
        }
        _ => Err("wrong_type"),
    }
}

/// Turns form-style answers (every value a string, multiselect as a list of strings)
/// into JSON of the types the questions expect, so that form posts (Open311) and JSON
/// clients go through the same validation. Values that do not convert stay strings and
/// fail validation with `wrong_type`.
pub fn answers_from_strings(
    questions: &[&Question],
    raw: &BTreeMap<String, Vec<String>>,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut out = serde_json::Map::new();
    for (key, values) in raw {
        let kind = questions.iter().find(|q| q.id.as_str() == key).map(|q| &q.kind);
        let first = values.first().cloned().unwrap_or_default();
        let value = match kind {
            Some(QuestionKind::Multiselect { .. }) => Value::Array(values.iter().cloned().map(Value::String).collect()),
            Some(QuestionKind::Boolean) => match first.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "ja" => Value::Bool(true),
                "false" | "0" | "no" | "nein" => Value::Bool(false),
                _ => Value::String(first),
            },
            Some(QuestionKind::Integer { .. }) => first
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::String(first)),
            Some(QuestionKind::Number { .. }) => match first.trim().replace(',', ".").parse::<f64>() {
                Ok(x) if x.is_finite() => Value::from(x),
                _ => Value::String(first),
            },
            _ => Value::String(first),
        };
        out.insert(key.clone(), value);
    }
    out
}
