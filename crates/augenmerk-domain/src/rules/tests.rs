//! Evaluation, explanation and checks of delegation rules.

use super::*;
use chrono::TimeZone;
use serde_json::json;

struct OneArea;
impl AreaLookup for OneArea {
    fn contains(&self, area: &AreaId, p: GeoPoint) -> bool {
        area.as_str() == "altstadt" && p.lat > 54.0
    }
}

fn tree() -> CategoryTree {
    CategoryTree::from_json(include_str!("../../../../data/categories.json")).expect("demo tree")
}

fn rules() -> Vec<Rule> {
    serde_json::from_value(json!([
        {"id": "landesstrasse", "name": "Landesstraßen an LBV.SH",
         "conditions": [{"type": "category", "categories": ["strasse"]},
                        {"type": "answer", "question": "strassenart", "test": "one_of", "values": ["landesstrasse", "bundesstrasse"]}],
         "action": {"forward_to": "lbv-sh"}},
        {"id": "gefahr", "name": "Akute Gefahr", "enabled": true,
         "conditions": [{"type": "answer", "question": "gefahr_akut", "test": "is_true"}],
         "action": {"department": "tiefbau", "priority": "urgent", "due_hours": 4}},
        {"id": "altstadt", "name": "Altstadt", "enabled": false,
         "conditions": [{"type": "area", "areas": ["altstadt"]}],
         "action": {"department": "tbz"}},
        {"id": "nachts", "name": "Nachts", "conditions": [{"type": "time", "window": "outside_working_hours"}],
         "action": {"department": "ordnungsamt"}},
        {"id": "default", "name": "Rest", "conditions": [], "action": {"department": "zentrale"}}
    ]))
    .expect("rules parse")
}

fn run(category: &str, answers: serde_json::Value, at: DateTime<Utc>) -> RuleEvaluation {
    let tree = tree();
    let cat = CategoryId::parse(category).expect("id");
    let answers = tree
        .validate_answers(&cat, answers.as_object().expect("object"))
        .expect("valid answers");
    let wh = WorkingHours::default();
    let env = RuleEnv {
        tree: &tree,
        areas: &OneArea,
        working_hours: &wh,
    };
    evaluate(
        &rules(),
        &RuleInput {
            category: &cat,
            answers: &answers,
            location: GeoPoint { lat: 54.78, lon: 9.43 },
            gemeinde: &crate::ids::Ags::parse("01001000").expect("ags"),
            at,
        },
        &env,
    )
}

fn tuesday_10h() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
        .single()
        .expect("valid time") // 10:00 in Berlin
}

#[test]
fn first_match_wins_and_earlier_ones_are_explained() {
    let e = run(
        "schlagloch",
        json!({"gefahr_akut": true, "strassenart": "landesstrasse"}),
        tuesday_10h(),
    );
    assert_eq!(e.matched.as_ref().map(RuleId::as_str), Some("landesstrasse"));
    assert_eq!(e.trace.len(), 1);

    let e = run(
        "schlagloch",
        json!({"gefahr_akut": true, "strassenart": "gemeindestrasse"}),
        tuesday_10h(),
    );
    assert_eq!(e.matched.as_ref().map(RuleId::as_str), Some("gefahr"));
    assert_eq!(e.action.priority, Some(Priority::Urgent));
    let first = &e.trace[0];
    assert!(!first.matched);
    assert!(first.conditions[0].holds);
    assert!(!first.conditions[1].holds);
    assert!(first.conditions[1].explanation.de.contains("gemeindestrasse"));
}

#[test]
fn disabled_rules_are_skipped_and_time_windows_apply() {
    let tree_cat = "leuchte_aus";
    let e = run(tree_cat, json!({"gefahr_akut": false}), tuesday_10h());
    assert_eq!(e.matched.as_ref().map(RuleId::as_str), Some("default"));
    assert!(!e.trace[2].enabled);
    let sunday = Utc
        .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
        .single()
        .expect("valid time");
    let e = run(tree_cat, json!({"gefahr_akut": false}), sunday);
    assert_eq!(e.matched.as_ref().map(RuleId::as_str), Some("nachts"));
}

#[test]
fn working_hours_follow_local_time() {
    let wh = WorkingHours::default();
    wh.check().expect("default is valid");
    // 06:30 UTC in winter is 07:30 in Berlin.
    assert!(wh.contains(Utc.with_ymd_and_hms(2026, 11, 24, 6, 30, 0).single().expect("t")));
    assert!(!wh.contains(Utc.with_ymd_and_hms(2026, 11, 24, 15, 30, 0).single().expect("t")));
}

#[test]
fn check_finds_broken_references_and_hidden_rules() {
    let tree = tree();
    let mut rules = rules();
    rules.push(Rule {
        id: RuleId::parse("after").expect("id"),
        name: "hidden".into(),
        enabled: true,
        conditions: vec![],
        action: RuleAction::default(),
    });
    let deps = [DepartmentId::parse("tiefbau").expect("id")];
    let problems = check_rules(
        &rules,
        &RuleRefs {
            tree: &tree,
            departments: &deps,
            users: &[],
            areas: &[],
            gemeinden: &[],
            authorities: &[],
        },
    );
    let text: Vec<String> = problems.iter().map(|p| format!("{}:{}", p.field, p.problem)).collect();
    for want in [
        "rules.landesstrasse.action:unknown_authority:lbv-sh",
        "rules.altstadt.conditions:unknown_area:altstadt",
        "rules.nachts.action:unknown_department:ordnungsamt",
        "rules.after:unreachable_after_default:default",
    ] {
        assert!(text.iter().any(|t| t == want), "missing {want} in {text:?}");
    }
}

#[test]
fn a_gemeinde_condition_routes_by_the_reports_gemeinde() {
    use crate::ids::Ags;
    let wees = Ags::parse("01059176").expect("ags");
    let grundhof = Ags::parse("01059118").expect("ags");
    let rules: Vec<Rule> = serde_json::from_value(json!([
        {"id": "wees", "name": "Wees", "conditions": [{"type": "gemeinde", "gemeinden": ["01059176"]}],
         "action": {"department": "bauhof-wees"}},
        {"id": "default", "name": "Rest", "conditions": [], "action": {"department": "bauamt"}}
    ]))
    .expect("rules parse");
    let tree = tree();
    let env = RuleEnv {
        tree: &tree,
        areas: &NoAreas,
        working_hours: &WorkingHours::default(),
    };
    let cat = CategoryId::parse("schlagloch").expect("id");
    let answers = Answers::new();
    let at = tuesday_10h();
    let run = |gemeinde: &Ags| {
        let input = RuleInput {
            category: &cat,
            answers: &answers,
            location: GeoPoint { lat: 54.8, lon: 9.6 },
            gemeinde,
            at,
        };
        evaluate(&rules, &input, &env).matched.map(|r| r.as_str().to_owned())
    };
    assert_eq!(run(&wees).as_deref(), Some("wees"));
    assert_eq!(run(&grundhof).as_deref(), Some("default"));

    let problems = check_rules(
        &rules,
        &RuleRefs {
            tree: &tree,
            departments: &[],
            users: &[],
            areas: &[],
            gemeinden: &[grundhof],
            authorities: &[],
        },
    );
    assert!(problems.iter().any(|p| p.problem == "unknown_gemeinde:01059176"));
}
