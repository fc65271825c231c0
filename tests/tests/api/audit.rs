//! The audit trail: every transition, re-categorisation and re-assignment is recorded with
//! the staff member who made it, from and to, and the public comment.

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, Submitted, id_of, pothole, spawn_app};

fn entries<'a>(audit: &'a Value, kind: &str) -> Vec<&'a Value> {
    audit
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == kind)
        .collect()
}

#[tokio::test]
async fn every_change_by_staff_is_audited_with_actor_from_to_and_public_comment() {
    let app = spawn_app().await;
    app.rules_that_assign_nobody().await;
    let device = app.device().await;
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let admin = app.login(FLENSBURG, "admin").await;
    let field = app.login(FLENSBURG, "field").await;
    let r = pothole();
    let id = id_of(&r);
    app.submit_ok(&device, &r).await;

    // Intake: created by the citizen's device, routed by the system.
    let audit = app.detail(&dispatcher, &id).await["audit"].clone();
    let created = entries(&audit, "created");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["actor"]["kind"], "citizen");
    assert_eq!(created[0]["actor"]["device"], device.id.as_str());
    assert_eq!(created[0]["action"]["channel"], "app");
    assert_eq!(entries(&audit, "routed")[0]["actor"]["kind"], "system");

    // Re-assignment to a department and a person (moves received → assigned).
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&dispatcher.token),
        &json!({"department": "tiefbau", "assignee": field.id}),
    )
    .await
    .expect(200);
    // Re-categorisation by someone else.
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&admin.token),
        &json!({"category": "gehweg"}),
    )
    .await
    .expect(200);
    // Transitions, each with a comment for the citizen.
    let steps = [
        (&field, "in_progress", "Wir sind vor Ort."),
        (&field, "resolved", "Das Loch ist verfüllt."),
        (
            &dispatcher,
            "in_progress",
            "Wieder geöffnet: Der Belag hat sich gesetzt.",
        ),
        (&field, "resolved", "Neu asphaltiert."),
        (&admin, "closed", ""),
    ];
    for (who, to, comment) in steps {
        app.transition(who, &id, &json!({"to": to, "public_comment": comment}))
            .await
            .expect(200);
    }

    let detail = app.detail(&dispatcher, &id).await;
    let audit = &detail["audit"];

    let assigned = entries(audit, "assigned");
    assert_eq!(assigned.len(), 1, "{audit}");
    let a = assigned[0];
    assert_eq!(a["actor"]["kind"], "staff");
    assert_eq!(a["actor"]["name"], dispatcher.name.as_str());
    assert_eq!(a["actor"]["user"], dispatcher.id.as_str());
    assert_eq!(a["action"]["from_department"], Value::Null);
    assert_eq!(a["action"]["to_department"], "tiefbau");
    assert_eq!(a["action"]["from_user"], Value::Null);
    assert_eq!(a["action"]["to_user"], field.id.as_str());

    let recat = entries(audit, "recategorised");
    assert_eq!(recat.len(), 1, "{audit}");
    assert_eq!(recat[0]["actor"]["name"], admin.name.as_str());
    assert_eq!(recat[0]["action"]["from"], "schlagloch");
    assert_eq!(recat[0]["action"]["to"], "gehweg");

    let status: Vec<(&str, &str, &str, Value)> = entries(audit, "status_changed")
        .into_iter()
        .map(|e| {
            (
                e["actor"]["name"].as_str().unwrap_or("-"),
                e["action"]["from"].as_str().unwrap(),
                e["action"]["to"].as_str().unwrap(),
                e["public_comment"].clone(),
            )
        })
        .collect();
    assert_eq!(
        status,
        vec![
            (dispatcher.name.as_str(), "received", "assigned", Value::Null),
            (
                field.name.as_str(),
                "assigned",
                "in_progress",
                json!("Wir sind vor Ort.")
            ),
            (
                field.name.as_str(),
                "in_progress",
                "resolved",
                json!("Das Loch ist verfüllt.")
            ),
            (
                dispatcher.name.as_str(),
                "resolved",
                "in_progress",
                json!("Wieder geöffnet: Der Belag hat sich gesetzt.")
            ),
            (
                field.name.as_str(),
                "in_progress",
                "resolved",
                json!("Neu asphaltiert.")
            ),
            (admin.name.as_str(), "resolved", "closed", Value::Null),
        ],
        "{audit}"
    );
    // Oldest first. Compared as instants: the API writes RFC 3339 with as many fraction
    // digits as needed ("…03.120Z" is earlier than "…03.120500Z" but sorts after it as text).
    let times: Vec<chrono::DateTime<chrono::Utc>> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "the audit trail is in order");

    // The citizen sees the status history with the public comments, and no one's name.
    let citizen = app.citizen_view(&device, &id).await;
    let comments: Vec<Value> = citizen["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["comment"].clone())
        .collect();
    assert!(comments.contains(&json!("Das Loch ist verfüllt.")), "{citizen}");
    let text = citizen.to_string();
    for name in [&dispatcher.name, &admin.name, &field.name] {
        assert!(!text.contains(name.as_str()), "{name} leaked to the citizen");
    }
}

#[tokio::test]
async fn priority_and_due_date_changes_are_audited() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { id, .. } = app.submitted_pothole().await;
    app.patch(
        &format!("/api/v1/staff/reports/{id}"),
        Some(&staff.token),
        &json!({"priority": "high", "due_at": "2030-01-01T12:00:00Z"}),
    )
    .await
    .expect(200);
    let audit = app.detail(&staff, &id).await["audit"].clone();
    let prio: Vec<&Value> = entries(&audit, "priority_changed")
        .into_iter()
        .filter(|e| e["actor"]["kind"] == "staff")
        .collect();
    assert_eq!(prio.len(), 1, "{audit}");
    assert_eq!(prio[0]["action"]["from"], "normal");
    assert_eq!(prio[0]["action"]["to"], "high");
    let due: Vec<&Value> = entries(&audit, "due_changed")
        .into_iter()
        .filter(|e| e["actor"]["kind"] == "staff")
        .collect();
    assert_eq!(due.len(), 1, "{audit}");
    assert_eq!(due[0]["action"]["to"], "2030-01-01T12:00:00Z");
    assert_eq!(due[0]["actor"]["name"], staff.name.as_str());
}
