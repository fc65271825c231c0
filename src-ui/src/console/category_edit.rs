//! Edits of a category tree as the category editor makes them, before the whole tree is
//! sent to the server: find, move among siblings, remove, and a question's form turned
//! into a [`Question`] and back. Pure functions, so they are tested natively.

use augenmerk_domain::category::{Category, ChoiceOption, Question, QuestionKind};
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
}

/// Why a question form was not accepted (a Fluent key of the console).
pub type FormProblem = &'static str;

impl QuestionForm {
    /// The form filled with an existing question.
    pub fn of(q: &Question) -> Self {
        let options = match &q.kind {
            QuestionKind::Select { options } | QuestionKind::Multiselect { options } => format_options(options),
            _ => String::new(),
        };
        Self {
            id: q.id.to_string(),
            de: q.de.clone(),
            en: q.en.clone(),
            kind: kind_name(&q.kind).to_owned(),
            options,
            required: q.required,
        }
    }

    /// The question the form describes. `previous` is the question being edited: its
    /// unit, range and length limit are kept while the type stays the same.
    pub fn to_question(&self, previous: Option<&Question>) -> Result<Question, FormProblem> {
        let id = QuestionId::parse(self.id.trim()).map_err(|_| "c-cat-question-id-invalid")?;
        let de = self.de.trim().to_owned();
        if de.is_empty() {
            return Err("c-cat-question-label-missing");
        }
        let en = Some(self.en.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| de.clone());
        let kept = previous.map(|p| &p.kind).filter(|k| kind_name(k) == self.kind.as_str());
        let options = parse_options(&self.options);
        let kind = match (self.kind.as_str(), kept) {
            ("select" | "multiselect", _) if options.is_empty() => return Err("c-cat-options-missing"),
            ("select", _) => QuestionKind::Select { options },
            ("multiselect", _) => QuestionKind::Multiselect { options },
            (_, Some(k)) => k.clone(),
            ("number", None) => QuestionKind::Number {
                unit: None,
                min: None,
                max: None,
            },
            ("integer", None) => QuestionKind::Integer {
                unit: None,
                min: None,
                max: None,
            },
            ("text", None) => QuestionKind::Text { max_length: None },
            ("date", None) => QuestionKind::Date,
            _ => QuestionKind::Boolean,
        };
        Ok(Question {
            id,
            de,
            en,
            required: self.required,
            kind,
        })
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
        let edited = form.to_question(Some(&q)).expect("valid");
        assert_eq!(edited.de, "Wie tief?");
        assert!(edited.required);
        assert_eq!(edited.kind, q.kind, "unit and range are kept");

        form.kind = "select".into();
        assert_eq!(form.to_question(Some(&q)), Err("c-cat-options-missing"));
        form.options = "flach=flach|shallow; tief=tief|deep".into();
        let select = form.to_question(Some(&q)).expect("valid");
        assert!(matches!(&select.kind, QuestionKind::Select { options } if options.len() == 2));
        assert_eq!(QuestionForm::of(&select).options, "flach=flach|shallow; tief=tief|deep");

        form.id = "Nicht gültig".into();
        assert_eq!(form.to_question(None), Err("c-cat-question-id-invalid"));
        form.id = "tiefe".into();
        form.de = " ".into();
        assert_eq!(form.to_question(None), Err("c-cat-question-label-missing"));
    }

    #[test]
    fn every_problem_has_a_message_in_both_languages() {
        use crate::i18n::{Lang, format};
        // The keys the category editor shows through `local_error` (not `t(…)` calls).
        for key in [
            "c-cat-question-id-invalid",
            "c-cat-question-label-missing",
            "c-cat-options-missing",
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
                .to_question(None)
                .expect("valid"),
            );
        }
        assert!(move_question(&mut c, "y", true));
        assert_eq!(c.questions[0].id.as_str(), "y");
        assert!(!move_question(&mut c, "y", true));
    }
}
