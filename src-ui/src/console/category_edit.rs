//! Edits of a category tree as the category editor makes them, before the whole tree is
//! sent to the server: find, move among siblings, remove, and a question's form turned
//! into a [`Question`] and back. Pure functions, so they are tested natively.
//!
//! The form only reads what is typed; whether the question is acceptable is the
//! domain's [`Question::check`], the same rule the server applies to the whole tree.

use augenmerk_domain::category::{Category, ChoiceOption, Question, QuestionKind, QuestionProblem};
use augenmerk_domain::{CategoryTree, QuestionId};

/// The category with this id, anywhere in the tree.
pub fn find_mut<'a>(cats: &'a mut [Category], id: &str) -> Option<&'a mut Category> {
    for c in cats {
        if c.id.as_str() == id {
            return Some(c);
        }
        if let Some(found) = find_mut(&mut c.subcategories, id) {
            return Some(found);
        }
    }
    None
}

/// Moves the item at `index` one place up (`up`) or down; `false` at either end.
pub fn shift<T>(items: &mut [T], index: usize, up: bool) -> bool {
    let other = if up { index.checked_sub(1) } else { index.checked_add(1) };
    match other {
        Some(other) if other < items.len() && index < items.len() => {
            items.swap(index, other);
            true
        }
        _ => false,
    }
}

/// Moves the category `id` one place up or down among its siblings.
pub fn move_category(tree: &mut CategoryTree, id: &str, up: bool) -> bool {
    fn walk(cats: &mut [Category], id: &str, up: bool) -> bool {
        if let Some(i) = cats.iter().position(|c| c.id.as_str() == id) {
            return shift(cats, i, up);
        }
        cats.iter_mut().any(|c| walk(&mut c.subcategories, id, up))
    }
    walk(&mut tree.categories, id, up)
}

/// Removes the category `id` (with its subcategories); `true` if it was there.
pub fn remove_category(tree: &mut CategoryTree, id: &str) -> bool {
    fn walk(cats: &mut Vec<Category>, id: &str) -> bool {
        if let Some(i) = cats.iter().position(|c| c.id.as_str() == id) {
            cats.remove(i);
            return true;
        }
        cats.iter_mut().any(|c| walk(&mut c.subcategories, id))
    }
    walk(&mut tree.categories, id)
}

/// Moves the question `qid` of a category one place up or down.
pub fn move_question(cat: &mut Category, qid: &str, up: bool) -> bool {
    match cat.questions.iter().position(|q| q.id.as_str() == qid) {
        Some(i) => shift(&mut cat.questions, i, up),
        None => false,
    }
}

/// Options as typed in the form: `value=German|English` separated by semicolons; a
/// missing English label is the German one, a missing label is the value.
pub fn parse_options(text: &str) -> Vec<ChoiceOption> {
    text.split(';')
        .filter_map(|o| {
            let (value, labels) = o.split_once('=').unwrap_or((o, o));
            let (de, en) = labels.split_once('|').unwrap_or((labels, labels));
            let (value, de, en) = (value.trim(), de.trim(), en.trim());
            let de = if de.is_empty() { value } else { de };
            let en = if en.is_empty() { de } else { en };
            (!value.is_empty()).then(|| ChoiceOption {
                value: value.to_owned(),
                de: de.to_owned(),
                en: en.to_owned(),
            })
        })
        .collect()
}

/// The options in the form's notation (the inverse of [`parse_options`]).
pub fn format_options(options: &[ChoiceOption]) -> String {
    options
        .iter()
        .map(|o| {
            if o.en == o.de {
                format!("{}={}", o.value, o.de)
            } else {
                format!("{}={}|{}", o.value, o.de, o.en)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The wire name of a question's type (`boolean`, `select`, …).
pub fn kind_name(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Boolean => "boolean",
        QuestionKind::Select { .. } => "select",
        QuestionKind::Multiselect { .. } => "multiselect",
        QuestionKind::Number { .. } => "number",
        QuestionKind::Integer { .. } => "integer",
        QuestionKind::Text { .. } => "text",
        QuestionKind::Date => "date",
    }
}

/// What the question form holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionForm {
    /// The question's id (fixed once the question exists: answers are stored under it).
    pub id: String,
    /// German label.
    pub de: String,
    /// English label (empty: the German one).
    pub en: String,
    /// Type name as [`kind_name`] gives it.
    pub kind: String,
    /// Options in the notation of [`parse_options`].
    pub options: String,
    /// Required?
    pub required: bool,
    /// Unit of a number question (e.g. `cm`).
    pub unit: String,
    /// Smallest accepted value of a number question (empty: none).
    pub min: String,
    /// Largest accepted value of a number question (empty: none).
    pub max: String,
    /// Longest accepted answer of a text question in characters (empty: the general limit).
    pub max_length: String,
}

/// Why a question form was not accepted (a Fluent key of the console).
pub type FormProblem = &'static str;

impl QuestionForm {
    /// The form filled with an existing question.
    pub fn of(q: &Question) -> Self {
        let mut form = Self {
            id: q.id.to_string(),
            de: q.de.clone(),
            en: q.en.clone(),
            kind: kind_name(&q.kind).to_owned(),
            required: q.required,
            ..Self::default()
        };
        let text = |v: Option<String>| v.unwrap_or_default();
        match &q.kind {
            QuestionKind::Select { options } | QuestionKind::Multiselect { options } => {
                form.options = format_options(options);
            }
            QuestionKind::Number { unit, min, max } => {
                form.unit = text(unit.clone());
                form.min = text(min.map(|v| v.to_string()));
                form.max = text(max.map(|v| v.to_string()));
            }
            QuestionKind::Integer { unit, min, max } => {
                form.unit = text(unit.clone());
                form.min = text(min.map(|v| v.to_string()));
                form.max = text(max.map(|v| v.to_string()));
            }
            QuestionKind::Text { max_length } => form.max_length = text(max_length.map(|v| v.to_string())),
            QuestionKind::Boolean | QuestionKind::Date => {}
        }
        form
    }

    /// The question the form describes; fields that do not belong to its type are ignored.
    /// Refused if the form cannot be read or the domain's [`Question::check`] fails.
    pub fn to_question(&self) -> Result<Question, FormProblem> {
        let id = QuestionId::parse(self.id.trim()).map_err(|_| "c-cat-question-id-invalid")?;
        let de = self.de.trim().to_owned();
        let en = Some(self.en.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| de.clone());
        let options = parse_options(&self.options);
        let kind = match self.kind.as_str() {
            "select" => QuestionKind::Select { options },
            "multiselect" => QuestionKind::Multiselect { options },
            "number" => QuestionKind::Number {
                unit: self.unit(),
                min: limit::<f64>(&self.min)?,
                max: limit::<f64>(&self.max)?,
            },
            "integer" => QuestionKind::Integer {
                unit: self.unit(),
                min: limit::<i64>(&self.min)?,
                max: limit::<i64>(&self.max)?,
            },
            "text" => QuestionKind::Text {
                max_length: limit::<usize>(&self.max_length).map_err(|_| "c-cat-length-invalid")?,
            },
            "date" => QuestionKind::Date,
            _ => QuestionKind::Boolean,
        };
        let question = Question {
            id,
            de,
            en,
            required: self.required,
            kind,
        };
        match question.check() {
            Ok(()) => Ok(question),
            Err(problems) => Err(problems.first().map_or("c-cat-limit-invalid", |p| message_key(*p))),
        }
    }

    fn unit(&self) -> Option<String> {
        Some(self.unit.trim().to_owned()).filter(|u| !u.is_empty())
    }
}

/// The console's message (a Fluent key) for a problem the domain found in a question.
fn message_key(problem: QuestionProblem) -> FormProblem {
    match problem {
        QuestionProblem::LabelMissing => "c-cat-question-label-missing",
        QuestionProblem::OptionsMissing => "c-cat-options-missing",
        QuestionProblem::DuplicateOption => "c-cat-options-duplicate",
        QuestionProblem::LimitNotFinite => "c-cat-limit-invalid",
        QuestionProblem::RangeInverted => "c-cat-range-inverted",
        QuestionProblem::InvalidLength => "c-cat-length-invalid",
        QuestionProblem::UnitTooLong => "c-cat-unit-too-long",
    }
}

/// A limit typed into the form: empty is none; a decimal comma is accepted.
fn limit<T: std::str::FromStr>(text: &str) -> Result<Option<T>, FormProblem> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| "c-cat-limit-invalid")
}

/// A question's limits in a few characters for the question table (`1–50 Stück`,
/// `≥ 0 cm`); `None` for types without limits. Text lengths are worded by the caller.
pub fn range_summary(kind: &QuestionKind) -> Option<String> {
    fn join(min: Option<String>, max: Option<String>, unit: &Option<String>) -> Option<String> {
        let range = match (min, max) {
            (Some(lo), Some(hi)) => Some(format!("{lo}–{hi}")),
            (Some(lo), None) => Some(format!("≥ {lo}")),
            (None, Some(hi)) => Some(format!("≤ {hi}")),
            (None, None) => None,
        };
        match (range, unit) {
            (Some(r), Some(u)) => Some(format!("{r} {u}")),
            (Some(r), None) => Some(r),
            (None, Some(u)) => Some(u.clone()),
            (None, None) => None,
        }
    }
    match kind {
        QuestionKind::Number { unit, min, max } => join(min.map(|v| v.to_string()), max.map(|v| v.to_string()), unit),
        QuestionKind::Integer { unit, min, max } => join(min.map(|v| v.to_string()), max.map(|v| v.to_string()), unit),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augenmerk_domain::CategoryId;

    fn cat(id: &str, subs: Vec<Category>) -> Category {
        let mut c = Category::new(CategoryId::parse(id).expect("id"), id, id);
        c.subcategories = subs;
        c
    }

    fn tree() -> CategoryTree {
        CategoryTree {
            categories: vec![
                cat("a", vec![cat("a1", vec![]), cat("a2", vec![]), cat("a3", vec![])]),
                cat("b", vec![]),
            ],
        }
    }

    fn ids(cats: &[Category]) -> Vec<&str> {
        cats.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn categories_move_among_their_siblings() {
        let mut t = tree();
        assert!(move_category(&mut t, "a2", true));
        assert_eq!(ids(&t.categories[0].subcategories), ["a2", "a1", "a3"]);
        assert!(!move_category(&mut t, "a2", true), "already first");
        assert!(move_category(&mut t, "a", false));
        assert_eq!(ids(&t.categories), ["b", "a"]);
        assert!(!move_category(&mut t, "a", false), "already last");
        assert!(!move_category(&mut t, "nope", false));
    }

    #[test]
    fn categories_are_removed_with_their_subtree() {
        let mut t = tree();
        assert!(remove_category(&mut t, "a3"));
        assert_eq!(ids(&t.categories[0].subcategories), ["a1", "a2"]);
        assert!(remove_category(&mut t, "a"));
        assert_eq!(ids(&t.categories), ["b"]);
        assert!(!remove_category(&mut t, "a1"));
    }

    #[test]
    fn options_round_trip() {
        let o = parse_options(" klein = kleiner als ein Teller | smaller than a plate ; gross=größer;; x= ");
        assert_eq!(o.len(), 3);
        assert_eq!(o[0].value, "klein");
        assert_eq!(o[0].de, "kleiner als ein Teller");
        assert_eq!(o[0].en, "smaller than a plate");
        assert_eq!((o[1].de.as_str(), o[1].en.as_str()), ("größer", "größer"));
        assert_eq!((o[2].de.as_str(), o[2].en.as_str()), ("x", "x"));
        assert_eq!(parse_options(&format_options(&o)), o);
    }

    #[test]
    fn a_question_is_edited_through_its_form() {
        let q = Question {
            id: QuestionId::parse("tiefe").expect("id"),
            de: "Tiefe".into(),
            en: "Depth".into(),
            required: false,
            kind: QuestionKind::Number {
                unit: Some("cm".into()),
                min: Some(0.0),
                max: None,
            },
        };
        let mut form = QuestionForm::of(&q);
        assert_eq!(form.kind, "number");
        form.de = "Wie tief?".into();
        form.required = true;
        assert_eq!(
            (form.unit.as_str(), form.min.as_str(), form.max.as_str()),
            ("cm", "0", "")
        );
        let edited = form.to_question().expect("valid");
        assert_eq!(edited.de, "Wie tief?");
        assert!(edited.required);
        assert_eq!(edited.kind, q.kind, "unit and range are kept");

        form.kind = "select".into();
        assert_eq!(form.to_question(), Err("c-cat-options-missing"));
        form.options = "flach=flach|shallow; tief=tief|deep".into();
        let select = form.to_question().expect("valid");
        assert!(matches!(&select.kind, QuestionKind::Select { options } if options.len() == 2));
        assert_eq!(QuestionForm::of(&select).options, "flach=flach|shallow; tief=tief|deep");
        form.options = "flach=flach; flach=seicht".into();
        assert_eq!(form.to_question(), Err("c-cat-options-duplicate"), "the server's rule");
        form.options = "flach=flach|shallow; tief=tief|deep".into();

        form.id = "Nicht gültig".into();
        assert_eq!(form.to_question(), Err("c-cat-question-id-invalid"));
        form.id = "tiefe".into();
        form.de = " ".into();
        assert_eq!(form.to_question(), Err("c-cat-question-label-missing"));
    }

    fn limits_form(kind: &str, unit: &str, min: &str, max: &str) -> QuestionForm {
        QuestionForm {
            id: "q".into(),
            de: "Frage".into(),
            kind: kind.into(),
            unit: unit.into(),
            min: min.into(),
            max: max.into(),
            ..QuestionForm::default()
        }
    }

    #[test]
    fn number_limits_are_edited_and_checked() {
        let q = limits_form("number", " m² ", "0,5", "12.25")
            .to_question()
            .expect("valid");
        let expected = QuestionKind::Number {
            unit: Some("m²".into()),
            min: Some(0.5),
            max: Some(12.25),
        };
        assert_eq!(q.kind, expected, "decimal comma and point, unit trimmed");
        assert_eq!(range_summary(&q.kind).as_deref(), Some("0.5–12.25 m²"));
        assert_eq!(QuestionForm::of(&q).to_question(), Ok(q.clone()), "round trip");

        let q = limits_form("integer", "Stück", "1", "").to_question().expect("valid");
        assert_eq!(
            q.kind,
            QuestionKind::Integer {
                unit: Some("Stück".into()),
                min: Some(1),
                max: None
            }
        );
        assert_eq!(range_summary(&q.kind).as_deref(), Some("≥ 1 Stück"));
        let open = limits_form("integer", "", "", "")
            .to_question()
            .expect("no limits at all");
        assert_eq!(range_summary(&open.kind), None);

        for (kind, min, max, problem) in [
            ("integer", "2,5", "", "c-cat-limit-invalid"),
            ("integer", "zehn", "", "c-cat-limit-invalid"),
            ("number", "", "inf", "c-cat-limit-invalid"),
            ("number", "NaN", "", "c-cat-limit-invalid"),
            ("number", "5", "1", "c-cat-range-inverted"),
            ("integer", "60", "50", "c-cat-range-inverted"),
        ] {
            assert_eq!(
                limits_form(kind, "", min, max).to_question(),
                Err(problem),
                "{kind} {min}..{max}"
            );
        }
        assert_eq!(
            limits_form("number", "Kubikzentimeter", "", "").to_question(),
            Err("c-cat-unit-too-long")
        );
        // Limits of another type are ignored, not refused.
        let text = limits_form("text", "cm", "zehn", "").to_question().expect("valid");
        assert_eq!(text.kind, QuestionKind::Text { max_length: None });
    }

    #[test]
    fn text_length_is_edited_and_checked() {
        let mut form = limits_form("text", "", "", "");
        form.max_length = "20".into();
        let q = form.to_question().expect("valid");
        assert_eq!(q.kind, QuestionKind::Text { max_length: Some(20) });
        assert_eq!(QuestionForm::of(&q).max_length, "20");
        for bad in ["0", "-3", "1001", "zwanzig"] {
            form.max_length = bad.into();
            assert_eq!(form.to_question(), Err("c-cat-length-invalid"), "{bad}");
        }
        form.max_length = "1000".into();
        assert!(form.to_question().is_ok(), "the general limit itself is allowed");
    }

    #[test]
    fn every_problem_has_a_message_in_both_languages() {
        use crate::i18n::{Lang, format};
        // The keys the category editor shows through `local_error` (not `t(…)` calls).
        for key in [
            "c-cat-question-id-invalid",
            "c-cat-question-label-missing",
            "c-cat-options-missing",
            "c-cat-options-duplicate",
            "c-cat-limit-invalid",
            "c-cat-range-inverted",
            "c-cat-length-invalid",
            "c-cat-unit-too-long",
            "c-cat-id-invalid",
            "c-cat-in-use",
        ] {
            for lang in [Lang::De, Lang::En] {
                assert_ne!(format(lang, key, None), key, "{key} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn questions_move() {
        let mut c = cat("a", vec![]);
        for id in ["x", "y"] {
            c.questions.push(
                QuestionForm {
                    id: id.into(),
                    de: id.into(),
                    kind: "boolean".into(),
                    ..QuestionForm::default()
                }
                .to_question()
                .expect("valid"),
            );
        }
        assert!(move_question(&mut c, "y", true));
        assert_eq!(c.questions[0].id.as_str(), "y");
        assert!(!move_question(&mut c, "y", true));
    }
}
