//! Start-up to interactive of the desktop app: launches it several times (fresh data
//! directory each time, no server) and prints each time and the median. A measurement,
//! not a test (it asserts nothing): run by `scripts/bench-app-startup.sh` with
//! `AUGENMERK_APP_BIN` set to the release build; `AUGENMERK_BENCH_RUNS` launches (5).
//!
//! The figure is measured from asking tauri-driver for a session (WebKitWebDriver then
//! starts the app process) until the navigation, the first interactive element, is in the
//! page: process start, window, webview, page load, wasm start and the first render. It
//! includes WebKitWebDriver's own overhead, so it is an upper bound.

use std::time::Duration;

use augenmerk_tests::app::{App, Display, Launch, app_binary, launch, work_dir};
use augenmerk_tests::free_port;

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(startup_to_interactive());
}

async fn startup_to_interactive() {
    let runs: usize = std::env::var("AUGENMERK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let dir = work_dir("startup");
    let display = Display::start(&dir);
    // Nothing listens there: the app starts as it does offline.
    let server = format!("http://127.0.0.1:{}", free_port());
    let mut totals = Vec::new();
    let mut pages = Vec::new();
    eprintln!("app: {}", app_binary().display());
    for run in 0..runs {
        let data = dir.join(format!("data-{run}"));
        let App {
            browser,
            to_interactive,
            page_ms,
        } = launch(&Launch {
            display: &display,
            data: &data,
            server: &server,
            log: dir.join(format!("tauri-driver-{run}.log")),
        })
        .await;
        eprintln!(
            "run {}: interactive after {:.0} ms (page alone: {page_ms:.0} ms)",
            run + 1,
            to_interactive.as_secs_f64() * 1000.0
        );
        totals.push(to_interactive);
        pages.push(page_ms);
        browser.close().await;
        // Let the previous app and its drivers go before the next launch.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    totals.sort();
    pages.sort_by(f64::total_cmp);
    let median = totals[totals.len() / 2];
    println!(
        "startup to interactive: median {:.0} ms over {runs} launches (min {:.0}, max {:.0}); page alone median {:.0} ms",
        median.as_secs_f64() * 1000.0,
        totals[0].as_secs_f64() * 1000.0,
        totals[totals.len() - 1].as_secs_f64() * 1000.0,
        pages[pages.len() / 2]
    );
}
