//! Unit tests of the category tree, question checks and answer validation.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::ids::QuestionId;
use crate::report::Answer;

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
    let text = include_str!("../../../../data/categories.json");
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
