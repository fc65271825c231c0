//! The citizen's data protection rights in the app (issue 17): they read the privacy
//! notice of Flensburg from the report form (kept on the device with the configuration),
//! report, download their data (the ZIP lands in their download folder and holds the
//! report), and withdraw the report while nobody has looked at it yet (the rules routed
//! it, no more): it leaves "my reports" and the server. Screenshots to `docs/screenshots/app/privacy-*`.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::Value;

use augenmerk_tests::app::{Display, Launch, launch, work_dir};
use augenmerk_tests::steps;
use augenmerk_tests::{Browser, FLENSBURG, MUERWIK, SLOW, Server, Staff};

/// Types the place until the app finds Flensburg (the first sync caches the configuration).
async fn locate_in_flensburg(b: &Browser) {
    let deadline = Instant::now() + SLOW;
    loop {
        b.type_into("lat-input", &MUERWIK.0.to_string()).await;
        b.type_into("lon-input", &MUERWIK.1.to_string()).await;
        let found = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Ok(e) = b.client.find(Locator::Css(&Browser::id("municipality-name"))).await
                    && e.text().await.is_ok_and(|t| t.contains("Flensburg"))
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
        .await;
        if found.is_ok() {
            return;
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("the app never found Flensburg (configuration not cached?); page saved as {saved}");
        }
        b.click_id("sync-now").await;
    }
}

/// Waits until the report's item in "my reports" has `status` and `sync_state`, asking
/// for a sync every few seconds.
async fn wait_for_item(b: &Browser, id: &str, status: &str, sync_state: &str) {
    let item = format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item"));
    let deadline = Instant::now() + SLOW;
    let mut last_push = Instant::now();
    loop {
        let (mut s, mut st) = (String::new(), String::new());
        if let Ok(e) = b.client.find(Locator::Css(&item)).await {
            s = e.attr("data-status").await.ok().flatten().unwrap_or_default();
            st = e.attr("data-sync-state").await.ok().flatten().unwrap_or_default();
            if s == status && st == sync_state {
                return;
            }
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!("report {id}: {s:?} / {st:?}, not {status:?} / {sync_state:?}; page saved as {saved}");
        }
        if last_push.elapsed() > Duration::from_secs(5) {
            b.click_id("sync-now").await;
            last_push = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_citizen_reads_the_notice_exports_their_data_and_withdraws_a_report() {
    let dir = &work_dir("privacy");
    let data = dir.join("app-data");
    // The citizen's download folder, as xdg-user-dirs names it (the driver points
    // XDG_CONFIG_HOME into the app's data folder).
    let downloads = dir.join("Downloads");
    std::fs::create_dir_all(data.join("xdg-config")).expect("config folder");
    std::fs::write(
        data.join("xdg-config/user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .expect("user-dirs.dirs");
    let display = Display::start(dir);
    let server = Server::start(dir);
    let url = server.url.clone();
    let app = launch(&Launch {
        display: &display,
        data: &data,
        server: &url,
        log: dir.join("tauri-driver.log"),
    })
    .await;
    let b = app.browser;

    // The notice of Flensburg, under the consent checkbox and as a page of its own.
    locate_in_flensburg(&b).await;
    b.click_css(&format!("{} summary", Browser::id("consent-notice"))).await;
    b.wait_text(&Browser::id("consent-notice-text"), "Flensburg", SLOW)
        .await;
    b.click_id("consent-notice-page").await;
    let notice = format!(
        "{}[data-kind=\"notice\"][data-municipality=\"{FLENSBURG}\"]",
        Browser::id("legal-text")
    );
    b.wait_text(&notice, "Datenschutz", SLOW).await;
    b.wait_text(&notice, "Art. 13", SLOW).await;
    b.screenshots("privacy-notice").await;
    b.click_id("nav-report").await;
    b.wait_id("submit-report", SLOW).await;

    // A report; it reaches the server, the rules assign it, nobody has looked at it yet.
    locate_in_flensburg(&b).await;
    steps::describe_pothole(&b, "Loch im Radweg, bitte ansehen.").await;
    let id = steps::submit(&b).await;
    b.click_id("nav-my-reports").await;
    wait_for_item(&b, &id, "assigned", "sent").await;

    // "My data": the export goes to the download folder and holds the report.
    b.click_id("footer-my-data").await;
    b.wait_id("my-data", SLOW).await;
    b.click_id("export").await;
    let done = b.wait_css(&Browser::id("export-done"), SLOW).await;
    let name = Browser::attr(&done, "data-file").await;
    assert!(name.starts_with("augenmerk-daten-") && name.ends_with(".zip"), "{name}");
    b.wait_text("main", &downloads.display().to_string(), Duration::from_secs(10))
        .await;
    let file = downloads.join(&name);
    let mut zip = zip::ZipArchive::new(
        std::fs::File::open(&file)
            .unwrap_or_else(|e| panic!("the export is not in the download folder ({}): {e}", file.display())),
    )
    .expect("a ZIP");
    let export: Value =
        serde_json::from_reader(zip.by_name("augenmerk-export.json").expect("the JSON file")).expect("JSON");
    assert!(
        export["reports"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["id"] == id.as_str())),
        "the report is in the export: {export}"
    );
    b.screenshots("privacy-my-data").await;

    // Withdrawn: after a confirmation it leaves "my reports" and the server.
    b.click_id("nav-my-reports").await;
    steps::open_detail(&b, &id).await;
    b.click_id("withdraw-report").await;
    b.wait_id("withdraw-report-question", Duration::from_secs(10)).await;
    b.screenshots("privacy-withdraw").await;
    b.click_id("withdraw-report-confirm").await;
    // It was the only report: "my reports" is empty again.
    b.wait_id("my-reports-empty", SLOW).await;
    let dispatcher = Staff::login(&server.url, "dispatcher").await;
    let (status, _) = dispatcher.get_raw(&format!("/api/v1/staff/reports/{id}")).await;
    assert_eq!(status, 404, "the server forgot the withdrawn report");
    b.close().await;
    drop(display);
}
