//! Nothing internal reaches citizens or the public: a device walks every citizen and
//! public endpoint after staff of two municipalities wrote internal notes, messages and
//! comments, and no answer contains a note, a staff name or id, another citizen's
//! contact address, or anything of another citizen's or municipality's reports.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    Device, FLENSBURG, KIEL, KIEL_RATHAUS, MUERWIK, Reply, SUEDERMARKT, TestApp, id_of, png, report, sha256_hex,
    spawn_app,
};

/// Every answer a device got, with what it asked.
struct Walk<'a> {
    app: &'a TestApp,
    seen: Vec<(String, Reply)>,
}

impl Walk<'_> {
    async fn get(&mut self, path: &str, token: Option<&str>) -> &Reply {
        let reply = self.app.get(path, token).await;
        self.keep(format!("GET {path}"), reply)
    }

    async fn head(&mut self, path: &str, token: Option<&str>) -> &Reply {
        let reply = self.app.head(path, token).await;
        self.keep(format!("HEAD {path}"), reply)
    }

    async fn post(&mut self, path: &str, token: Option<&str>, body: &Value) -> &Reply {
        let reply = self.app.post(path, token, body).await;
        self.keep(format!("POST {path}"), reply)
    }

    fn keep(&mut self, what: String, reply: Reply) -> &Reply {
        self.seen.push((what, reply));
        &self.seen.last().expect("just pushed").1
    }
}

#[tokio::test]
async fn no_citizen_or_public_endpoint_leaks_notes_staff_or_other_tenants() {
    let app = spawn_app().await;
    let marker = Uuid::new_v4().simple().to_string();

    // Staff of both municipalities, so that every display name and id is known.
    let mut staff = Vec::new();
    for ags in [FLENSBURG, KIEL] {
        for user in ["admin", "dispatcher", "field"] {
            staff.push(app.login(ags, user).await);
        }
    }
    let (fl_dispatcher, fl_field, kiel_dispatcher) = (&staff[1], &staff[2], &staff[4]);

    // The walker's own report, with a photo.
    let walker = app.device().await;
    let photo = png(24, 16);
    let photo_hash = sha256_hex(&photo);
    app.put_blob(&walker.token, &photo_hash, photo).await.expect(201);
    let mut own = report("papierkorb", json!({}), SUEDERMARKT);
    own["photos"] = json!([photo_hash]);
    own["contact_email"] = json!(format!("walker-{marker}@example.org"));
    let own_id = id_of(&own);
    app.submit_ok(&walker, &own).await;

    // Another citizen in Flensburg, and one in Kiel with a photo of their own.
    let neighbour = app.device().await;
    let mut theirs = report("papierkorb", json!({}), MUERWIK);
    theirs["description"] = json!(format!("NEIGHBOUR-{marker} Müll im Hinterhof"));
    theirs["contact_email"] = json!(format!("neighbour-{marker}@example.org"));
    let theirs_id = id_of(&theirs);
    app.submit_ok(&neighbour, &theirs).await;

    let kieler = app.device().await;
    let kiel_photo = png(20, 20);
    let kiel_photo_hash = sha256_hex(&kiel_photo);
    app.put_blob(&kieler.token, &kiel_photo_hash, kiel_photo)
        .await
        .expect(201);
    let mut kiel = report("schlagloch", json!({"gefahr_akut": true}), KIEL_RATHAUS);
    kiel["description"] = json!(format!("KIEL-{marker} Loch am Rathaus"));
    kiel["contact_email"] = json!(format!("kieler-{marker}@example.org"));
    kiel["photos"] = json!([kiel_photo_hash]);
    let kiel_id = id_of(&kiel);
    assert_eq!(app.submit_ok(&kieler, &kiel).await["municipality"], KIEL);

    // Staff work on all three: notes, messages, assignment, transitions with comments.
    let note = format!("INTERNAL-NOTE-{marker}: Anwohner ist bekannt, Kennzeichen HH-AB 123");
    for id in [&own_id, &theirs_id] {
        app.post(
            &format!("/api/v1/staff/reports/{id}/notes"),
            Some(&fl_dispatcher.token),
            &json!({"body": note}),
        )
        .await
        .expect(201);
    }
    app.patch(
        &format!("/api/v1/staff/reports/{own_id}"),
        Some(&fl_dispatcher.token),
        &json!({"assignee": fl_field.id}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{own_id}/notes"),
        Some(&fl_field.token),
        &json!({"body": format!("FIELD-NOTE-{marker}")}),
    )
    .await
    .expect(201);
    app.transition(
        fl_field,
        &own_id,
        &json!({"to": "in_progress", "public_comment": "Wir sind unterwegs."}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/staff/reports/{own_id}/messages"),
        Some(&fl_dispatcher.token),
        &json!({"body": "Danke für Ihre Meldung."}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/staff/reports/{theirs_id}/messages"),
        Some(&fl_dispatcher.token),
        &json!({"body": format!("NEIGHBOUR-MESSAGE-{marker}")}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/staff/reports/{kiel_id}/notes"),
        Some(&kiel_dispatcher.token),
        &json!({"body": format!("KIEL-NOTE-{marker}")}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/staff/reports/{kiel_id}/messages"),
        Some(&kiel_dispatcher.token),
        &json!({"body": format!("KIEL-MESSAGE-{marker}")}),
    )
    .await
    .expect(201);

    // The walk.
    let mut walk = Walk {
        app: &app,
        seen: Vec::new(),
    };
    let token = Some(walker.token.as_str());
    walk.post("/api/v1/devices", None, &json!({"platform": "android"}))
        .await
        .expect(201);
    let list = walk.get("/api/v1/reports", token).await.expect(200);
    assert_eq!(
        list.as_array().map(|l| l.iter().map(id_of).collect::<Vec<_>>()),
        Some(vec![own_id.clone()]),
        "a device lists only its own reports"
    );
    let mine = walk.get(&format!("/api/v1/reports/{own_id}"), token).await.expect(200);
    assert_eq!(mine["status"], "in_progress");
    assert_eq!(mine["messages"][0]["author"], "municipality");
    for other in [&theirs_id, &kiel_id] {
        walk.get(&format!("/api/v1/reports/{other}"), token)
            .await
            .expect_error(404, "not_found");
        walk.post(
            &format!("/api/v1/reports/{other}/messages"),
            token,
            &json!({"body": "Hallo?"}),
        )
        .await
        .expect_error(404, "not_found");
    }
    walk.post(
        &format!("/api/v1/reports/{own_id}/messages"),
        token,
        &json!({"body": "Danke!"}),
    )
    .await
    .expect(201);
    walk.post("/api/v1/reports", token, &own).await.expect(200);

    // The change feed, whole and page by page.
    let whole = walk.get("/api/v1/sync", token).await.expect(200);
    assert_eq!(whole["more"], false);
    let all_changes = whole["changes"].as_array().cloned().unwrap_or_default();
    assert!(
        all_changes.len() >= 4,
        "received, assigned, in_progress, message: {whole}"
    );
    assert!(all_changes.iter().all(|c| c["report_id"] == own_id.as_str()), "{whole}");
    let mut paged = Vec::new();
    let mut cursor = 0;
    loop {
        let page = walk
            .get(&format!("/api/v1/sync?since={cursor}&limit=1"), token)
            .await
            .expect(200);
        let changes = page["changes"].as_array().cloned().unwrap_or_default();
        assert!(changes.len() <= 1, "{page}");
        let next = page["cursor"].as_i64().expect("cursor");
        if let Some(c) = changes.first() {
            assert_eq!(c["seq"].as_i64(), Some(next), "the cursor is the last seq: {page}");
            assert!(next > cursor, "cursors grow");
        }
        paged.extend(changes);
        cursor = next;
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(paged, all_changes, "paging yields the same feed");
    let tail = walk
        .get(&format!("/api/v1/sync?since={cursor}"), token)
        .await
        .expect(200);
    assert_eq!(tail["changes"], json!([]));
    assert_eq!(tail["cursor"].as_i64(), Some(cursor), "an empty page keeps the cursor");

    // Photos: its own, and the Kiel citizen's (which it may not download).
    let blob = walk.get(&format!("/api/v1/blobs/{photo_hash}"), token).await;
    assert_eq!(blob.status.as_u16(), 200);
    assert_eq!(blob.headers["content-type"], "image/png");
    walk.head(&format!("/api/v1/blobs/{photo_hash}"), token)
        .await
        .expect(200);
    walk.get(&format!("/api/v1/blobs/{kiel_photo_hash}"), token)
        .await
        .expect_error(404, "not_found");

    // Public endpoints.
    let municipalities = walk.get("/api/v1/municipalities", None).await.expect(200);
    let tenants = municipalities
        .as_array()
        .map(|l| l.iter().filter(|m| m["delivery"]["kind"] == "platform").count());
    assert_eq!(tenants, Some(3), "Flensburg, Kiel and Amt Langballig: {municipalities}");
    for ags in [FLENSBURG, KIEL] {
        let config = walk
            .get(&format!("/api/v1/municipalities/{ags}/config"), None)
            .await
            .expect(200);
        assert_eq!(config["ags"], ags);
    }
    for (lat, lon) in [SUEDERMARKT, KIEL_RATHAUS] {
        walk.get(&format!("/api/v1/responsibility?lat={lat}&lon={lon}"), None)
            .await
            .expect(200);
    }
    walk.get("/healthz", None).await.expect(200);
    let openapi = walk.get("/api/v1/openapi.json", None).await.expect(200);
    assert!(openapi["paths"]["/api/v1/reports"].is_object());
    // Staff endpoints refuse a device token and say nothing more.
    for path in [
        "/api/v1/staff/reports".to_owned(),
        format!("/api/v1/staff/reports/{own_id}"),
        "/api/v1/me".to_owned(),
    ] {
        walk.get(&path, token).await.expect_error(401, "unauthorized");
    }

    // Now look at every answer.
    let mut forbidden: Vec<String> = vec![
        note.clone(),
        format!("INTERNAL-NOTE-{marker}"),
        format!("FIELD-NOTE-{marker}"),
        format!("NEIGHBOUR-{marker}"),
        format!("NEIGHBOUR-MESSAGE-{marker}"),
        format!("neighbour-{marker}@example.org"),
        format!("KIEL-{marker}"),
        format!("KIEL-NOTE-{marker}"),
        format!("KIEL-MESSAGE-{marker}"),
        format!("kieler-{marker}@example.org"),
        theirs_id.clone(),
        kiel_id.clone(),
        neighbour.id.clone(),
        kieler.id.clone(),
        neighbour.token.clone(),
        kieler.token.clone(),
    ];
    for s in &staff {
        forbidden.push(s.name.clone());
        forbidden.push(s.id.clone());
        forbidden.push(s.token.clone());
    }
    // Field names of staff types: no citizen answer has them (the OpenAPI document
    // describes the staff schemas, so it is exempt from this list only).
    let staff_fields = [
        "\"notes\"",
        "\"audit\"",
        "staff_author",
        "author_name",
        "\"assignee\"",
        "\"department\"",
        "contact_email",
        "routed_by",
        "\"actor\"",
    ];
    assert!(walk.seen.len() > 25, "the walk covered {} requests", walk.seen.len());
    for (what, reply) in &walk.seen {
        let text = reply.text();
        for f in &forbidden {
            assert!(!text.contains(f.as_str()), "{what} leaked {f:?}: {text}");
        }
        if !what.contains("openapi.json") {
            for f in staff_fields {
                assert!(!text.contains(f), "{what} has the staff field {f}: {text}");
            }
        }
    }
    assert_no_own_secret_in_others(&app, &neighbour, &own_id).await;

    // Open311 is public by design: it shows every report of a municipality with its
    // description, place and status, but never notes, staff, contact data, devices, or
    // another municipality's reports.
    let mut open311 = Walk {
        app: &app,
        seen: Vec::new(),
    };
    for format in ["json", "xml"] {
        open311.get(&format!("/open311/v2/discovery.{format}"), None).await;
        open311
            .get(
                &format!("/open311/v2/services.{format}?jurisdiction_id={FLENSBURG}"),
                None,
            )
            .await;
        open311
            .get(
                &format!("/open311/v2/services/papierkorb.{format}?jurisdiction_id={FLENSBURG}"),
                None,
            )
            .await;
        let list = open311
            .get(
                &format!("/open311/v2/requests.{format}?jurisdiction_id={FLENSBURG}"),
                None,
            )
            .await;
        assert_eq!(list.status.as_u16(), 200);
        assert!(
            list.text().contains(&theirs_id),
            "Open311 lists the municipality's reports"
        );
        open311
            .get(
                &format!("/open311/v2/servicerequestupdates.{format}?jurisdiction_id={FLENSBURG}"),
                None,
            )
            .await;
        for id in [&own_id, &theirs_id] {
            open311.get(&format!("/open311/v2/requests/{id}.{format}"), None).await;
            open311.get(&format!("/open311/v2/tokens/{id}.{format}"), None).await;
        }
        let kiel_through_flensburg = open311
            .get(
                &format!("/open311/v2/requests/{kiel_id}.{format}?jurisdiction_id={FLENSBURG}"),
                None,
            )
            .await;
        assert_eq!(kiel_through_flensburg.status.as_u16(), 404);
        open311
            .get(
                &format!("/open311/v2/requests.{format}?jurisdiction_id={FLENSBURG}&service_request_id={kiel_id}"),
                None,
            )
            .await;
    }
    let mut forbidden_public: Vec<String> = vec![
        note.clone(),
        format!("INTERNAL-NOTE-{marker}"),
        format!("FIELD-NOTE-{marker}"),
        format!("NEIGHBOUR-MESSAGE-{marker}"),
        format!("neighbour-{marker}@example.org"),
        format!("walker-{marker}@example.org"),
        format!("KIEL-{marker}"),
        format!("KIEL-NOTE-{marker}"),
        format!("KIEL-MESSAGE-{marker}"),
        format!("kieler-{marker}@example.org"),
        kiel_id.clone(),
        walker.id.clone(),
        neighbour.id.clone(),
        kieler.id.clone(),
        walker.token.clone(),
        neighbour.token.clone(),
        kieler.token.clone(),
        photo_hash.clone(),
    ];
    for s in &staff {
        forbidden_public.push(s.name.clone());
        forbidden_public.push(s.id.clone());
        forbidden_public.push(s.token.clone());
    }
    assert!(open311.seen.len() >= 20);
    for (what, reply) in &open311.seen {
        let text = reply.text();
        // An error may quote what the client asked for; that is not a leak.
        for f in forbidden_public.iter().filter(|f| !what.contains(f.as_str())) {
            assert!(!text.contains(f.as_str()), "{what} leaked {f:?}: {text}");
        }
    }

    // The public map and list (issue 20): the same, and no citizen text either — staff
    // approved the neighbour's report, but Flensburg does not publish text or photos.
    app.put(
        &format!("/api/v1/staff/reports/{theirs_id}/publication"),
        Some(&fl_dispatcher.token),
        &json!({"exact": false, "approved": true}),
    )
    .await
    .expect(200);
    let mut public = Walk {
        app: &app,
        seen: Vec::new(),
    };
    let scoped = format!("ags={FLENSBURG}");
    let map = public
        .get(
            &format!("/api/v1/public/reports?{scoped}&bbox=9.3,54.7,9.6,54.9&zoom=12"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(map["total"], 2, "{map}");
    public
        .get(&format!("/api/v1/public/reports/list?{scoped}"), None)
        .await
        .expect(200);
    for id in [&own_id, &theirs_id] {
        public
            .get(&format!("/api/v1/public/reports/{id}"), None)
            .await
            .expect(200);
        public
            .get(&format!("/api/v1/public/reports/{id}/photos/{photo_hash}"), None)
            .await
            .expect(404);
    }
    public
        .get(&format!("/api/v1/public/reports/list?ags={KIEL}"), None)
        .await
        .expect(200);
    let mut forbidden_map = forbidden_public.clone();
    forbidden_map.push(format!("NEIGHBOUR-{marker}"));
    forbidden_map.push(format!("walker-{marker}"));
    for (what, reply) in &public.seen {
        let text = reply.text();
        for f in forbidden_map.iter().filter(|f| !what.contains(f.as_str())) {
            // Kiel's own list shows Kiel's report (not its text): that is its public map.
            if what.contains(KIEL) && *f == kiel_id {
                continue;
            }
            assert!(!text.contains(f.as_str()), "{what} leaked {f:?}: {text}");
        }
        for f in staff_fields {
            assert!(!text.contains(f), "{what} has the staff field {f}: {text}");
        }
    }
}

/// And the other way round: the neighbour sees nothing of the walker's report.
async fn assert_no_own_secret_in_others(app: &TestApp, neighbour: &Device, walker_report: &str) {
    let list = app.get("/api/v1/reports", Some(&neighbour.token)).await.expect(200);
    assert!(!list.to_string().contains(walker_report));
    let feed = app.get("/api/v1/sync", Some(&neighbour.token)).await.expect(200);
    assert!(!feed.to_string().contains(walker_report));
}
