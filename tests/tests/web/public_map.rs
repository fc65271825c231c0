//! The public map of reports in Chromium against a real server (issue 20): staff resolve
//! one report with a public comment and write an internal note on it, and comment on a
//! second one that stays open; the public page `/m/{ags}` shows both with their public
//! comments and never the note; the filters (status, category, period) narrow the list;
//! the embedded view `/embed/{ags}` works inside an iframe of a page on another origin
//! (a second local server), which the municipality's `frame_ancestors` allows, while the
//! other pages keep refusing to be framed. A report's detail has its own URL
//! (`/m/{ags}/{report}`), which the list sets and back closes. axe-core on each screen; screenshots to
//! `docs/screenshots/web/public-map-*`.

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use augenmerk_tests::citizen::Citizen;
use augenmerk_tests::{Browser, FLENSBURG, SLOW, Server, Staff};

const RESOLVED_COMMENT: &str = "Das Schlagloch ist verfüllt.";
const OPEN_COMMENT: &str = "Der Bauhof sieht sich die Leuchte an.";

/// A page on another origin (its own port on 127.0.0.1) that embeds `src` in an iframe,
/// as a municipality's website would. Plain HTTP/1.1 from a socket: the page is one
/// fixed document, and the test needs nothing else from this server.
async fn host_page(src: String) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the host page");
    let port = listener.local_addr().expect("address").port();
    let html = format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Stadt Flensburg</title></head>\
         <body><main><h1>Mängel in Flensburg</h1>\
         <iframe id=\"embed\" title=\"Karte der Meldungen\" src=\"{src}\" style=\"width:100%;height:900px;border:0\"></iframe>\
         </main></body></html>"
    );
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (port, task)
}

/// The number of reports the list says match.
async fn wait_total(b: &Browser, total: u64) {
    b.wait_attr(&Browser::id("pm-total"), "data-total", &total.to_string(), SLOW)
        .await;
}

/// Waits until the page's URL has this path (the public map sets it without loading).
async fn wait_path(b: &Browser, path: &str) {
    let deadline = std::time::Instant::now() + SLOW;
    loop {
        let url = b.client.current_url().await.expect("the page's URL");
        if url.path() == path {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the URL is {url}, not {path}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Chooses an option of a filter's `<select>`.
async fn choose(b: &Browser, testid: &str, value: &str) {
    b.by_id(testid)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{testid} = {value}: {e}"));
}

/// Sets a date field of the filter (typing into a date input depends on the locale).
async fn set_date(b: &Browser, testid: &str, value: &str) {
    b.client
        .execute(
            "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); \
             el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(testid), json!(value)],
        )
        .await
        .expect("set the date");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_sees_reports_and_comments_but_never_notes_also_embedded() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-public-map-")
        .tempdir()
        .expect("temporary directory");
    let server = Server::start(dir.path());

    // Two reports: a pothole that gets resolved, a dark street lamp that stays open.
    let citizen = Citizen::register(&server.url).await;
    let pothole = citizen
        .report(
            "schlagloch",
            json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
            "Tiefes Loch vor der Bushaltestelle.",
            (54.8016, 9.4553),
            "Mürwiker Straße 112",
            &[],
        )
        .await;
    let lamp = citizen
        .report(
            "leuchte_aus",
            json!({"gefahr_akut": false}),
            "Die Laterne ist seit Tagen dunkel.",
            (54.7836, 9.4321),
            "Holm 1",
            &[],
        )
        .await;

    let marker = uuid::Uuid::new_v4().simple().to_string();
    let note = format!("INTERNAL-NOTE-{marker}: Anwohner Herr Beispiel, Tel. 0461 123456");
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    dispatcher.wait_for_report(&pothole, SLOW).await;
    dispatcher.wait_for_report(&lamp, SLOW).await;
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{pothole}/transition"),
            json!({"to": "resolved", "public_comment": RESOLVED_COMMENT}),
        )
        .await;
    dispatcher
        .post(&format!("/api/v1/staff/reports/{pothole}/notes"), json!({"body": note}))
        .await;
    dispatcher
        .post(
            &format!("/api/v1/staff/reports/{lamp}/transition"),
            json!({"to": "in_progress", "public_comment": OPEN_COMMENT}),
        )
        .await;

    // The municipality lets its website (another origin) embed the map.
    let (host_port, host_task) = host_page(format!("{}/embed/{FLENSBURG}", server.url)).await;
    let host = format!("http://127.0.0.1:{host_port}");
    let admin = Staff::login(&server.url, "admin").await;
    let mut settings = admin.get("/api/v1/staff/config/settings").await;
    settings["public"]["frame_ancestors"] = json!([host]);
    admin.put("/api/v1/staff/config/settings", settings).await;

    // The headers: only the embed view may be framed, and only by the listed origin.
    let http = reqwest::Client::new();
    let csp_of = |path: &str| {
        let req = http.get(format!("{}{path}", server.url));
        async move {
            let resp = req.send().await.expect("page");
            assert!(resp.status().is_success(), "{}", resp.status());
            let csp = resp
                .headers()
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = resp.text().await.unwrap_or_default();
            (csp, body)
        }
    };
    let (embed_csp, embed_body) = csp_of(&format!("/embed/{FLENSBURG}")).await;
    assert!(
        embed_csp.contains(&format!("frame-ancestors 'self' {host}")),
        "{embed_csp}"
    );
    assert!(embed_body.contains("<base href=\"/\">"), "assets resolve from the root");
    for page in [
        format!("/m/{FLENSBURG}"),
        format!("/m/{FLENSBURG}/{pothole}"),
        "/m".to_owned(),
        "/".to_owned(),
    ] {
        let (csp, _) = csp_of(&page).await;
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
    }

    // The public page of the municipality.
    let b = Browser::start(dir.path()).await;
    let mut violations = Vec::new();
    b.goto(&format!("{}/m/{FLENSBURG}", server.url)).await;
    b.wait_text("h1", "Flensburg", SLOW).await;
    wait_total(&b, 2).await;
    b.wait_attr(&Browser::id("public-map-page"), "data-map", "true", SLOW)
        .await;
    let resolved = format!("[data-testid=\"pm-item\"][data-id=\"{pothole}\"]");
    let open = format!("[data-testid=\"pm-item\"][data-id=\"{lamp}\"]");
    b.wait_attr(&resolved, "data-status", "resolved", SLOW).await;
    b.wait_attr(&open, "data-status", "in_progress", SLOW).await;
    b.wait_text(&resolved, "Schlagloch", SLOW).await;
    b.wait_text(&format!("{resolved} [data-testid=\"pm-comments\"]"), "1", SLOW)
        .await;
    // The map shows them (as pins or as one cluster, whichever the zoom gives).
    b.wait_css("[data-testid=\"public-pin\"], [data-testid=\"public-cluster\"]", SLOW)
        .await;
    let source = b.client.source().await.expect("page source");
    assert!(!source.contains(&marker), "the internal note never reaches the page");
    violations.extend(b.serious_accessibility_violations("public map, list").await);
    b.screenshots("public-map-list").await;

    // The resolved report's detail: its history with the public comment, no note.
    b.click_css(&format!("{resolved} [data-testid=\"pm-open\"]")).await;
    b.wait_attr(&Browser::id("pm-detail"), "data-id", &pothole, SLOW).await;
    b.wait_text(&Browser::id("status-history"), RESOLVED_COMMENT, SLOW)
        .await;
    let source = b.client.source().await.expect("page source");
    assert!(!source.contains(&marker), "the internal note never reaches the detail");
    violations.extend(b.serious_accessibility_violations("public map, detail").await);
    b.screenshots("public-map-detail").await;
    b.click_id("pm-back").await;
    b.wait_css(&open, SLOW).await;

    // The open report's comment, in its detail.
    b.click_css(&format!("{open} [data-testid=\"pm-open\"]")).await;
    b.wait_text(&Browser::id("status-history"), OPEN_COMMENT, SLOW).await;
    b.click_id("pm-back").await;

    // A report's detail has its own URL (the link in alert mails): opening it from the
    // list sets the URL, the browser's back button closes it again.
    let list_path = format!("/m/{FLENSBURG}");
    let detail_path = format!("/m/{FLENSBURG}/{pothole}");
    wait_path(&b, &list_path).await;
    b.click_css(&format!("{resolved} [data-testid=\"pm-open\"]")).await;
    b.wait_attr(&Browser::id("pm-detail"), "data-id", &pothole, SLOW).await;
    wait_path(&b, &detail_path).await;
    b.client.back().await.expect("back");
    wait_path(&b, &list_path).await;
    b.wait_gone(&Browser::id("pm-detail"), SLOW).await;
    b.wait_css(&open, SLOW).await;
    // Opened by its link: the detail at once, and its back button shows the list.
    b.goto(&format!("{}{detail_path}", server.url)).await;
    b.wait_attr(&Browser::id("pm-detail"), "data-id", &pothole, SLOW).await;
    b.wait_text(&Browser::id("status-history"), RESOLVED_COMMENT, SLOW)
        .await;
    violations.extend(
        b.serious_accessibility_violations("public map, detail by its link")
            .await,
    );
    b.click_id("pm-back").await;
    wait_path(&b, &list_path).await;
    b.wait_css(&open, SLOW).await;
    wait_total(&b, 2).await;

    // Filters: status, category, period.
    choose(&b, "pm-status", "open").await;
    wait_total(&b, 1).await;
    b.wait_css(&open, SLOW).await;
    b.wait_gone(&resolved, SLOW).await;
    choose(&b, "pm-status", "closed").await;
    wait_total(&b, 1).await;
    b.wait_css(&resolved, SLOW).await;
    b.wait_gone(&open, SLOW).await;
    choose(&b, "pm-status", "").await;
    wait_total(&b, 2).await;
    choose(&b, "pm-category", "leuchte_aus").await;
    wait_total(&b, 1).await;
    b.wait_css(&open, SLOW).await;
    choose(&b, "pm-category", "").await;
    wait_total(&b, 2).await;
    set_date(&b, "pm-to", "2020-01-01").await;
    wait_total(&b, 0).await;
    b.wait_id("pm-empty", SLOW).await;
    violations.extend(b.serious_accessibility_violations("public map, filtered").await);
    set_date(&b, "pm-to", "").await;
    wait_total(&b, 2).await;

    // The statewide view lists Flensburg's reports too.
    b.goto(&format!("{}/m", server.url)).await;
    wait_total(&b, 2).await;

    // Embedded in the municipality's website, on another origin.
    b.goto(&host).await;
    b.wait_css("iframe#embed", SLOW).await;
    b.client.enter_frame(0).await.expect("into the iframe");
    wait_total(&b, 2).await;
    b.wait_css(&resolved, SLOW).await;
    assert!(
        b.client
            .find_all(fantoccini::Locator::Css("[data-testid=\"nav-report\"], .app-footer"))
            .await
            .expect("query")
            .is_empty(),
        "the embedded view has no header, navigation or footer"
    );
    // Nor the app's background work: no outbox flushes, no anonymizer (issue 20).
    let background = b
        .client
        .execute(
            "return [typeof window.augenmerkSync, typeof window.augenmerkAnon];",
            vec![],
        )
        .await
        .expect("script in the iframe");
    assert_eq!(
        background,
        json!(["undefined", "undefined"]),
        "the embed starts no background work"
    );
    b.click_css(&format!("{resolved} [data-testid=\"pm-open\"]")).await;
    b.wait_text(&Browser::id("status-history"), RESOLVED_COMMENT, SLOW)
        .await;
    // The embedded page has its own language switch (the app's header is not there).
    b.click_id("pm-lang-switch").await;
    b.wait_text("h1", "Reports in Flensburg", SLOW).await;
    violations.extend(b.serious_accessibility_violations("public map, embedded").await);
    b.client.enter_parent_frame().await.expect("out of the iframe");
    b.screenshots("public-map-embedded").await;

    // A site the municipality did not list cannot frame the map: the browser refuses.
    let (other_port, other_task) = host_page(format!("{}/embed/{FLENSBURG}", server.url)).await;
    b.goto(&format!("http://127.0.0.1:{other_port}")).await;
    b.wait_css("iframe#embed", SLOW).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let framed = match b.client.enter_frame(0).await {
        Ok(()) => !b
            .client
            .find_all(fantoccini::Locator::Css("[data-testid=\"public-map-page\"]"))
            .await
            .unwrap_or_default()
            .is_empty(),
        Err(_) => false,
    };
    assert!(!framed, "an origin not in frame_ancestors must not frame the map");
    other_task.abort();

    assert!(violations.is_empty(), "axe-core: {}", violations.join("\n"));
    host_task.abort();
    b.close().await;
}

/// Many reports: the server clusters them, a cluster zooms the map in until single pins
/// show, a pin opens its report; the list pages through them.
#[tokio::test(flavor = "multi_thread")]
async fn many_reports_cluster_and_page() {
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-web-public-clusters-")
        .tempdir()
        .expect("temporary directory");
    // One address (the test) files all reports.
    let server = augenmerk_tests::ServerSetup::web(dir.path())
        .env("AUGENMERK__RATE_LIMITS__REPORTS_PER_ADDRESS", "1000000")
        .start();
    let citizen = Citizen::register(&server.url).await;
    // More than the server shows one by one in a viewport (UNCLUSTERED_MAX = 50), in a
    // block of about 1 km in Flensburg's centre.
    const REPORTS: usize = 60;
    for i in 0..REPORTS {
        let at = (54.785 + (i % 10) as f64 * 0.001, 9.43 + (i / 10) as f64 * 0.0015);
        citizen
            .report(
                "leuchte_aus",
                json!({"gefahr_akut": false}),
                "Laterne dunkel.",
                at,
                "",
                &[],
            )
            .await;
    }

    let b = Browser::start(dir.path()).await;
    let mut violations = Vec::new();
    b.goto(&format!("{}/m/{FLENSBURG}", server.url)).await;
    wait_total(&b, REPORTS as u64).await;
    b.wait_css("[data-testid=\"public-cluster\"]", SLOW).await;
    violations.extend(b.serious_accessibility_violations("public map, clusters").await);
    b.screenshots("public-map-clusters").await;

    // The list shows 25 at a time.
    let items = b
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"pm-item\"]"))
        .await
        .expect("items");
    assert_eq!(items.len(), 25, "the first page");
    b.click_id("pm-next").await;
    b.wait_text("nav.public-pager", "2", SLOW).await;
    b.click_id("pm-next").await;
    b.wait_text("nav.public-pager", "3", SLOW).await;
    let items = b
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"pm-item\"]"))
        .await
        .expect("items");
    assert_eq!(items.len(), REPORTS - 50, "the last page");

    // Zooming in on clusters until single reports show; a pin opens its report.
    for _ in 0..8 {
        let pins = b
            .client
            .find_all(fantoccini::Locator::Css("[data-testid=\"public-pin\"]"))
            .await
            .expect("pins");
        if !pins.is_empty() {
            break;
        }
        b.click_css("[data-testid=\"public-cluster\"]").await;
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    }
    let pin = b.wait_css("[data-testid=\"public-pin\"]", SLOW).await;
    let id = Browser::attr(&pin, "data-id").await;
    b.click(&pin, "a report's pin").await;
    b.wait_attr(&Browser::id("pm-detail"), "data-id", &id, SLOW).await;

    assert!(violations.is_empty(), "axe-core: {}", violations.join("\n"));
    b.close().await;
}
