//! A citizen reports offline; the report arrives once, is routed, answered and resolved
//! by a field worker who worked offline on site; the citizen sees all of it.

use serde_json::json;

use crate::support::{Cli, write_jpeg};
use augenmerk_tests::{FLENSBURG, PASSWORD, Server, Staff};

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_report_arrives_once_is_routed_answered_and_resolved_in_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let citizen = Cli::new(dir.path().join("citizen"), &server.url);
    // First contact while online: registers the device and caches the configuration.
    citizen.ok(&["sync"]);
    server.kill();

    // Offline: the report is checked and queued.
    let photo = write_jpeg(&dir.path().join("loch.jpg"), 640, 480, 1);
    let id = citizen.report_pothole(&[&photo], "Tiefes Loch vor Hausnummer 12");
    let listed = citizen.list();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["sync_state"], "queued");
    assert!(listed[0]["status"].is_null());

    // A sync without a server fails, says why, and keeps the report.
    let err = citizen.fails(&["sync"]);
    assert!(err.contains("network"), "{err}");
    let listed = citizen.list();
    assert_eq!(listed[0]["sync_state"], "queued");
    assert!(listed[0]["last_error"].as_str().is_some_and(|e| e.contains("network")));

    // The server comes back: the report arrives, once, even if we sync twice.
    let mut server = Server::client_on(&server_dir, port);
    citizen.ok(&["sync"]);
    citizen.ok(&["sync"]);
    let listed = citizen.list();
    assert_eq!(listed[0]["sync_state"], "sent");
    assert_eq!(listed[0]["status"], "assigned");
    assert!(listed[0]["last_error"].is_null());

    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    assert_eq!(dispatcher.all_report_ids().await, vec![id.clone()]);
    let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
    assert_eq!(
        detail["report"]["department"], "tiefbau",
        "routed by the rules: {detail}"
    );
    assert_eq!(detail["report"]["routed_by"], "strasse");
    assert_eq!(detail["report"]["photos"].as_array().map(Vec::len), Some(1));

    // The municipality writes; the citizen gets it with the next sync.
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/messages"),
            json!({"body": "Danke, der Bauhof schaut es sich an."}),
        )
        .await;
    citizen.ok(&["sync"]);
    let shown = citizen.json(&["show", &id]);
    assert!(
        shown["messages"].as_array().is_some_and(|m| m
            .iter()
            .any(|m| m["body"] == "Danke, der Bauhof schaut es sich an." && m["author"] == "municipality")),
        "{shown}"
    );
    assert_eq!(shown["unseen"], true, "news are marked until looked at");
    assert_eq!(citizen.list()[0]["unseen"], false, "`show` marks the report as seen");

    // The field worker pulls the case while in the office...
    let field = Cli::new(dir.path().join("field"), &server.url);
    let me = field.run_with_stdin(
        &["--json", "login", "--municipality", FLENSBURG, "--user", "field"],
        &format!("{PASSWORD}\n"),
    );
    assert!(me.status.success(), "{}", String::from_utf8_lossy(&me.stderr));
    field.ok(&["sync"]);
    let cases = field.json(&["cases"]);
    assert_eq!(cases.as_array().map(Vec::len), Some(1), "{cases}");
    assert_eq!(cases[0]["id"], id.as_str());
    let case = field.json(&["cases", "--id", &id]);
    let photo_hash = case["detail"]["report"]["photos"][0]
        .as_str()
        .expect("photo")
        .to_owned();
    assert!(
        field.data.join("photos").join(format!("{photo_hash}.jpg")).exists(),
        "the case's photos are on the device for offline use"
    );

    // ...and works on site without network.
    server.kill();
    let done = write_jpeg(&dir.path().join("fertig.jpg"), 640, 480, 2);
    field.json(&["transition", &id, "in_progress"]);
    field.json(&[
        "transition",
        &id,
        "resolved",
        "--comment",
        "Loch verfüllt.",
        "--photo",
        done.to_str().expect("path"),
    ]);
    field.json(&["note", &id, "Kaltasphalt verwendet, zwei Sack"]);
    field.json(&["message", &id, "Erledigt, danke für den Hinweis!"]);
    assert_eq!(field.json(&["cases"])[0]["local_status"], "resolved");
    field.fails(&["sync"]);
    let actions = field.json(&["actions"]);
    assert!(
        actions
            .as_array()
            .is_some_and(|a| a.len() == 4 && a.iter().all(|a| a["state"] == "pending"))
    );

    let mut server = Server::client_on(&server_dir, port);
    field.ok(&["sync"]);
    field.ok(&["sync"]);
    let actions = field.json(&["actions"]);
    assert!(
        actions
            .as_array()
            .is_some_and(|a| a.iter().all(|a| a["state"] == "done")),
        "{actions}"
    );

    // The citizen sees "resolved" with the comment and the completion photo, and never the note.
    citizen.ok(&["sync"]);
    assert_eq!(citizen.list()[0]["status"], "resolved");
    let shown = citizen.json(&["show", &id]);
    let history = shown["history"].as_array().cloned().expect("history");
    let resolved: Vec<_> = history.iter().filter(|h| h["to"] == "resolved").collect();
    assert_eq!(resolved.len(), 1, "{shown}");
    assert_eq!(resolved[0]["comment"], "Loch verfüllt.");
    assert_eq!(resolved[0]["photos"].as_array().map(Vec::len), Some(1));
    assert!(
        !shown.to_string().contains("Kaltasphalt"),
        "internal notes never reach the citizen"
    );
    assert!(
        shown["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["body"] == "Erledigt, danke für den Hinweis!"))
    );

    // Exactly once on the server, too.
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
    assert_eq!(detail["report"]["status"], "resolved");
    let notes = detail["notes"].as_array().cloned().unwrap_or_default();
    assert_eq!(notes.len(), 1, "{detail}");
    let resolutions = detail["audit"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["action"]["to"] == "resolved").count());
    assert_eq!(resolutions, Some(1));

    // The citizen answers; it arrives once.
    citizen.ok(&["reply", &id, "Super, vielen Dank!"]);
    citizen.ok(&["sync"]);
    citizen.ok(&["sync"]);
    let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
    let replies = detail["messages"]
        .as_array()
        .map(|m| m.iter().filter(|m| m["body"] == "Super, vielen Dank!").count());
    assert_eq!(replies, Some(1));
    server.kill();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_action_the_server_refuses_is_kept_as_a_conflict_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::client(&dir.path().join("server"));
    let citizen = Cli::new(dir.path().join("citizen"), &server.url);
    citizen.ok(&["sync"]);
    let id = citizen.report_pothole(&[], "Schlagloch am Radweg");
    citizen.ok(&["sync"]);

    let field = Cli::new(dir.path().join("field"), &server.url);
    let out = field.run_with_stdin(&["login", "--municipality", FLENSBURG, "--user", "field"], PASSWORD);
    assert!(out.status.success());
    field.ok(&["sync"]);
    // Offline on site, the worker starts the job...
    field.json(&["transition", &id, "in_progress"]);
    field.json(&["note", &id, "Vor Ort, Absperrung steht"]);
    // ...while the dispatcher rejects the report in the office.
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "rejected", "public_comment": "Privatgrund, bitte an den Eigentümer wenden."}),
        )
        .await;

    let summary = field.json(&["sync"]);
    assert_eq!(summary["actions_conflicted"], 1, "{summary}");
    assert_eq!(summary["actions_done"], 1, "the note is still welcome: {summary}");
    let actions = field.json(&["actions"]);
    let conflicted: Vec<_> = actions
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["state"] == "conflicted")
        .cloned()
        .collect();
    assert_eq!(conflicted.len(), 1, "{actions}");
    assert_eq!(conflicted[0]["action"]["kind"], "transition");
    let reason = conflicted[0]["error"].as_str().unwrap_or_default();
    assert!(
        reason.contains("409") && reason.contains("conflict"),
        "the server's reason is kept: {reason}"
    );
    // The case stays on the device while the conflict is shown, even though it left the worker's list.
    let cases = field.json(&["cases"]);
    assert_eq!(cases[0]["conflicts"], 1, "{cases}");
    assert_eq!(cases[0]["status"], "rejected");

    let action_id = conflicted[0]["id"].as_str().expect("id").to_owned();
    field.json(&["dismiss", &action_id]);
    field.ok(&["sync"]);
    assert_eq!(
        field.json(&["cases"]).as_array().map(Vec::len),
        Some(0),
        "a dismissed conflict lets the case go"
    );
    assert!(
        field.json(&["actions"]).as_array().is_some_and(|a| a
            .iter()
            .any(|a| a["id"] == action_id.as_str() && a["state"] == "dismissed")),
        "nothing is deleted"
    );
}
