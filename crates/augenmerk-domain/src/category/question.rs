//! An intake question: its label, its kind (boolean, choice, number, text, date) with
//! the kind's limits, and the check of a question by itself.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::QuestionId;

/// Longest free-text answer accepted, in characters.
pub const MAX_TEXT_ANSWER_CHARS: usize = 1_000;
/// Longest unit of a number question, in characters: the form shows it beside a
/// narrow number field.
pub const MAX_UNIT_CHARS: usize = 12;

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
    /// is unique is the category's concern
    /// ([`CategoryTree::check`](super::CategoryTree::check)). Every problem is returned,
    /// not only the first.
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
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
        max_length: Option<usize>,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
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
