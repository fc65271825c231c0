//! Open311 GeoReport v2: every endpoint in both formats, the filters, the token flow, the
//! error cases with their statuses, UTF-8, several municipalities, and no leaks.

use serde_json::{Value, json};

use crate::helpers::{
    FLENSBURG, KIEL, KIEL_RATHAUS, MUERWIK, Reply, Submitted, TestApp, form_encode, id_of, pothole, spawn_app,
};

const BASE: &str = "/open311/v2";

/// A form-encoded POST.
async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
    let body: String = form_encode(fields);
    app.send(
        app.request(reqwest::Method::POST, path, None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

/// Parses an XML answer with a real parser and checks its declaration and content type.
fn xml(reply: &Reply, status: u16) -> roxmltree::Document<'static> {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text());
    let ct = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/xml") && ct.contains("utf-8"), "{ct}");
    let text: &'static str = Box::leak(reply.text().into_boxed_str());
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not XML ({e}): {text}"))
}

fn json_of(reply: &Reply, status: u16) -> Value {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text());
    let ct = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("application/json"), "{ct}");
    reply.json()
}

fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text())
}

/// Asserts the spec's error format in both formats.
async fn assert_error(app: &TestApp, path_without_format: &str, status: u16, fields: Option<&[(&str, &str)]>) {
    for format in ["json", "xml"] {
        let path = path_without_format.replace("{fmt}", format);
        let reply = match fields {
            Some(f) => post_form(app, &path, f).await,
            None => app.get(&path, None).await,
        };
        if format == "json" {
            let body = json_of(&reply, status);
            assert_eq!(body[0]["code"], status, "{body}");
            assert!(body[0]["description"].as_str().is_some_and(|d| !d.is_empty()));
        } else {
            let doc = xml(&reply, status);
            let root = doc.root_element();
            assert!(root.has_tag_name("errors"));
            let error = root
                .children()
                .find(|c| c.has_tag_name("error"))
                .expect("error element");
            assert_eq!(child_text(error, "code"), Some(status.to_string().as_str()));
            assert!(child_text(error, "description").is_some_and(|d| !d.is_empty()));
        }
    }
}

fn pothole_form<'a>(key: &'a str, lat: &'a str, lon: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("service_code", "schlagloch"),
        ("lat", lat),
        ("long", lon),
        ("attribute[gefahr_akut]", "false"),
        ("attribute[strassenart]", "gemeindestrasse"),
        ("description", description),
        ("email", "buerger@example.org"),
        ("first_name", "Erika"),
        ("last_name", "Mustermann"),
        ("phone", "+49 461 000000"),
    ]
}

#[tokio::test]
async fn discovery_services_and_definitions_in_both_formats() {
    let app = spawn_app().await;
    let d = json_of(&app.get(&format!("{BASE}/discovery.json"), None).await, 200);
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(d["endpoints"][0]["formats"], json!(["text/xml", "application/json"]));
    let doc = xml(&app.get(&format!("{BASE}/discovery.xml"), None).await, 200);
    assert!(doc.root_element().has_tag_name("discovery"));
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("format")).count(), 2);

    // Several municipalities: the jurisdiction is required, and must exist.
    assert_error(&app, &format!("{BASE}/services.{{fmt}}"), 400, None).await;
    assert_error(
        &app,
        &format!("{BASE}/services.{{fmt}}?jurisdiction_id=01003000"),
        404,
        None,
    )
    .await;
    assert_error(
        &app,
        &format!("{BASE}/services.{{fmt}}?jurisdiction_id=kaputt"),
        404,
        None,
    )
    .await;

    let services = json_of(
        &app.get(&format!("{BASE}/services.json?jurisdiction_id={FLENSBURG}"), None)
            .await,
        200,
    );
    let list = services.as_array().expect("array");
    let pothole = list
        .iter()
        .find(|s| s["service_code"] == "schlagloch")
        .expect("schlagloch");
    assert_eq!(pothole["service_name"], "Schlagloch / Fahrbahnschaden");
    assert_eq!(pothole["group"], "Straßen, Wege & Plätze");
    assert_eq!(pothole["metadata"], true);
    assert_eq!(pothole["type"], "realtime");
    assert!(
        list.iter().all(|s| s["service_code"] != "strasse"),
        "groups are not services"
    );
    let doc = xml(
        &app.get(&format!("{BASE}/services.xml?jurisdiction_id={FLENSBURG}"), None)
            .await,
        200,
    );
    let xml_services: Vec<_> = doc
        .root_element()
        .children()
        .filter(|c| c.has_tag_name("service"))
        .collect();
    assert_eq!(xml_services.len(), list.len());
    let x = xml_services
        .iter()
        .find(|s| child_text(**s, "service_code") == Some("schlagloch"))
        .expect("schlagloch in XML");
    assert_eq!(child_text(*x, "group"), Some("Straßen, Wege & Plätze"));

    let def = json_of(
        &app.get(
            &format!("{BASE}/services/schlagloch.json?jurisdiction_id={FLENSBURG}"),
            None,
        )
        .await,
        200,
    );
    assert_eq!(def["service_code"], "schlagloch");
    let attrs = def["attributes"].as_array().expect("attributes");
    let danger = attrs
        .iter()
        .find(|a| a["code"] == "gefahr_akut")
        .expect("inherited question");
    assert_eq!(danger["required"], true);
    assert_eq!(danger["datatype"], "singlevaluelist");
    assert_eq!(danger["values"][0]["key"], "true");
    let size = attrs.iter().find(|a| a["code"] == "groesse").expect("groesse");
    assert_eq!(size["datatype"], "singlevaluelist");
    assert!(
        size["values"]
            .as_array()
            .is_some_and(|v| v.iter().any(|v| v["key"] == "gt50"))
    );
    let count = attrs.iter().find(|a| a["code"] == "anzahl").expect("anzahl");
    assert_eq!(count["datatype"], "number");
    let orders: Vec<u64> = attrs.iter().filter_map(|a| a["order"].as_u64()).collect();
    assert_eq!(orders, (1..=attrs.len() as u64).collect::<Vec<_>>());
    let doc = xml(
        &app.get(
            &format!("{BASE}/services/schlagloch.xml?jurisdiction_id={FLENSBURG}"),
            None,
        )
        .await,
        200,
    );
    assert!(doc.root_element().has_tag_name("service_definition"));
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("attribute")).count(),
        attrs.len()
    );

    assert_error(
        &app,
        &format!("{BASE}/services/gibtsnicht.{{fmt}}?jurisdiction_id={FLENSBURG}"),
        404,
        None,
    )
    .await;
    assert_error(
        &app,
        &format!("{BASE}/services/strasse.{{fmt}}?jurisdiction_id={FLENSBURG}"),
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn posting_needs_a_key_of_the_municipality_and_complete_valid_input() {
    let app = spawn_app().await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let kiel_key = app.open311_key(KIEL, &[]).await;
    let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
    let url = format!("{BASE}/requests.{{fmt}}");

    let mut no_key = pothole_form("", &lat, &lon, "Loch");
    no_key.retain(|(k, _)| *k != "api_key");
    assert_error(&app, &url, 403, Some(&no_key)).await;
    assert_error(&app, &url, 403, Some(&pothole_form("falsch", &lat, &lon, "Loch"))).await;
    assert_error(&app, &url, 403, Some(&pothole_form(&kiel_key, &lat, &lon, "Loch"))).await;

    let mut no_code = pothole_form(&key, &lat, &lon, "Loch");
    no_code.retain(|(k, _)| *k != "service_code");
    assert_error(&app, &url, 400, Some(&no_code)).await;
    let mut no_place = pothole_form(&key, &lat, &lon, "Loch");
    no_place.retain(|(k, _)| *k != "lat" && *k != "long");
    assert_error(&app, &url, 400, Some(&no_place)).await;
    no_place.push(("address_string", "Südermarkt 1"));
    assert_error(&app, &url, 400, Some(&no_place)).await;
    assert_error(&app, &url, 400, Some(&pothole_form(&key, "91", &lon, "Loch"))).await;
    assert_error(
        &app,
        &url,
        400,
        Some(&pothole_form(&key, "55.0", "9.5", "Loch in Dänemark")),
    )
    .await;
    let mut missing = pothole_form(&key, &lat, &lon, "Loch");
    missing.retain(|(k, _)| *k != "attribute[gefahr_akut]");
    let body = json_of(&post_form(&app, &format!("{BASE}/requests.json"), &missing).await, 400);
    assert!(
        body[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("attribute[gefahr_akut]")),
        "{body}"
    );
    let mut unknown = pothole_form(&key, &lat, &lon, "Loch");
    unknown[1] = ("service_code", "gibtsnicht");
    assert_error(&app, &url, 404, Some(&unknown)).await;
    let long = "x".repeat(4_001);
    assert_error(&app, &url, 400, Some(&pothole_form(&key, &lat, &lon, &long))).await;
    let with_jurisdiction: Vec<_> = pothole_form(&key, &lat, &lon, "Loch")
        .into_iter()
        .chain([("jurisdiction_id", "01003000")])
        .collect();
    assert_error(&app, &url, 404, Some(&with_jurisdiction)).await;

    // Nothing of that was stored.
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    assert_eq!(app.inbox_total(&dispatcher).await, 0);
}

#[tokio::test]
async fn a_posted_request_goes_through_intake_and_reads_back_in_both_formats_with_utf8_intact() {
    let app = spawn_app().await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
    let text = "Schlagloch vor der Bäckerei „Süß“ – Größe ~30 cm.\nZweite Zeile: Straße gesperrt?";
    let posted = json_of(
        &post_form(
            &app,
            &format!("{BASE}/requests.json"),
            &pothole_form(&key, &lat, &lon, text),
        )
        .await,
        200,
    );
    let id = posted[0]["service_request_id"].as_str().expect("id").to_owned();

    // Same intake, rules and process as native reports.
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let detail = app.detail(&dispatcher, &id).await;
    assert_eq!(detail["report"]["channel"], "open311");
    assert_eq!(detail["report"]["department"], "tiefbau");
    assert_eq!(detail["report"]["description"], text);
    assert_eq!(detail["report"]["answers"]["gefahr_akut"], false);

    // The citizen's text is public only where the municipality publishes it (see
    // `public_policy.rs`); this one does, to show the text arrives intact.
    app.publish_text(FLENSBURG).await;

    let one = json_of(&app.get(&format!("{BASE}/requests/{id}.json"), None).await, 200);
    assert_eq!(one[0]["service_request_id"], id.as_str());
    assert_eq!(one[0]["description"], text);
    assert_eq!(one[0]["status"], "open");
    assert_eq!(one[0]["service_code"], "schlagloch");
    assert_eq!(one[0]["agency_responsible"], "Tiefbau");
    let requested = one[0]["requested_datetime"].as_str().expect("datetime");
    assert!(chrono_like_w3c(requested), "{requested}");
    let doc = xml(&app.get(&format!("{BASE}/requests/{id}.xml"), None).await, 200);
    let request = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("request"))
        .expect("request");
    assert_eq!(child_text(request, "description"), Some(text));
    // The position as every public view shows it: on the municipality's grid (50 m).
    let cell = augenmerk_domain::public_map::snap_to_grid(
        augenmerk_domain::GeoPoint {
            lat: MUERWIK.0,
            lon: MUERWIK.1,
        },
        50,
    );
    assert_eq!(
        child_text(request, "lat").and_then(|v| v.parse::<f64>().ok()),
        Some(cell.lat),
        "posted at {lat}"
    );

    let token = json_of(&app.get(&format!("{BASE}/tokens/{id}.json"), None).await, 200);
    assert_eq!(token[0]["service_request_id"], id.as_str());
    let doc = xml(&app.get(&format!("{BASE}/tokens/{id}.xml"), None).await, 200);
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("service_request_id") && n.text() == Some(id.as_str()))
    );
    assert_error(
        &app,
        &format!("{BASE}/tokens/{}.{{fmt}}", uuid::Uuid::new_v4()),
        404,
        None,
    )
    .await;
    assert_error(
        &app,
        &format!("{BASE}/requests/{}.{{fmt}}", uuid::Uuid::new_v4()),
        404,
        None,
    )
    .await;
    assert_error(&app, &format!("{BASE}/requests/kein-id.{{fmt}}"), 404, None).await;

    // Contact data is kept for the municipality but never published.
    for format in ["json", "xml"] {
        let all = app
            .get(&format!("{BASE}/requests.{format}?jurisdiction_id={FLENSBURG}"), None)
            .await
            .text();
        for secret in ["buerger@example.org", "Erika", "Mustermann", "+49 461"] {
            assert!(!all.contains(secret), "{secret} leaked in {format}");
        }
    }
}

fn chrono_like_w3c(s: &str) -> bool {
    // 2026-11-28T10:00:00+01:00: date, time and an explicit offset.
    s.len() == 25 && &s[10..11] == "T" && (s.ends_with(":00") && (s.contains('+') || s[19..].contains('-')))
}

#[tokio::test]
async fn the_request_list_filters_as_the_spec_says_and_keeps_municipalities_apart() {
    let app = spawn_app().await;
    app.rules_that_assign_nobody().await;
    let Submitted {
        device, report: first, ..
    } = app.submitted_pothole().await;
    let mut light = pothole();
    light["category"] = json!("leuchte_aus");
    light["answers"] = json!({"gefahr_akut": false});
    app.submit_ok(&device, &light).await;
    let second = pothole();
    app.submit_ok(&device, &second).await;
    let kiel = crate::helpers::report("schlagloch", json!({"gefahr_akut": false}), KIEL_RATHAUS);
    app.submit_ok(&device, &kiel).await;
    let (first, second, kiel, light) = (id_of(&first), id_of(&second), id_of(&kiel), id_of(&light));

    // The first one is resolved with a public comment and an internal note.
    let staff = app.login(FLENSBURG, "dispatcher").await;
    app.transition(
        &staff,
        &first,
        &json!({"to": "resolved", "public_comment": "Ausgebessert am Montag."}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{first}/notes"),
        Some(&staff.token),
        &json!({"body": "GEHEIM: Firma Müller beauftragt"}),
    )
    .await
    .expect(201);

    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["service_request_id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let list = |query: String| {
        let app = &app;
        async move {
            json_of(
                &app.get(
                    &format!("{BASE}/requests.json?jurisdiction_id={FLENSBURG}{query}"),
                    None,
                )
                .await,
                200,
            )
        }
    };

    let all = list(String::new()).await;
    let mut expected = vec![first.clone(), second.clone(), light.clone()];
    let mut got = ids(&all);
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "Flensburg only, newest 90 days");
    assert!(!ids(&all).contains(&kiel));

    let closed = list("&status=closed".into()).await;
    assert_eq!(ids(&closed), vec![first.clone()]);
    assert_eq!(closed[0]["status_notes"], "Ausgebessert am Montag.");
    let open = list("&status=open".into()).await;
    assert!(!ids(&open).contains(&first) && ids(&open).contains(&second));
    let both = list("&status=open,closed".into()).await;
    assert_eq!(ids(&both).len(), ids(&all).len());

    let potholes = list("&service_code=schlagloch".into()).await;
    assert_eq!(ids(&potholes).len(), 2);
    let mixed = list("&service_code=schlagloch,leuchte_aus".into()).await;
    assert_eq!(ids(&mixed).len(), 3);
    assert!(ids(&mixed).contains(&light));

    // service_request_id overrides every other filter.
    let picked = list(format!(
        "&service_request_id={first},{second}&status=open&service_code=gibtsnicht"
    ))
    .await;
    let mut picked = ids(&picked);
    picked.sort();
    let mut want = vec![first.clone(), second.clone()];
    want.sort();
    assert_eq!(picked, want);
    // Another municipality's request is not found through this jurisdiction.
    assert!(ids(&list(format!("&service_request_id={kiel}")).await).is_empty());
    assert_error(
        &app,
        &format!("{BASE}/requests/{kiel}.{{fmt}}?jurisdiction_id={FLENSBURG}"),
        404,
        None,
    )
    .await;

    let future = list("&start_date=2099-01-01T00:00:00%2B01:00".into()).await;
    assert!(ids(&future).is_empty());
    let past = list("&end_date=2000-01-01T00:00:00Z".into()).await;
    assert!(ids(&past).is_empty());
    let window = list("&start_date=2000-01-01T00:00:00Z&end_date=2099-01-01T00:00:00Z".into()).await;
    assert_eq!(ids(&window).len(), ids(&all).len());
    assert_error(
        &app,
        &format!("{BASE}/requests.{{fmt}}?jurisdiction_id={FLENSBURG}&start_date=gestern"),
        400,
        None,
    )
    .await;
    assert_error(
        &app,
        &format!("{BASE}/requests.{{fmt}}?jurisdiction_id={FLENSBURG}&status=halb"),
        400,
        None,
    )
    .await;

    // Paging extension.
    let page1 = list("&page_size=1&page=1".into()).await;
    let page2 = list("&page_size=1&page=2".into()).await;
    assert_eq!(ids(&page1).len(), 1);
    assert_eq!(ids(&page2).len(), 1);
    assert_ne!(ids(&page1), ids(&page2));

    // The XML list parses and has the same requests.
    let doc = xml(
        &app.get(&format!("{BASE}/requests.xml?jurisdiction_id={FLENSBURG}"), None)
            .await,
        200,
    );
    assert_eq!(
        doc.root_element()
            .children()
            .filter(|c| c.has_tag_name("request"))
            .count(),
        ids(&all).len()
    );

    // Internal notes and staff names never appear, in any endpoint or format.
    for format in ["json", "xml"] {
        for path in [
            format!("{BASE}/requests.{format}?jurisdiction_id={FLENSBURG}"),
            format!("{BASE}/requests/{first}.{format}"),
            format!("{BASE}/tokens/{first}.{format}"),
        ] {
            let text = app.get(&path, None).await.text();
            assert!(
                !text.contains("GEHEIM") && !text.contains("Leitstelle"),
                "{path}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn the_update_history_extension_lists_public_status_changes_by_time() {
    let app = spawn_app().await;
    let staff = app.login(FLENSBURG, "dispatcher").await;
    let Submitted { id, .. } = app.submitted_pothole().await;
    app.transition(
        &staff,
        &id,
        &json!({"to": "in_progress", "public_comment": "Wir schauen es uns an."}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{id}/notes"),
        Some(&staff.token),
        &json!({"body": "INTERN: nicht veröffentlichen"}),
    )
    .await
    .expect(201);
    let updates = json_of(
        &app.get(
            &format!("{BASE}/servicerequestupdates.json?jurisdiction_id={FLENSBURG}"),
            None,
        )
        .await,
        200,
    );
    let mine: Vec<&Value> = updates
        .as_array()
        .expect("array")
        .iter()
        .filter(|u| u["service_request_id"] == id.as_str())
        .collect();
    assert!(mine.len() >= 2, "received (and assigned) and in_progress: {updates}");
    let last = mine.last().expect("an update");
    assert_eq!(last["extended_status"], "in_progress");
    assert_eq!(last["status"], "open");
    assert_eq!(last["description"], "Wir schauen es uns an.");
    let doc = xml(
        &app.get(
            &format!("{BASE}/servicerequestupdates.xml?jurisdiction_id={FLENSBURG}"),
            None,
        )
        .await,
        200,
    );
    assert!(doc.root_element().has_tag_name("service_request_updates"));
    assert!(!doc.input_text().contains("INTERN"));
    let none = json_of(
        &app.get(
            &format!("{BASE}/servicerequestupdates.json?jurisdiction_id={FLENSBURG}&end_date=2000-01-01T00:00:00Z"),
            None,
        )
        .await,
        200,
    );
    assert_eq!(none, json!([]));
}
