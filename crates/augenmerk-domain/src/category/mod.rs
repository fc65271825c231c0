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
//!
//! The questions and their kinds are in `question.rs`; checking, converting and
//! showing answers to them is in `answers.rs`. Everything is re-exported here, so the
//! paths stay `augenmerk_domain::category::…`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::i18n::I18nText;
use crate::ids::CategoryId;

mod answers;
mod question;
#[cfg(test)]
mod tests;

pub use answers::{AnswerError, answer_text, answers_from_strings};
pub use question::{ChoiceOption, MAX_TEXT_ANSWER_CHARS, MAX_UNIT_CHARS, Question, QuestionKind, QuestionProblem};

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
}
