//! Steps of the app's story that only the app needs: polling, screenshots, the app's sync,
//! typing and clicking where WebKitWebDriver needs help.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use augenmerk_tests::{Browser, SLOW};

/// Waits for `what` (polled every 300 ms) up to `timeout`; panics with the last state.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Value, Value>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        match check().await {
            Ok(v) => return v,
            Err(last) => assert!(Instant::now() < deadline, "{what} after {timeout:?}; last seen: {last}"),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Every `photos` array's entries anywhere in `v`.
pub fn photos_in(v: &Value) -> Vec<String> {
    match v {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v) {
                ("photos", Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
                _ => photos_in(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(photos_in).collect(),
        _ => Vec::new(),
    }
}

/// Screenshots of the screen from its top, or with the element matching `css` at the top.
pub async fn shots(b: &Browser, name: &str, css: Option<&str>) {
    let script = match css {
        Some(css) => {
            format!("document.querySelector('{css}')?.scrollIntoView({{block: 'start', behavior: 'instant'}});")
        }
        None => "window.scrollTo(0, 0);".to_owned(),
    };
    let _ = b.client.execute(&script, vec![]).await;
    b.screenshots(name).await;
}

/// Asks the app to sync now (the background loop would within 30 s).
pub async fn sync_now(b: &Browser) {
    b.click_id("sync-now").await;
}

/// Waits until the app's report item shows `status` and `sync_state`, pressing "sync now"
/// every few seconds (a sync that started while the server was down may still be backing off).
pub async fn wait_for_item(b: &Browser, id: &str, status: &str, sync_state: &str) {
    let item = format!("{}[data-report-id=\"{id}\"]", Browser::id("report-item"));
    let deadline = Instant::now() + SLOW;
    let mut last_push = Instant::now();
    loop {
        let (mut s, mut st) = (String::new(), String::new());
        if let Ok(e) = b.client.find(fantoccini::Locator::Css(&item)).await {
            s = e.attr("data-status").await.ok().flatten().unwrap_or_default();
            st = e.attr("data-sync-state").await.ok().flatten().unwrap_or_default();
            if s == status && st == sync_state {
                return;
            }
        }
        if Instant::now() > deadline {
            let saved = b.save_failure().await;
            panic!(
                "report {id}: status {s:?} / sync {st:?}, not {status:?} / {sync_state:?} after {SLOW:?}; page saved as {saved}"
            );
        }
        if last_push.elapsed() > Duration::from_secs(5) {
            sync_now(b).await;
            last_push = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Types into a text field (scrolled into view first: WebKitWebDriver needs it there),
/// and again if the page re-rendered the field meanwhile (a background sync reloads the
/// page's data and with it the form) and the text is not in it.
pub async fn type_text(b: &Browser, testid: &str, text: &str) {
    let css = Browser::id(testid);
    let mut last = Value::Null;
    for _ in 0..5 {
        let field = b.wait_css(&css, Duration::from_secs(10)).await;
        let arg = vec![serde_json::to_value(&field).expect("element ref")];
        let _ = b
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); arguments[0].value = '';",
                arg,
            )
            .await;
        if field.send_keys(text).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(500)).await;
            last = b
                .client
                .execute(&format!("return document.querySelector('{css}').value;"), vec![])
                .await
                .unwrap_or(Value::Null);
            if last.as_str() == Some(text) {
                return;
            }
        }
    }
    let saved = b.save_failure().await;
    panic!("{testid} holds {last}, not the typed {text:?}; page saved as {saved}");
}

/// Clicks the element matching `css`, looking it up again when the list re-rendered
/// between finding and clicking it (the case list reloads after each sync).
pub async fn click_fresh(b: &Browser, css: &str) {
    let mut last = String::new();
    for _ in 0..10 {
        if let Ok(e) = b.client.find(fantoccini::Locator::Css(css)).await {
            let arg = vec![serde_json::to_value(&e).expect("element ref")];
            let clicked = async {
                b.client
                    .execute(
                        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                        arg,
                    )
                    .await?;
                e.click().await
            }
            .await;
            match clicked {
                Ok(_) => return,
                Err(err) => last = format!("{err:?}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let saved = b.save_failure().await;
    panic!("could not click {css}: {last}; page saved as {saved}");
}

/// Chooses a file in a file input (WebKitWebDriver takes the path as typed keys).
pub async fn choose_file(b: &Browser, testid: &str, path: &Path) {
    b.wait_css(&Browser::id(testid), Duration::from_secs(10))
        .await
        .send_keys(&path.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("choose {} in {testid}: {e}", path.display()));
}
