//! A municipality's category tree and the typed intake questions of each category.
//!
//! The JSON shape is that of `data/categories.json` (German `de` and English `en`
//! labels inline, question `type` as a tag). A subcategory inherits the questions of
//! its ancestors; a question with the same id further down replaces the inherited one.
//! Reports are filed on leaf categories, so intake is always as specific as possible.
//!
//! A category that old reports still refer to is not deleted but deactivated
//! (`active: false`): it stays in the tree, so those reports keep their name and
//! questions, but it and its subcategories are no longer offered for new reports
//! ([`CategoryTree::offered`]).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::i18n::I18nText;
use crate::ids::{CategoryId, QuestionId};
use crate::report::{Answer, Answers};

/// Longest free-text answer accepted, in characters.
pub const MAX_TEXT_ANSWER_CHARS: usize = 1_000;
/// Longest unit of a number question, in characters: the form shows it beside a
/// narrow number field.
pub const MAX_UNIT_CHARS: usize = 12;

/// A municipality's tree of categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryTree {
    /// The top-level categories.
    pub categories: Vec<Category>,
}

/// One category or subcategory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Unique id within the municipality's tree.
    pub id: CategoryId,
    /// German name.
    pub de: String,
    /// English name.
    pub en: String,
    /// German description shown during intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_de: Option<String>,
    /// English description shown during intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
    /// Who is usually responsible (a hint for staff, not used by the rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_hint: Option<String>,
    /// Questions asked for this category (and inherited by its subcategories).
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Whether new reports may be filed on it (and its subcategories); an inactive
    /// category is kept for the reports that already refer to it. Absent means active.
    #[serde(default = "active_default", skip_serializing_if = "is_active")]
    pub active: bool,
    /// Subcategories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub subcategories: Vec<Category>,
}

fn active_default() -> bool {
    true
}

fn is_active(active: &bool) -> bool {
    *active
}

impl Category {
    /// A new active category with names and nothing else.
    pub fn new(id: CategoryId, de: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id,
            de: de.into(),
            en: en.into(),
            description_de: None,
            description_en: None,
            routing_hint: None,
            questions: Vec::new(),
            active: true,
            subcategories: Vec::new(),
        }
    }

    /// The category's name in both languages.
    pub fn name(&self) -> I18nText {
        I18nText::new(&self.de, &self.en)
    }
}

/// An intake question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    /// Id, unique among the questions a category has (own and inherited).
    pub id: QuestionId,
    /// German label.
    pub de: String,
    /// English label.
    pub en: String,
    /// Whether a report of this category must answer it.
    #[serde(default)]
    pub required: bool,
    /// The answer's type and its constraints.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

impl Question {
    /// Checks the question by itself: a German label, options where the type has them
    /// (at least one, values unique), finite limits in order, a text length from 1 to
    /// [`MAX_TEXT_ANSWER_CHARS`], a unit of at most [`MAX_UNIT_CHARS`]. Whether its id
    /// is unique is the category's concern ([`CategoryTree::check`]). Every problem is
    /// returned, not only the first.
    pub fn check(&self) -> Result<(), Vec<QuestionProblem>> {
        let mut problems = Vec::new();
        if self.de.trim().is_empty() {
            problems.push(QuestionProblem::LabelMissing);
        }
        let unit = match &self.kind {
            QuestionKind::Select { options } | QuestionKind::Multiselect { options } => {
                let values: HashSet<_> = options.iter().map(|o| &o.value).collect();
                if options.is_empty() {
                    problems.push(QuestionProblem::OptionsMissing);
                } else if values.len() != options.len() {
                    problems.push(QuestionProblem::DuplicateOption);
                }
                None
            }
            QuestionKind::Number { unit, min, max } => {
                if min.is_some_and(|v| !v.is_finite()) || max.is_some_and(|v| !v.is_finite()) {
                    problems.push(QuestionProblem::LimitNotFinite);
                } else if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    problems.push(QuestionProblem::RangeInverted);
                }
                unit.as_deref()
            }
            QuestionKind::Integer { unit, min, max } => {
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    problems.push(QuestionProblem::RangeInverted);
                }
                unit.as_deref()
            }
            QuestionKind::Text { max_length: Some(n) } if *n == 0 || *n > MAX_TEXT_ANSWER_CHARS => {
                problems.push(QuestionProblem::InvalidLength);
                None
            }
            QuestionKind::Text { .. } | QuestionKind::Boolean | QuestionKind::Date => None,
        };
        if unit.is_some_and(|u| u.chars().count() > MAX_UNIT_CHARS) {
            problems.push(QuestionProblem::UnitTooLong);
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// What [`Question::check`] found wrong with a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionProblem {
    /// The German label is blank.
    LabelMissing,
    /// A select or multiselect question has no options.
    OptionsMissing,
    /// Two options share a value.
    DuplicateOption,
    /// A number question's smallest or largest value is not finite.
    LimitNotFinite,
    /// The smallest value is larger than the largest.
    RangeInverted,
    /// A text question's longest answer is 0 or above [`MAX_TEXT_ANSWER_CHARS`].
    InvalidLength,
    /// The unit is longer than [`MAX_UNIT_CHARS`].
    UnitTooLong,
}

impl QuestionProblem {
    /// The problem as a field error of the API, `question` being the question's field
    /// path (`categories.schlagloch.questions.tiefe`).
    pub fn field_error(self, question: &str) -> FieldError {
        match self {
            Self::LabelMissing => FieldError::new(format!("{question}.de"), "required"),
            Self::OptionsMissing | Self::DuplicateOption => FieldError::new(question, "invalid_options"),
            Self::LimitNotFinite | Self::RangeInverted => FieldError::new(question, "invalid_range"),
            Self::InvalidLength => FieldError::new(question, "invalid_length"),
            Self::UnitTooLong => FieldError::new(format!("{question}.unit"), "too_long"),
        }
    }
}

/// The type of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum QuestionKind {
    /// Yes or no.
    Boolean,
    /// One of the options.
    Select {
        /// The options to choose from.
        options: Vec<ChoiceOption>,
    },
    /// Any number of the options (at least one when required).
    Multiselect {
        /// The options to choose from.
        options: Vec<ChoiceOption>,
    },
    /// A decimal number.
    Number {
        /// Unit shown next to the input (e.g. `cm`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        /// Smallest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Largest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// A whole number.
    Integer {
        /// Unit shown next to the input.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        /// Smallest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        /// Largest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
    },
    /// Free text.
    #[serde(alias = "textarea")]
    Text {
        /// Longest accepted answer in characters (at most [`MAX_TEXT_ANSWER_CHARS`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<usize>,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

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

/// An option of a select or multiselect question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    /// The value stored in answers.
    pub value: String,
    /// German label.
    pub de: String,
    /// English label.
    pub en: String,
}

impl CategoryTree {
    /// Parses a tree from JSON in the shape of `categories.json` (extra top-level keys are ignored).
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// All categories, depth first.
    pub fn iter(&self) -> impl Iterator<Item = &Category> {
        let mut stack: Vec<&Category> = self.categories.iter().rev().collect();
        std::iter::from_fn(move || {
            let next = stack.pop()?;
            stack.extend(next.subcategories.iter().rev());
            Some(next)
        })
    }

    /// The category with this id.
    pub fn find(&self, id: &CategoryId) -> Option<&Category> {
        self.iter().find(|c| &c.id == id)
    }

    /// The chain from the top-level category down to `id`, inclusive.
    pub fn path(&self, id: &CategoryId) -> Option<Vec<&Category>> {
        fn walk<'a>(cats: &'a [Category], id: &CategoryId, acc: &mut Vec<&'a Category>) -> bool {
            for c in cats {
                acc.push(c);
                if &c.id == id || walk(&c.subcategories, id, acc) {
                    return true;
                }
                acc.pop();
            }
            false
        }
        let mut acc = Vec::new();
        walk(&self.categories, id, &mut acc).then_some(acc)
    }

    /// The tree as offered for new reports: inactive categories and their subtrees left out.
    pub fn offered(&self) -> CategoryTree {
        fn prune(cats: &[Category]) -> Vec<Category> {
            cats.iter()
                .filter(|c| c.active)
                .map(|c| Category {
                    subcategories: prune(&c.subcategories),
                    ..c.clone()
                })
                .collect()
        }
        CategoryTree {
            categories: prune(&self.categories),
        }
    }

    /// Whether new reports may be filed on `id`: it and all its ancestors are active
    /// (`false` for an unknown id).
    pub fn is_offered(&self, id: &CategoryId) -> bool {
        self.path(id).is_some_and(|p| p.iter().all(|c| c.active))
    }

    /// Whether `id` is `ancestor` or lies in its subtree.
    pub fn is_within(&self, id: &CategoryId, ancestor: &CategoryId) -> bool {
        self.path(id).is_some_and(|p| p.iter().any(|c| &c.id == ancestor))
    }

    /// The questions a report of this category answers: inherited ones first, own ones after.
    pub fn effective_questions(&self, id: &CategoryId) -> Option<Vec<&Question>> {
        let path = self.path(id)?;
        let mut out: Vec<&Question> = Vec::new();
        for cat in path {
            for q in &cat.questions {
                match out.iter_mut().find(|e| e.id == q.id) {
                    Some(slot) => *slot = q,
                    None => out.push(q),
                }
            }
        }
        Some(out)
    }

    /// Checks the tree itself: unique category ids, options where needed, sane ranges.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for c in self.iter() {
            if !seen.insert(&c.id) {
                errors.push(FieldError::new(format!("categories.{}", c.id), "duplicate_id"));
            }
            if c.de.trim().is_empty() {
                errors.push(FieldError::new(format!("categories.{}.de", c.id), "required"));
            }
            // Names and descriptions are shown to citizens and published (Open311).
            let texts = [
                ("de", Some(&c.de)),
                ("en", Some(&c.en)),
                ("description_de", c.description_de.as_ref()),
                ("description_en", c.description_en.as_ref()),
            ];
            for (name, text) in texts {
                let field = format!("categories.{}.{name}", c.id);
                if let Some(Err(e)) = text.map(|t| crate::text::FreeText::parse(&field, t)) {
                    errors.push(e);
                }
            }
            let mut qids = HashSet::new();
            for q in &c.questions {
                let field = format!("categories.{}.questions.{}", c.id, q.id);
                if !qids.insert(&q.id) {
                    errors.push(FieldError::new(field.clone(), "duplicate_id"));
                }
                if let Err(problems) = q.check() {
                    errors.extend(problems.into_iter().map(|p| p.field_error(&field)));
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree() -> CategoryTree {
        CategoryTree::from_json(
            &json!({"categories": [{
                "id": "strasse", "de": "Straßen", "en": "Roads",
                "questions": [{"id": "gefahr_akut", "de": "Gefahr?", "en": "Danger?", "type": "boolean", "required": true}],
                "subcategories": [{
                    "id": "schlagloch", "de": "Schlagloch", "en": "Pothole",
                    "questions": [
                        {"id": "groesse", "de": "Größe", "en": "Size", "type": "select", "required": false,
                         "options": [{"value": "lt20", "de": "<20", "en": "<20"}, {"value": "gt50", "de": ">50", "en": ">50"}]},
                        {"id": "anzahl", "de": "Anzahl", "en": "Count", "type": "integer", "min": 1, "max": 100},
                        {"id": "tiefe", "de": "Tiefe", "en": "Depth", "type": "number", "unit": "cm"},
                        {"id": "art", "de": "Art", "en": "Kind", "type": "multiselect",
                         "options": [{"value": "a", "de": "A", "en": "A"}, {"value": "b", "de": "B", "en": "B"}]},
                        {"id": "seit", "de": "Seit", "en": "Since", "type": "date"},
                        {"id": "notiz", "de": "Notiz", "en": "Note", "type": "text", "max_length": 5}
                    ]
                }]
            }]})
            .to_string(),
        )
        .expect("valid tree")
    }

    fn id(s: &str) -> CategoryId {
        CategoryId::parse(s).expect("valid id")
    }

    #[test]
    fn parses_the_shared_demo_tree() {
        let text = include_str!("../../../data/categories.json");
        let tree = CategoryTree::from_json(text).expect("demo tree parses");
        assert_eq!(tree.categories.len(), 12);
        assert_eq!(tree.iter().count(), 62);
        tree.check().expect("demo tree is consistent");
        let qs = tree.effective_questions(&id("schlagloch")).expect("exists");
        assert_eq!(qs[0].id.as_str(), "gefahr_akut", "inherited questions come first");
    }

    #[test]
    fn the_tree_check_refuses_impossible_limits() {
        let mut t = tree();
        t.check().expect("the test tree is consistent");
        let questions = &mut t.categories[0].questions;
        let mut push = |id: &str, kind: QuestionKind| {
            questions.push(Question {
                id: QuestionId::parse(id).expect("id"),
                de: id.into(),
                en: id.into(),
                required: false,
                kind,
            })
        };
        push("kurz", QuestionKind::Text { max_length: Some(0) });
        push(
            "lang",
            QuestionKind::Text {
                max_length: Some(MAX_TEXT_ANSWER_CHARS + 1),
            },
        );
        push(
            "passt",
            QuestionKind::Text {
                max_length: Some(MAX_TEXT_ANSWER_CHARS),
            },
        );
        push(
            "verkehrt",
            QuestionKind::Integer {
                unit: None,
                min: Some(5),
                max: Some(1),
            },
        );
        let errors = t.check().expect_err("three impossible limits");
        let found: Vec<(String, &str)> = errors.iter().map(|e| (e.field.clone(), e.problem.as_str())).collect();
        let cat = &t.categories[0].id;
        assert_eq!(
            found,
            vec![
                (format!("categories.{cat}.questions.kurz"), "invalid_length"),
                (format!("categories.{cat}.questions.lang"), "invalid_length"),
                (format!("categories.{cat}.questions.verkehrt"), "invalid_range"),
            ]
        );
    }

    #[test]
    fn a_question_is_checked_by_itself() {
        let question = |de: &str, kind: QuestionKind| Question {
            id: QuestionId::parse("q").expect("id"),
            de: de.into(),
            en: String::new(),
            required: false,
            kind,
        };
        let number = |unit: &str, min: f64, max: f64| QuestionKind::Number {
            unit: Some(unit.into()),
            min: Some(min),
            max: Some(max),
        };
        let option = |value: &str| ChoiceOption {
            value: value.into(),
            de: value.into(),
            en: value.into(),
        };
        assert_eq!(question("Tiefe", number("Quadratmeter", 0.0, 1.0)).check(), Ok(()));
        for (q, problems) in [
            (
                question(" ", QuestionKind::Boolean),
                vec![QuestionProblem::LabelMissing],
            ),
            (
                question("Art", QuestionKind::Select { options: vec![] }),
                vec![QuestionProblem::OptionsMissing],
            ),
            (
                question(
                    "Art",
                    QuestionKind::Multiselect {
                        options: vec![option("a"), option("a")],
                    },
                ),
                vec![QuestionProblem::DuplicateOption],
            ),
            (
                question("Tiefe", number("Kubikzentimeter", f64::NAN, 1.0)),
                vec![QuestionProblem::LimitNotFinite, QuestionProblem::UnitTooLong],
            ),
            (
                question("Tiefe", number("cm", 2.0, 1.0)),
                vec![QuestionProblem::RangeInverted],
            ),
        ] {
            assert_eq!(q.check(), Err(problems), "{q:?}");
        }
        // In a tree, a problem is a field error on the question.
        assert_eq!(
            QuestionProblem::UnitTooLong.field_error("categories.a.questions.q"),
            FieldError::new("categories.a.questions.q.unit", "too_long")
        );
    }

    #[test]
    fn inheritance_and_subtree() {
        let t = tree();
        assert!(t.is_within(&id("schlagloch"), &id("strasse")));
        assert!(!t.is_within(&id("strasse"), &id("schlagloch")));
        assert_eq!(t.effective_questions(&id("schlagloch")).map(|q| q.len()), Some(7));
    }

    #[test]
    fn valid_answers_are_typed() {
        let raw = json!({"gefahr_akut": true, "groesse": "gt50", "anzahl": 3, "tiefe": 4.5, "art": ["a", "a", "b"], "seit": "2026-11-01", "notiz": " ok "});
        let answers = tree()
            .validate_answers(&id("schlagloch"), raw.as_object().expect("object"))
            .expect("valid");
        assert_eq!(answers.len(), 7);
        assert_eq!(
            answers[&QuestionId::parse("art").expect("id")],
            Answer::Choices(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            answers[&QuestionId::parse("notiz").expect("id")],
            Answer::Text("ok".into())
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let raw = json!({"groesse": "huge", "anzahl": 1.5, "tiefe": "deep", "art": ["c"], "seit": "gestern", "notiz": "toolong", "extra": 1});
        let Err(AnswerError::Invalid(errors)) =
            tree().validate_answers(&id("schlagloch"), raw.as_object().expect("object"))
        else {
            panic!("must fail")
        };
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.problem.as_str())).collect();
        for want in [
            ("answers.extra", "unknown_question"),
            ("answers.gefahr_akut", "required"),
            ("answers.groesse", "not_an_option"),
            ("answers.anzahl", "wrong_type"),
            ("answers.tiefe", "wrong_type"),
            ("answers.art", "not_an_option"),
            ("answers.seit", "invalid_date"),
            ("answers.notiz", "too_long"),
        ] {
            assert!(got.contains(&want), "missing {want:?} in {got:?}");
        }
    }

    #[test]
    fn only_leaves_take_reports() {
        let raw = json!({"gefahr_akut": true});
        assert!(matches!(
            tree().validate_answers(&id("strasse"), raw.as_object().expect("object")),
            Err(AnswerError::Invalid(_))
        ));
        assert_eq!(
            tree().validate_answers(&id("nope"), raw.as_object().expect("object")),
            Err(AnswerError::UnknownCategory)
        );
    }

    #[test]
    fn inactive_categories_are_kept_but_not_offered() {
        let mut t = tree();
        t.categories[0]
            .subcategories
            .push(Category::new(id("gehweg"), "Gehweg", "Pavement"));
        t.categories[0].subcategories[0].active = false;
        assert!(!t.is_offered(&id("schlagloch")));
        assert!(t.is_offered(&id("gehweg")));
        assert!(!t.is_offered(&id("nope")));
        let offered = t.offered();
        assert!(offered.find(&id("schlagloch")).is_none());
        assert!(offered.find(&id("gehweg")).is_some());
        // Old reports still find their category and its questions.
        assert_eq!(t.effective_questions(&id("schlagloch")).map(|q| q.len()), Some(7));
        // The flag is written only when it says something.
        let json = serde_json::to_value(&t).expect("serializes");
        assert_eq!(json["categories"][0]["subcategories"][0]["active"], json!(false));
        assert!(json["categories"][0].get("active").is_none());
        assert_eq!(CategoryTree::from_json(&json.to_string()).expect("parses"), t);
        // A whole inactive branch hides its subcategories too.
        t.categories[0].active = false;
        t.categories[0].subcategories[0].active = true;
        assert!(!t.is_offered(&id("gehweg")));
        assert!(t.offered().categories.is_empty());
    }

    #[test]
    fn form_strings_convert() {
        let t = tree();
        let qs = t.effective_questions(&id("schlagloch")).expect("exists");
        let mut raw = BTreeMap::new();
        raw.insert("gefahr_akut".to_owned(), vec!["true".to_owned()]);
        raw.insert("anzahl".to_owned(), vec!["2".to_owned()]);
        raw.insert("tiefe".to_owned(), vec!["2,5".to_owned()]);
        raw.insert("art".to_owned(), vec!["a".to_owned(), "b".to_owned()]);
        let json = answers_from_strings(&qs, &raw);
        t.validate_answers(&id("schlagloch"), &json)
            .expect("valid after conversion");
    }
}
