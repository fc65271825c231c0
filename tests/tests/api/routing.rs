//! Delegation by Flensburg's ordered rules at intake, the dry run that explains it, rule
//! editing, and re-routing after a re-categorisation.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, MUERWIK, SUEDERMARKT, Submitted, id_of, report, spawn_app};

/// Tuesday, 10 June 2025, 10:00 in Berlin (CEST): inside the working hours Mon–Fri 7–16.
const TUESDAY_10_BERLIN: &str = "2025-06-10T08:00:00Z";
/// Sunday, 8 June 2025, 10:00 in Berlin.
const SUNDAY_10_BERLIN: &str = "2025-06-08T08:00:00Z";
/// Tuesday, 10 June 2025, 18:30 in Berlin: a working day, after hours.
const TUESDAY_1830_BERLIN: &str = "2025-06-10T16:30:00Z";

fn acute_pothole_at(at: &str) -> Value {
    json!({"sample": {
        "category": "schlagloch",
        "answers": {"gefahr_akut": true},
        "location": {"lat": MUERWIK.0, "lon": MUERWIK.1},
        "at": at,
    }})
}

/// The trace entry of a rule.
fn trace_of<'a>(evaluation: &'a Value, rule: &str) -> &'a Value {
    evaluation["trace"]
        .as_array()
        .and_then(|t| t.iter().find(|e| e["rule"] == rule))
        .unwrap_or_else(|| panic!("no trace entry for {rule}: {evaluation}"))
}

/// A rule that did not match, with at least one failed condition that says why.
fn assert_explained_miss(evaluation: &Value, rule: &str) {
    let entry = trace_of(evaluation, rule);
    assert_eq!(entry["matched"], false, "{entry}");
    let failed: Vec<&Value> = entry["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .filter(|c| c["holds"] == false)
        .collect();
    assert!(!failed.is_empty(), "a miss names the failed condition: {entry}");
    for c in failed {
        for lang in ["de", "en"] {
            assert!(
                c["explanation"][lang].as_str().is_some_and(|e| !e.is_empty()),
                "explanation in {lang}: {c}"
            );
        }
    }
}

#[tokio::test]
async fn pothole_on_a_landesstrasse_is_forwarded_to_lbv_sh() {
    let app = spawn_app().await;
    let device = app.device().await;
    let r = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "landesstrasse"}),
        MUERWIK,
    );
    let citizen = app.submit_ok(&device, &r).await;
    assert_eq!(citizen["status"], "forwarded");
    assert!(
        citizen["forwarded_to"].as_str().is_some_and(|n| n.contains("LBV.SH")),
        "{citizen}"
    );
    let last = citizen["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["to"], "forwarded");
    assert!(last["comment"].as_str().is_some_and(|c| c.contains("LBV.SH")), "{last}");

    let staff = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&staff, &id_of(&r)).await;
    assert_eq!(detail["report"]["status"], "forwarded");
    assert_eq!(detail["report"]["forwarded_to"], "lbv-sh");
    assert_eq!(detail["report"]["routed_by"], "landes-bundesstrasse");
    assert_eq!(detail["report"]["department"], Value::Null);
}

#[tokio::test]
async fn acute_danger_during_working_hours_goes_to_tiefbau_urgently() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let dry = app
        .dry_run(&staff, &acute_pothole_at(TUESDAY_10_BERLIN))
        .await
        .expect(200);
    let evaluation = &dry["evaluation"];
    assert_eq!(evaluation["matched"], "gefahr-strasse", "{dry}");
    assert_eq!(evaluation["action"]["department"], "tiefbau");
    assert_eq!(evaluation["action"]["priority"], "urgent");
    // The after-hours rule comes first and fails on its time condition only.
    assert_explained_miss(evaluation, "gefahr-ausserhalb-dienstzeit");
    let entry = trace_of(evaluation, "gefahr-ausserhalb-dienstzeit");
    let conditions = entry["conditions"].as_array().expect("conditions");
    assert_eq!(conditions[0]["holds"], true, "gefahr_akut is true: {entry}");
    assert_eq!(conditions[1]["condition"]["type"], "time");
    assert_eq!(conditions[1]["holds"], false, "{entry}");
}

#[tokio::test]
async fn acute_danger_outside_working_hours_goes_to_the_ordnungsamt_on_call() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    for at in [SUNDAY_10_BERLIN, TUESDAY_1830_BERLIN] {
        let dry = app.dry_run(&staff, &acute_pothole_at(at)).await.expect(200);
        let evaluation = &dry["evaluation"];
        assert_eq!(evaluation["matched"], "gefahr-ausserhalb-dienstzeit", "at {at}: {dry}");
        assert_eq!(evaluation["action"]["department"], "ordnungsamt");
        assert_eq!(evaluation["action"]["priority"], "urgent");
        assert_eq!(evaluation["action"]["due_hours"], 2);
        assert_explained_miss(evaluation, "landes-bundesstrasse");
        assert_explained_miss(evaluation, "autobahn");
    }
}

#[tokio::test]
async fn litter_in_the_altstadt_goes_to_tbz_with_high_priority() {
    let app = spawn_app().await;
    let device = app.device().await;
    let r = report("papierkorb", json!({}), SUEDERMARKT);
    assert_eq!(app.submit_ok(&device, &r).await["status"], "assigned");
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&staff, &id_of(&r)).await;
    assert_eq!(detail["report"]["routed_by"], "muell-innenstadt", "{detail}");
    assert_eq!(detail["report"]["department"], "tbz");
    assert_eq!(detail["report"]["priority"], "high");
    assert_eq!(detail["routing"]["matched"], "muell-innenstadt");
}

#[tokio::test]
async fn litter_outside_the_city_centre_goes_to_tbz_by_the_general_rule() {
    let app = spawn_app().await;
    let device = app.device().await;
    let r = report("papierkorb", json!({}), MUERWIK);
    app.submit_ok(&device, &r).await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&staff, &id_of(&r)).await;
    assert_eq!(detail["report"]["routed_by"], "muell", "{detail}");
    assert_eq!(detail["report"]["department"], "tbz");
    assert_eq!(detail["report"]["priority"], "normal");

    // The dry run of the stored report tells why the city-centre rule did not apply.
    let dry = app.dry_run(&staff, &json!({"report_id": id_of(&r)})).await.expect(200);
    assert_eq!(dry["areas"], json!(["muerwik"]), "{dry}");
    assert_eq!(dry["evaluation"]["matched"], "muell");
    assert_explained_miss(&dry["evaluation"], "muell-innenstadt");
    let entry = trace_of(&dry["evaluation"], "muell-innenstadt");
    let area = entry["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["condition"]["type"] == "area"))
        .expect("area condition");
    assert_eq!(area["holds"], false, "{entry}");
}

#[tokio::test]
async fn dry_run_explains_every_earlier_rule_that_did_not_match() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let dry = app
        .dry_run(
            &staff,
            &json!({"sample": {"category": "schlagloch",
                               "answers": {"gefahr_akut": false, "strassenart": "gemeindestrasse"},
                               "location": {"lat": MUERWIK.0, "lon": MUERWIK.1}}}),
        )
        .await
        .expect(200);
    let evaluation = &dry["evaluation"];
    assert_eq!(evaluation["matched"], "strasse");
    let rules: Vec<&str> = evaluation["trace"]
        .as_array()
        .expect("trace")
        .iter()
        .filter_map(|e| e["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "landes-bundesstrasse",
            "autobahn",
            "gefahr-ausserhalb-dienstzeit",
            "gefahr-strasse",
            "strasse"
        ],
        "the trace stops at the first match"
    );
    for rule in &rules[..4] {
        assert_explained_miss(evaluation, rule);
    }
    assert_eq!(trace_of(evaluation, "strasse")["matched"], true);
}

#[tokio::test]
async fn dry_run_with_an_invalid_sample_is_422_like_intake() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let sample = json!({"sample": {"category": "schlagloch", "answers": {},
                                   "location": {"lat": MUERWIK.0, "lon": MUERWIK.1}}});
    app.dry_run(&staff, &sample)
        .await
        .expect_field_error("answers.gefahr_akut", "required");
    app.dry_run(&staff, &json!({}))
        .await
        .expect_field_error("report_id", "give_report_id_or_sample");
}

#[tokio::test]
async fn dry_run_tries_unsaved_rules_without_storing_them() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let stored_before = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    let unsaved = json!([
        {"id": "alles-gruen", "name": "Probe: alles an Grünflächen", "conditions": [],
         "action": {"department": "gruenflaechen", "priority": "low"}}
    ]);
    let mut body = acute_pothole_at(TUESDAY_10_BERLIN);
    body["rules"] = unsaved;
    let dry = app.dry_run(&admin, &body).await.expect(200);
    assert_eq!(dry["evaluation"]["matched"], "alles-gruen", "{dry}");
    assert_eq!(dry["evaluation"]["action"]["department"], "gruenflaechen");
    assert_eq!(dry["evaluation"]["trace"].as_array().map(Vec::len), Some(1));

    let stored_after = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(stored_after, stored_before, "a dry run stores nothing");
    // Intake still routes by the stored rules.
    let Submitted { id, .. } = app.submitted_pothole().await;
    assert_eq!(app.detail(&admin, &id).await["report"]["routed_by"], "strasse");
}

#[tokio::test]
async fn rules_with_a_broken_reference_are_refused_and_the_stored_rules_stay() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let before = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(before.as_array().map(Vec::len), Some(10));

    let mut broken = before.clone();
    broken[4]["action"]["department"] = json!("gibtsnicht");
    broken[6]["conditions"][1]["areas"] = json!(["atlantis"]);
    let body = app
        .put("/api/v1/staff/config/rules", Some(&admin.token), &broken)
        .await
        .expect_field_error("rules.strasse.action", "unknown_department:gibtsnicht");
    assert!(
        crate::helpers::has_detail(&body, "rules.muell-innenstadt.conditions", "unknown_area:atlantis"),
        "{body}"
    );

    let after = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    assert_eq!(after, before, "the stored rules are unchanged");
    let Submitted { id, .. } = app.submitted_pothole().await;
    assert_eq!(app.detail(&admin, &id).await["report"]["department"], "tiefbau");
}

#[tokio::test]
async fn patch_with_reroute_after_recategorising_routes_again_and_audits_it() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { id, .. } = app.submitted_pothole().await;
    assert_eq!(app.detail(&staff, &id).await["report"]["department"], "tiefbau");

    let updated = app
        .patch(
            &format!("/api/v1/staff/reports/{id}"),
            Some(&staff.token),
            &json!({"category": "papierkorb", "reroute": true}),
        )
        .await
        .expect(200);
    assert_eq!(updated["category"], "papierkorb");
    assert_eq!(updated["department"], "tbz");
    assert_eq!(updated["routed_by"], "muell");
    assert_eq!(
        updated["answers"],
        json!({}),
        "answers papierkorb does not ask are dropped"
    );

    let detail = app.detail(&staff, &id).await;
    assert_eq!(detail["report"], updated);
    let audit = detail["audit"].as_array().expect("audit");
    let by_staff: Vec<&Value> = audit.iter().filter(|e| e["actor"]["kind"] == "staff").collect();
    let find = |t: &str| {
        by_staff
            .iter()
            .find(|e| e["action"]["type"] == t)
            .unwrap_or_else(|| panic!("no {t} entry by staff: {audit:?}"))
    };
    let recat = find("recategorised");
    assert_eq!(recat["action"]["from"], "schlagloch");
    assert_eq!(recat["action"]["to"], "papierkorb");
    assert_eq!(find("routed")["action"]["rule"], "muell");
    let assigned = find("assigned");
    assert_eq!(assigned["action"]["from_department"], "tiefbau");
    assert_eq!(assigned["action"]["to_department"], "tbz");
    for e in &by_staff {
        assert_eq!(e["actor"]["name"], staff.name.as_str());
        assert_eq!(e["actor"]["user"], staff.id.as_str());
    }
}

#[tokio::test]
async fn public_config_version_changes_when_the_rules_or_categories_change() {
    let app = spawn_app().await;
    let admin = app.login(FLENSBURG, "admin").await;
    let path = format!("/api/v1/municipalities/{FLENSBURG}/config");
    let v1 = app.get(&path, None).await.expect(200)["version"].clone();
    let kiel_path = format!("/api/v1/municipalities/{}/config", crate::helpers::KIEL);
    let kiel_version = app.get(&kiel_path, None).await.expect(200)["version"].clone();

    let rules = app
        .get("/api/v1/staff/config/rules", Some(&admin.token))
        .await
        .expect(200);
    app.put("/api/v1/staff/config/rules", Some(&admin.token), &rules)
        .await
        .expect(200);
    let v2 = app.get(&path, None).await.expect(200)["version"].clone();
    assert_ne!(v2, v1, "rules changed");

    let mut tree = app
        .get("/api/v1/staff/config/categories", Some(&admin.token))
        .await
        .expect(200);
    tree["categories"][0]["de"] = json!("Straßen und Wege");
    app.put("/api/v1/staff/config/categories", Some(&admin.token), &tree)
        .await
        .expect(200);
    let config = app.get(&path, None).await.expect(200);
    assert_ne!(config["version"], v2, "categories changed");
    assert_eq!(config["categories"]["categories"][0]["de"], "Straßen und Wege");
    // Kiel's configuration is untouched.
    assert_eq!(app.get(&kiel_path, None).await.expect(200)["version"], kiel_version);
}
