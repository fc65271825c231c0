//! The public Open311 feed shows what the public policy allows and nothing more
//! (`augenmerk_domain::public::public_view`, shared with the native public views).
//!
//! Issue 25: the feed once published exact coordinates, the citizen's description and
//! address hint (names and phone numbers), the internal due date as
//! `expected_datetime`, and rejected reports; and the discovery echoed the `Host` header.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{FLENSBURG, TestApp, id_of, pothole, spawn_app};

const BASE: &str = "/open311/v2";

/// Where the public sees the pothole at (54.8101234, 9.4809876): the centre of its cell on
/// Flensburg's grid (the default 50 m).
fn grid_cell() -> augenmerk_domain::GeoPoint {
    let exact = augenmerk_domain::GeoPoint {
        lat: 54.810_123_4,
        lon: 9.480_987_6,
    };
    let cell = augenmerk_domain::public_map::snap_to_grid(exact, 50);
    assert!(exact.distance_m(&cell) > 1.0, "the cell centre is not the exact place");
    cell
}

/// A request of the feed in both formats: the JSON object and the XML `request`
/// element's children as (name, text) pairs.
struct Published {
    json: Value,
    xml: Vec<(String, String)>,
}

impl Published {
    fn xml_field(&self, name: &str) -> Option<&str> {
        self.xml.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    }
}

/// The requests of an Open311 answer in both formats, by id; the XML must be well-formed.
async fn feed(app: &TestApp, path_without_format: &str) -> Vec<(String, Published)> {
    let json = app
        .get(&format!("{path_without_format}.json?jurisdiction_id={FLENSBURG}"), None)
        .await;
    assert_eq!(json.status.as_u16(), 200, "{}", json.text());
    let json = json.json();
    let xml = app
        .get(&format!("{path_without_format}.xml?jurisdiction_id={FLENSBURG}"), None)
        .await;
    assert_eq!(xml.status.as_u16(), 200, "{}", xml.text());
    let text = xml.text();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {text}"));
    let xml_requests: Vec<Vec<(String, String)>> = doc
        .root_element()
        .children()
        .filter(|c| c.has_tag_name("request"))
        .map(|r| {
            r.children()
                .filter(|c| c.is_element())
                .map(|c| (c.tag_name().name().to_owned(), c.text().unwrap_or("").to_owned()))
                .collect()
        })
        .collect();
    let items = json.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), xml_requests.len(), "both formats list the same requests");
    items
        .into_iter()
        .zip(xml_requests)
        .map(|(json, xml)| {
            let id = json["service_request_id"].as_str().expect("id").to_owned();
            (id, Published { json, xml })
        })
        .collect()
}

#[tokio::test]
async fn the_open311_feed_publishes_only_what_the_public_policy_allows() {
    let app = spawn_app().await;
    let marker = Uuid::new_v4().simple().to_string();
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let citizen = app.device().await;

    // A pothole at an exact place, with a name and a phone number in its texts.
    let mut shown = pothole();
    shown["location"] = json!({"lat": 54.810_123_4, "lon": 9.480_987_6});
    shown["description"] = json!(format!("DESC-{marker} Herr Beispiel, Tel. 0461 999\n\tzweite Zeile"));
    shown["address_hint"] = json!(format!("HINT-{marker} Hinterhof"));
    let shown_id = id_of(&shown);
    app.submit_ok(&citizen, &shown).await;
    app.patch(
        &format!("/api/v1/staff/reports/{shown_id}"),
        Some(&dispatcher.token),
        &json!({"due_at": "2031-03-04T05:06:07Z"}),
    )
    .await
    .expect(200);
    app.transition(
        &dispatcher,
        &shown_id,
        &json!({"to": "in_progress", "public_comment": "Wir kümmern uns."}),
    )
    .await
    .expect(200);

    // Two the municipality turned down: rejected, and rejected then closed.
    let mut turned_down = Vec::new();
    for close in [false, true] {
        let r = pothole();
        let id = id_of(&r);
        app.submit_ok(&citizen, &r).await;
        app.transition(
            &dispatcher,
            &id,
            &json!({"to": "rejected", "public_comment": format!("REJECTED-{marker}")}),
        )
        .await
        .expect(200);
        if close {
            app.transition(&dispatcher, &id, &json!({"to": "closed"}))
                .await
                .expect(200);
        }
        turned_down.push(id);
    }

    let check = |requests: &[(String, Published)], publish_text: bool| {
        let ids: Vec<&str> = requests.iter().map(|(id, _)| id.as_str()).collect();
        for id in &turned_down {
            assert!(!ids.contains(&id.as_str()), "a rejected report is listed: {ids:?}");
        }
        let (_, p) = requests
            .iter()
            .find(|(id, _)| *id == shown_id)
            .expect("the pothole is listed");
        // On the municipality's grid (default 50 m), as the public map shows it: the one
        // publication policy, in both formats (issue 20: the feed once rounded to ~10 m).
        let cell = grid_cell();
        assert_eq!(p.json["lat"].as_f64(), Some(cell.lat), "{}", p.json);
        assert_eq!(p.json["long"].as_f64(), Some(cell.lon), "{}", p.json);
        assert_eq!(p.xml_field("lat").and_then(|v| v.parse().ok()), Some(cell.lat));
        assert_eq!(p.xml_field("long").and_then(|v| v.parse().ok()), Some(cell.lon));
        // No internal due date.
        assert!(p.json["expected_datetime"].is_null(), "{}", p.json);
        assert_eq!(p.xml_field("expected_datetime"), Some(""));
        assert_eq!(p.json["status_notes"], "Wir kümmern uns.");
        let text = format!("{} {:?}", p.json, p.xml);
        assert!(!text.contains("2031"), "{text}");
        assert!(!text.contains("54.810123") && !text.contains("54.8101,"), "{text}");
        if publish_text {
            let description = format!("DESC-{marker} Herr Beispiel, Tel. 0461 999\n\tzweite Zeile");
            assert_eq!(p.json["description"], description.as_str());
            assert_eq!(p.xml_field("description"), Some(description.as_str()));
            assert_eq!(p.json["address"], format!("HINT-{marker} Hinterhof").as_str());
        } else {
            assert!(!text.contains(&marker), "the citizen's text is not published: {text}");
            assert!(!text.contains("0461"), "{text}");
        }
    };

    // The list and the single request, both formats.
    check(&feed(&app, &format!("{BASE}/requests")).await, false);
    check(&feed(&app, &format!("{BASE}/requests/{shown_id}")).await, false);
    let closed = feed(&app, &format!("{BASE}/requests")).await;
    assert!(closed.iter().all(|(id, _)| !turned_down.contains(id)));
    // Turned down: not found, as if it did not exist, however it is asked for.
    for id in &turned_down {
        for format in ["json", "xml"] {
            for path in [
                format!("{BASE}/requests/{id}.{format}"),
                format!("{BASE}/tokens/{id}.{format}"),
            ] {
                assert_eq!(app.get(&path, None).await.status.as_u16(), 404, "{path}");
            }
            let picked = app
                .get(
                    &format!("{BASE}/requests.{format}?jurisdiction_id={FLENSBURG}&service_request_id={id}"),
                    None,
                )
                .await;
            assert!(!picked.text().contains(id.as_str()), "{}", picked.text());
            let closed_list = app
                .get(
                    &format!("{BASE}/requests.{format}?jurisdiction_id={FLENSBURG}&status=closed"),
                    None,
                )
                .await;
            assert!(!closed_list.text().contains(id.as_str()), "{}", closed_list.text());
        }
    }
    // The update history: the pothole's public changes, none of the turned-down reports.
    for format in ["json", "xml"] {
        let updates = app
            .get(
                &format!("{BASE}/servicerequestupdates.{format}?jurisdiction_id={FLENSBURG}"),
                None,
            )
            .await;
        assert_eq!(updates.status.as_u16(), 200);
        let text = updates.text();
        assert!(text.contains(&shown_id), "{text}");
        assert!(!text.contains(&marker), "{text}");
        for id in &turned_down {
            assert!(!text.contains(id.as_str()), "{text}");
        }
        if format == "xml" {
            roxmltree::Document::parse(&text).expect("well-formed XML");
        }
    }

    // A native public view of the same report (a device following it) shows the same place.
    let follower = app.device().await;
    let followed = app
        .put(
            &format!("/api/v1/reports/{shown_id}/follow"),
            Some(&follower.token),
            &json!({}),
        )
        .await;
    assert!(followed.status.is_success(), "{}", followed.text());
    let followed = followed.json();
    let cell = grid_cell();
    assert_eq!(followed["location"], json!({"lat": cell.lat, "lon": cell.lon}));
    assert!(!followed.to_string().contains(&marker), "{followed}");

    // The municipality decides to publish the citizens' texts: now they are shown.
    assert!(!app.publish_text(FLENSBURG).await, "off by default");
    check(&feed(&app, &format!("{BASE}/requests")).await, true);
    check(&feed(&app, &format!("{BASE}/requests/{shown_id}")).await, true);

    // Staff mark the report exact (as for a street lamp): the feed, like the public map,
    // shows the place itself.
    app.put(
        &format!("/api/v1/staff/reports/{shown_id}/publication"),
        Some(&dispatcher.token),
        &json!({"exact": true, "approved": false}),
    )
    .await
    .expect(200);
    let exact = feed(&app, &format!("{BASE}/requests/{shown_id}")).await;
    let (_, p) = exact.first().expect("the pothole");
    assert_eq!(p.json["lat"].as_f64(), Some(54.810_123_4), "{}", p.json);
    assert_eq!(p.json["long"].as_f64(), Some(9.480_987_6), "{}", p.json);
}

#[tokio::test]
async fn the_open311_discovery_names_the_configured_url_not_the_host_header() {
    let app = spawn_app().await;
    for format in ["json", "xml"] {
        let request = app
            .request(Method::GET, &format!("{BASE}/discovery.{format}"), None)
            .header("Host", "evil.example:666");
        let reply = app.send(request).await;
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
        let text = reply.text();
        assert!(!text.contains("evil.example"), "{text}");
        assert!(text.contains(&format!("{}/open311/v2", app.address)), "{text}");
    }
    let configured =
        crate::helpers::spawn_app_with(|s| s.public_url = Some("https://maengel.example.de/".into())).await;
    let d = configured
        .get(&format!("{BASE}/discovery.json"), None)
        .await
        .expect(200);
    assert_eq!(d["endpoints"][0]["url"], "https://maengel.example.de/open311/v2");
}
