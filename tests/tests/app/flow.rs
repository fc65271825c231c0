//! A citizen reports a pothole in the app while the server is down (the photo is anonymized
//! on the device and the report waits in the queue); the server comes back, the report is
//! synced and routed, the municipality answers and the citizen replies. A field worker logs
//! in in the same app, closes the case offline with a completion photo and a note, the
//! server comes back, and the citizen's view shows "resolved".
//!
//! One story rather than several tests: each step works on what the previous one left in
//! the app and on the server (the queued report, its answer, the field worker's offline
//! close), and every launch of the app under Xvfb costs about a minute.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use augenmerk_tests::app::{Display, Launch, launch};
use augenmerk_tests::photo::{anon_dev, check_stored_photo, jpeg_markers, test_photo};
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, FLENSBURG, MUERWIK, PASSWORD, SLOW, Server, Staff};

use crate::helpers::{choose_file, click_fresh, eventually, photos_in, shots, sync_now, type_text, wait_for_item};

/// The second report's text: it is refused, corrected and sent again.
const REFUSED: &str = "Gehwegplatte gebrochen, Stolperkante.";

#[tokio::test(flavor = "multi_thread")]
async fn offline_report_syncs_is_answered_and_a_field_worker_resolves_it_offline() {
    let started = Instant::now();
    // Kept after the run (logs of the app, the drivers and the server), cleared before it.
    let dir = &augenmerk_tests::app::work_dir("flow");
    let photo = test_photo(dir);
    let data = dir.join("app-data");
    let display = Display::start(dir);
    let mut laps = Vec::new();
    let mut lap = Instant::now();
    let mut mark = |what: &str| {
        laps.push(format!("{what} {:.1}s", lap.elapsed().as_secs_f64()));
        lap = Instant::now();
    };

    // The device was online once: its first sync caches the municipalities' configuration
    // (boundaries, categories, questions), without which no place can be assigned offline.
    let server = Server::start(dir);
    let (port, url) = (server.port, server.url.clone());
    let app = launch(&Launch {
        display: &display,
        data: &data,
        server: &url,
        log: dir.join("tauri-driver.log"),
    })
    .await;
    eprintln!(
        "app (debug build) interactive after {:.2}s (page: {:.0} ms)",
        app.to_interactive.as_secs_f64(),
        app.page_ms
    );
    let b = app.browser;
    mark("launch");
    assert_eq!(b.page_lang().await, "de");
    b.wait_text(&Browser::id("anon-where"), "Gerät", Duration::from_secs(10))
        .await;
    b.by_id("nav-field").await;
    shots(&b, "new-report", None).await;
    // Typing the place finds Flensburg as soon as the first sync has cached it.
    let deadline = Instant::now() + SLOW;
    loop {
        b.type_into("lat-input", &MUERWIK.0.to_string()).await;
        b.type_into("lon-input", &MUERWIK.1.to_string()).await;
        let found = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Ok(e) = b
                    .client
                    .find(fantoccini::Locator::Css(&Browser::id("municipality-name")))
                    .await
                    && e.text().await.is_ok_and(|t| t.contains("Flensburg"))
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
        .await;
        if found.is_ok() {
            break;
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("the app never found Flensburg (configuration not cached?); page saved as {saved}");
        }
        sync_now(&b).await;
    }
    mark("configuration cached");

    // 1. The server goes down; the citizen reports with a photo of a street.
    drop(server);
    let card = steps::add_photo(&b, &photo.path).await;
    mark("photo anonymized on the device");
    assert_eq!(card.hash.len(), 64, "data-hash is a SHA-256: {}", card.hash);
    assert!(card.faces >= 1, "the face was not blurred (data-faces {})", card.faces);
    assert!(
        card.plates >= 1,
        "the plate was not blurred (data-plates {})",
        card.plates
    );
    // The preview shows the anonymized photo from the device's store, with the boxes.
    b.wait_css(&format!("{} img.photo-card__img", Browser::id("photo-card")), SLOW)
        .await;
    let boxes = b
        .client
        .execute(
            "return document.querySelectorAll('[data-testid=\"photo-card\"] rect.blur-box').length;",
            vec![],
        )
        .await
        .expect("count boxes");
    assert!(boxes.as_u64().unwrap_or(0) >= 2, "blurred areas outlined: {boxes}");
    let loaded = b
        .client
        .execute(
            "const i = document.querySelector('[data-testid=\"photo-card\"] img'); return i.complete && i.naturalWidth;",
            vec![],
        )
        .await
        .expect("image state");
    assert!(
        loaded.as_u64().unwrap_or(0) > 0,
        "the preview loaded from augenmerk-photo: ({loaded})"
    );

    shots(&b, "photo-preview", Some(&Browser::id("photo-card"))).await;
    steps::locate_in_flensburg(&b).await;
    steps::describe_pothole(&b, "Tiefes Schlagloch vor Hausnummer 12, Radfahrer weichen aus.").await;
    shots(&b, "report-form", None).await;
    let id = steps::submit(&b).await;
    mark("report saved");
    // By now the form has kept a draft. The webview keeps its storage (drafts, language)
    // in the app's data directory, so one data directory is one whole installation.
    assert!(
        data.join("webview").is_dir(),
        "the webview's storage is not under AUGENMERK__DATA_DIR"
    );
    b.wait_attr(&Browser::id("sync-status"), "data-queued", "1", SLOW).await;
    shots(&b, "report-saved-offline", None).await;
    steps::open_my_reports(&b, &id, "").await;
    b.wait_attr(
        &format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item")),
        "data-sync-state",
        "queued",
        Duration::from_secs(10),
    )
    .await;
    shots(&b, "my-reports-queued", None).await;

    // A second report offline, on pavement damage. Before the device is back online the
    // municipality withdraws that category (the server is up briefly on a port the app
    // does not know), so the server will refuse the report when it arrives.
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;
    steps::locate_in_flensburg(&b).await;
    steps::answer_pavement_damage(&b).await;
    type_text(&b, "description", REFUSED).await;
    b.choose(&Browser::id("consent")).await;
    let refused = steps::submit(&b).await;
    // And one more on the same category, which the citizen will give up.
    b.click_id("saved-another").await;
    b.wait_id("submit-report", SLOW).await;
    steps::locate_in_flensburg(&b).await;
    steps::answer_pavement_damage(&b).await;
    type_text(&b, "description", "Doppelt gemeldet, wird verworfen.").await;
    b.choose(&Browser::id("consent")).await;
    let given_up = steps::submit(&b).await;
    {
        let side = Server::start(dir);
        let admin = Staff::login(&side.url, "admin").await;
        admin.withdraw_category("gehweg").await;
    }
    b.click_id("nav-my-reports").await;
    mark("two more reports saved, their category withdrawn");

    // 2. The server is back: the report goes out and is routed by the rules.
    let server = Server::start_on(dir, port);
    wait_for_item(&b, &id, "assigned", "sent").await;
    b.wait_attr(&Browser::id("sync-status"), "data-queued", "0", SLOW).await;
    mark("synced");
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let staff_view = dispatcher.wait_for_report(&id, SLOW).await;
    let report = &staff_view["report"];
    assert_eq!(
        report["photos"],
        json!([card.hash]),
        "the reviewed photo only: {staff_view}"
    );
    assert_eq!(report["category"], "schlagloch");
    assert_eq!(report["municipality"], FLENSBURG);
    assert_eq!(report["status"], "assigned", "{staff_view}");
    assert_eq!(
        report["department"], "tiefbau",
        "a municipal street goes to Tiefbau: {staff_view}"
    );
    check_stored_photo(&dispatcher, &card.hash, &photo).await;
    // The server's dry run of its rules on this report agrees with the routing.
    let dry = dispatcher
        .post("/api/v1/staff/rules/dry-run", json!({"report_id": id}))
        .await;
    assert_eq!(
        dry["evaluation"]["matched"], report["routed_by"],
        "dry run {dry} vs routing {staff_view}"
    );
    assert_eq!(dry["evaluation"]["action"]["department"], report["department"], "{dry}");

    // The refused report: the app says why and offers to correct it; corrected, it goes
    // out in its place, and the refused one is gone.
    wait_for_item(&b, &refused, "", "rejected").await;
    steps::open_detail(&b, &refused).await;
    b.wait_text(&Browser::id("refused"), "nicht mehr angeboten", SLOW).await;
    // Withdrawn from the citizens' tree, the category keeps the name it had.
    b.wait_text("h1", "Gehweg-/Pflasterschaden", Duration::from_secs(5))
        .await;
    // Its answers keep their questions' labels too.
    b.wait_text(".answers", "akute Gefahr", Duration::from_secs(5)).await;
    shots(&b, "report-refused", None).await;
    b.click_id("refused-edit").await;
    b.wait_id("replacing", SLOW).await;
    let kept = b.by_id("description").await.prop("value").await.expect("description");
    assert_eq!(
        kept.as_deref(),
        Some(REFUSED),
        "the refused report's text is in the form"
    );
    steps::answer_pothole(&b).await;
    shots(&b, "report-replacing", None).await;
    let replacement = steps::submit(&b).await;
    b.click_id("nav-my-reports").await;
    wait_for_item(&b, &replacement, "assigned", "sent").await;
    let gone = b
        .client
        .find(fantoccini::Locator::Css(&format!(
            "{}[data-report-id=\"{refused}\"]",
            Browser::id("report-item")
        )))
        .await;
    assert!(gone.is_err(), "the refused report was replaced");
    let replaced = dispatcher.wait_for_report(&replacement, SLOW).await;
    assert_eq!(replaced["report"]["category"], "schlagloch", "{replaced}");
    assert_eq!(replaced["report"]["description"], REFUSED, "{replaced}");

    // The other refused report is given up: the first tap asks, the second discards.
    wait_for_item(&b, &given_up, "", "rejected").await;
    steps::open_detail(&b, &given_up).await;
    b.click_id("refused-discard").await;
    b.wait_text(&Browser::id("refused-discard"), "erneut tippen", Duration::from_secs(5))
        .await;
    b.click_id("refused-discard").await;
    b.wait_css(&Browser::id("report-item"), SLOW).await;
    let left = b
        .client
        .find_all(fantoccini::Locator::Css(&Browser::id("report-item")))
        .await
        .expect("report items");
    let mut ids = Vec::new();
    for item in left {
        ids.push(Browser::attr(&item, "data-report-id").await);
    }
    assert!(
        !ids.contains(&given_up) && ids.contains(&replacement) && ids.contains(&id),
        "the given-up report is gone, the others stay: {ids:?}"
    );
    mark("refused reports corrected and given up");

    // The municipality starts work and writes to the citizen; the app shows both.
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{id}/transition"),
            json!({"to": "in_progress", "public_comment": "Der Bauhof ist informiert."}),
        )
        .await;
    let answer = "Danke! Wir füllen das Loch diese Woche.";
    dispatcher
        .post(&format!("/api/v1/staff/reports/{id}/messages"), json!({"body": answer}))
        .await;
    wait_for_item(&b, &id, "in_progress", "sent").await;
    b.by_id("unseen").await;
    shots(&b, "my-reports", None).await;
    steps::open_detail(&b, &id).await;
    b.wait_attr(&Browser::id("report-detail"), "data-status", "in_progress", SLOW)
        .await;
    let from_municipality = format!("{}[data-author=\"municipality\"]", Browser::id("message"));
    b.wait_text(&from_municipality, answer, SLOW).await;
    mark("answer seen");

    // The citizen replies; it reaches the staff.
    let reply = "Danke! Das Loch ist etwa 15 cm tief.";
    type_text(&b, "reply-body", reply).await;
    b.click_id("reply-send").await;
    eventually("the reply reaches the staff", SLOW, || async {
        let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
        let arrived = detail["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["author"] == "citizen" && m["body"] == reply));
        if arrived { Ok(detail) } else { Err(detail) }
    })
    .await;
    let from_citizen = format!("{}[data-author=\"citizen\"]", Browser::id("message"));
    b.wait_text(&from_citizen, reply, Duration::from_secs(20)).await;
    shots(&b, "report-detail", None).await;
    shots(&b, "report-thread", Some("#thread-heading")).await;
    mark("reply");

    // 3. A field worker of Tiefbau logs in in the app and sees the case.
    b.click_id("nav-field").await;
    b.wait_id("login-username", Duration::from_secs(20)).await;
    shots(&b, "field-login", None).await;
    b.type_into("login-municipality", FLENSBURG).await;
    b.type_into("login-username", "field").await;
    b.type_into("login-password", PASSWORD).await;
    b.click_id("login-submit").await;
    let case_item = format!("{}[data-report-id=\"{id}\"]", Browser::id("case-item"));
    b.wait_css(&case_item, SLOW).await;
    b.wait_attr(&case_item, "data-status", "in_progress", SLOW).await;
    shots(&b, "field-cases", None).await;
    mark("field login");

    // Offline again: the case is closed with a completion photo and a note.
    drop(server);
    click_fresh(&b, &format!("{case_item} a")).await;
    b.wait_attr(&Browser::id("case-detail"), "data-status", "in_progress", SLOW)
        .await;
    shots(&b, "case", None).await;
    b.choose(&format!("{}[value=\"resolved\"]", Browser::id("case-to")))
        .await;
    let completion = anon_dev().join("images/plate_eu1.jpg");
    choose_file(&b, "case-photo", &completion).await;
    b.wait_text(&Browser::id("case-photo-count"), "1", SLOW).await;
    let comment = "Loch verfüllt und verdichtet.";
    type_text(&b, "case-comment", comment).await;
    let resolved_radio = format!("{}[value=\"resolved\"]", Browser::id("case-to"));
    if !b
        .by_id("case-transition-submit")
        .await
        .is_enabled()
        .await
        .unwrap_or(false)
        || !b
            .wait_css(&resolved_radio, Duration::from_secs(5))
            .await
            .is_selected()
            .await
            .unwrap_or(false)
    {
        // Adding the photo re-rendered the form: choose the new status again.
        b.choose(&resolved_radio).await;
    }
    b.click_id("case-transition-submit").await;
    let pending = format!("{}[data-state=\"pending\"]", Browser::id("case-action"));
    if tokio::time::timeout(Duration::from_secs(20), async {
        while b.client.find(fantoccini::Locator::Css(&pending)).await.is_err() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    })
    .await
    .is_err()
    {
        let state = b
            .client
            .execute(
                "const r = [...document.querySelectorAll('[data-testid=\"case-to\"]')].map(i => i.value + ':' + i.checked);
                 const btn = document.querySelector('[data-testid=\"case-transition-submit\"]');
                 return JSON.stringify({radios: r, disabled: btn && btn.disabled,
                   comment: document.querySelector('#case-comment').value,
                   alerts: [...document.querySelectorAll('.kern-alert')].map(a => a.innerText)});",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        let saved = b.save_failure().await;
        panic!("the transition was not queued; form state {state}; page saved as {saved}");
    }
    let note = "Kaltasphalt, Nachkontrolle in vier Wochen.";
    type_text(&b, "case-note", note).await;
    b.click_css(&format!(
        "{} ~ button[type=\"submit\"]",
        "div.kern-form-input:has(#case-note)"
    ))
    .await;
    eventually("two actions queued", Duration::from_secs(20), || async {
        let n = b
            .client
            .execute(
                "return document.querySelectorAll('[data-testid=\"case-action\"][data-state=\"pending\"]').length;",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        if n.as_u64() == Some(2) { Ok(n) } else { Err(n) }
    })
    .await;
    b.wait_attr(
        &Browser::id("case-detail"),
        "data-status",
        "resolved",
        Duration::from_secs(20),
    )
    .await;
    shots(&b, "case-closed-offline", None).await;
    mark("closed offline");

    // The server is back: the actions go out (the field worker's list then no longer holds
    // the resolved case); the citizen's view shows "resolved".
    let server = Server::start_on(dir, port);
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let deadline = Instant::now() + SLOW;
    let detail = loop {
        let detail = dispatcher.get(&format!("/api/v1/staff/reports/{id}")).await;
        if detail["report"]["status"] == "resolved" && detail["notes"].to_string().contains(note) {
            break detail;
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("the field worker's actions did not arrive: {detail}; page saved as {saved}");
        }
        sync_now(&b).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    b.wait_attr(&Browser::id("sync-status"), "data-syncing", "false", SLOW)
        .await;
    // The resolved case left the worker's list: the page says so instead of "not found".
    b.wait_id("case-gone", SLOW).await;
    shots(&b, "case-after-sync", None).await;
    assert_eq!(detail["report"]["status"], "resolved", "{detail}");
    let notes = detail["notes"].to_string();
    assert!(notes.contains(note), "the internal note arrived: {detail}");
    assert!(
        detail.to_string().contains(comment),
        "the completion comment arrived: {detail}"
    );
    // The completion photo came with the status change: anonymized on the device, stored
    // on the server without metadata.
    let resolved: Vec<&Value> = detail["audit"]
        .as_array()
        .map(|a| a.iter().filter(|e| e.to_string().contains("\"resolved\"")).collect())
        .unwrap_or_default();
    let photos: Vec<String> = resolved.iter().copied().flat_map(photos_in).collect();
    assert_eq!(
        photos.len(),
        1,
        "one completion photo with the status change: {resolved:?}"
    );
    let (status, bytes) = dispatcher.get_raw(&format!("/api/v1/blobs/{}", photos[0])).await;
    assert_eq!(status, 200, "the completion photo is on the server");
    let markers = jpeg_markers(&bytes);
    assert!(
        bytes.starts_with(&[0xff, 0xd8]) && !markers.contains(&0xe1),
        "a JPEG without EXIF: {markers:x?}"
    );
    mark("field actions synced");

    b.click_id("nav-my-reports").await;
    wait_for_item(&b, &id, "resolved", "sent").await;
    shots(&b, "my-reports-resolved", None).await;
    steps::open_detail(&b, &id).await;
    b.wait_attr(&Browser::id("report-detail"), "data-status", "resolved", SLOW)
        .await;
    shots(&b, "report-resolved", None).await;
    mark("citizen sees resolved");
    b.close().await;
    drop(display);
    eprintln!(
        "app flow: {:.1}s ({})",
        started.elapsed().as_secs_f64(),
        laps.join(", ")
    );
}
