//! Forwarding a report to an authority by Open311, between two Augenmerk servers: F
//! (Flensburg, which forwards) and K (stands in for the Kreis). Both run the demo, and
//! F's authority `kreis` points at K's *Flensburg* jurisdiction: the report lies in
//! Flensburg, and K takes a request only where the key's municipality is responsible,
//! so K's Kiel would refuse it. For the protocol it makes no difference which
//! municipality K's key belongs to.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, Staff, TestApp, id_of, png, pothole, sha256_hex, spawn_app_with};

/// How long a forwarding or a poll may take (K anonymizes the photo; slow in debug builds).
const PATIENCE: Duration = Duration::from_secs(120);

/// Server F: the worker looks at the outbox and K's updates every second, retries fast.
async fn server_f() -> TestApp {
    spawn_app_with(|s| {
        s.mail.poll_seconds = 1;
        s.mail.open311_poll_seconds = 1;
        s.mail.retry_base_seconds = 1;
    })
    .await
}

/// F's admin gives the authority `kreis` an Open311 endpoint.
async fn configure_kreis(f: &TestApp, base_url: &str, api_key: &str, service_codes: Value) {
    let admin = f.login(FLENSBURG, "admin").await;
    let mut settings = f
        .get("/api/v1/staff/config/settings", Some(&admin.token))
        .await
        .expect(200);
    let authorities = settings["authorities"].as_array_mut().expect("authorities");
    let kreis = authorities
        .iter_mut()
        .find(|a| a["id"] == "kreis")
        .expect("the demo has the authority kreis");
    kreis["open311"] = json!({
        "base_url": base_url,
        "api_key": api_key,
        "jurisdiction_id": FLENSBURG,
        "service_codes": service_codes,
    });
    f.put("/api/v1/staff/config/settings", Some(&admin.token), &settings)
        .await
        .expect(200);
}

/// A citizen's pothole with a photo and a contact address; returns the device and the id.
async fn report_with_photo(f: &TestApp) -> (crate::helpers::Device, String) {
    let device = f.device().await;
    let photo = png(64, 48);
    let hash = sha256_hex(&photo);
    f.put_blob(&device.token, &hash, photo).await.expect(201);
    let mut r = pothole();
    r["photos"] = json!([hash]);
    r["contact_email"] = json!("buergerin@example.org");
    r["address_hint"] = json!("vor Hausnummer 12");
    f.submit_ok(&device, &r).await;
    (device, id_of(&r))
}

async fn forward(f: &TestApp, dispatcher: &Staff, id: &str) {
    f.transition(
        dispatcher,
        id,
        &json!({"to": "forwarded", "forward_to": "kreis", "public_comment": "Zuständig ist der Kreis."}),
    )
    .await
    .expect(200);
}

/// The case's Open311 forwarding in its deliveries.
async fn open311_delivery(f: &TestApp, staff: &Staff, id: &str) -> Option<Value> {
    let deliveries = f
        .get(&format!("/api/v1/staff/reports/{id}/deliveries"), Some(&staff.token))
        .await
        .expect(200);
    deliveries
        .as_array()
        .expect("deliveries")
        .iter()
        .find(|d| d["channel"] == "open311")
        .cloned()
}

/// Asks `check` every 200 ms until it gives a value; panics with `what` after [`PATIENCE`].
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < PATIENCE, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn audit_entries(detail: &Value, kind: &str) -> Vec<Value> {
    detail["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"]["type"] == kind)
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_report_reaches_the_authority_and_its_closing_comes_back() {
    let k = spawn_app_with(|_| {}).await;
    let f = server_f().await;
    let key = k.open311_key(FLENSBURG, &[]).await;
    configure_kreis(
        &f,
        &format!("{}/open311/v2", k.address),
        &key,
        json!({"schlagloch": "schlagloch"}),
    )
    .await;

    let (device, id) = report_with_photo(&f).await;
    let dispatcher = f.login(FLENSBURG, "dispatcher").await;
    forward(&f, &dispatcher, &id).await;

    // F's case: the authority took it, with its id.
    let accepted = eventually("the authority's acceptance on F", || async {
        audit_entries(&f.detail(&dispatcher, &id).await, "external_accepted")
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(accepted["action"]["authority"], "kreis");
    assert_eq!(accepted["actor"]["kind"], "system");
    let k_id = accepted["action"]["service_request_id"]
        .as_str()
        .expect("their id")
        .to_owned();
    let delivery = open311_delivery(&f, &dispatcher, &id).await.expect("the forwarding");
    assert_eq!(delivery["state"], "sent", "{delivery}");

    // K: the report with its photo, the citizen's text, answers, comment and F's number,
    // and nothing about the citizen.
    let k_dispatcher = k.login(FLENSBURG, "dispatcher").await;
    let on_k = k.detail(&k_dispatcher, &k_id).await;
    let report = &on_k["report"];
    assert_eq!(report["category"], "schlagloch");
    assert_eq!(report["channel"], "open311");
    assert_eq!(report["photos"].as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!(report["address_hint"], "vor Hausnummer 12");
    assert!(report["contact_email"].is_null(), "no citizen address: {report}");
    let description = report["description"].as_str().expect("description");
    assert!(description.starts_with("Tiefes Loch vor dem Haus"), "{description}");
    assert!(
        description.contains("Hinweis der Verwaltung: Zuständig ist der Kreis."),
        "{description}"
    );
    let number = id.replace('-', "")[..8].to_ascii_uppercase();
    assert!(description.contains(&number), "our number {number}: {description}");
    assert_eq!(
        report["answers"]["gefahr_akut"], false,
        "answers as attributes: {report}"
    );
    assert!(!on_k.to_string().contains("buergerin@example.org"));

    // K's staff resolve it with a word for the public.
    k.transition(
        &k_dispatcher,
        &k_id,
        &json!({"to": "resolved", "public_comment": "Das Schlagloch ist verfüllt."}),
    )
    .await
    .expect(200);

    // F's poll brings it back: the authority's update, and the case is closed.
    let detail = eventually("the authority's update on F", || async {
        let d = f.detail(&dispatcher, &id).await;
        (d["report"]["status"] == "closed").then_some(d)
    })
    .await;
    let updates = audit_entries(&detail, "external_update");
    assert_eq!(updates.len(), 1, "{}", detail["audit"]);
    assert_eq!(updates[0]["actor"]["kind"], "authority");
    assert_eq!(updates[0]["actor"]["authority"], "kreis");
    assert_eq!(updates[0]["action"]["status"], "closed");
    assert_eq!(updates[0]["action"]["description"], "Das Schlagloch ist verfüllt.");

    // The citizen's device sees the comment with the closing, and a mail about it is queued.
    let feed = f.get("/api/v1/sync?since=0", Some(&device.token)).await.expect(200);
    let closing = feed["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "status" && c["to"] == "closed")
        .cloned()
        .unwrap_or_else(|| panic!("the closing in the feed: {feed}"));
    assert_eq!(closing["comment"], "Das Schlagloch ist verfüllt.", "{closing}");
    let deliveries = f
        .get(
            &format!("/api/v1/staff/reports/{id}/deliveries"),
            Some(&dispatcher.token),
        )
        .await
        .expect(200);
    assert!(
        deliveries
            .as_array()
            .expect("deliveries")
            .iter()
            .any(|d| d["kind"] == "closed"),
        "the citizen's closing mail: {deliveries}"
    );

    // Polling again changes nothing: the update is applied once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let again = f.detail(&dispatcher, &id).await;
    assert_eq!(audit_entries(&again, "external_update").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_category_without_service_code_fails_visibly() {
    let f = server_f().await;
    // Nothing listens there: a forwarding that tried would retry, not fail.
    configure_kreis(&f, "http://127.0.0.1:9/open311/v2", "key", json!({"gehweg": "gehweg"})).await;
    let (_, id) = report_with_photo(&f).await;
    let dispatcher = f.login(FLENSBURG, "dispatcher").await;
    forward(&f, &dispatcher, &id).await;

    let failed = eventually("the failed forwarding", || async {
        open311_delivery(&f, &dispatcher, &id)
            .await
            .filter(|d| d["state"] == "failed")
    })
    .await;
    assert_eq!(failed["attempts"], 1, "given up at once: {failed}");
    assert!(
        failed["error"]
            .as_str()
            .is_some_and(|e| e.contains("no service code for category schlagloch")),
        "{failed}"
    );
    let detail = f.detail(&dispatcher, &id).await;
    assert_eq!(detail["report"]["status"], "forwarded");
    assert!(audit_entries(&detail, "external_accepted").is_empty());
}

/// A TCP front for K that either cuts every connection (K is down) or passes it through.
async fn switchable_front(target: String) -> (String, Arc<AtomicBool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let up = Arc::new(AtomicBool::new(false));
    let up_in_task = up.clone();
    let target = target.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            if !up_in_task.load(Ordering::SeqCst) {
                drop(inbound);
                continue;
            }
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (address, up)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_authority_is_down_the_forwarding_is_retried_and_not_lost() {
    let k = spawn_app_with(|_| {}).await;
    let (front, up) = switchable_front(k.address.clone()).await;
    let f = server_f().await;
    let key = k.open311_key(FLENSBURG, &[]).await;
    configure_kreis(
        &f,
        &format!("{front}/open311/v2"),
        &key,
        json!({"schlagloch": "schlagloch"}),
    )
    .await;
    let (_, id) = report_with_photo(&f).await;
    let dispatcher = f.login(FLENSBURG, "dispatcher").await;
    forward(&f, &dispatcher, &id).await;

    let retrying = eventually("a retried forwarding", || async {
        open311_delivery(&f, &dispatcher, &id)
            .await
            .filter(|d| d["state"] == "retrying")
    })
    .await;
    assert!(retrying["error"].as_str().is_some_and(|e| !e.is_empty()), "{retrying}");
    assert!(retrying["next_attempt_at"].is_string(), "{retrying}");
    assert!(
        !retrying.to_string().contains(&key),
        "the key stays out of the log: {retrying}"
    );

    // K is back: the next attempt goes through.
    up.store(true, Ordering::SeqCst);
    let accepted = eventually("the acceptance after K came back", || async {
        audit_entries(&f.detail(&dispatcher, &id).await, "external_accepted")
            .into_iter()
            .next()
    })
    .await;
    let k_id = accepted["action"]["service_request_id"].as_str().expect("their id");
    let k_dispatcher = k.login(FLENSBURG, "dispatcher").await;
    assert_eq!(
        k.detail(&k_dispatcher, k_id).await["report"]["photos"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let sent = open311_delivery(&f, &dispatcher, &id).await.expect("the forwarding");
    assert_eq!(sent["state"], "sent", "{sent}");
}
