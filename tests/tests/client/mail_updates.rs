//! The app shows whether the server mails the citizen about a report: after the citizen
//! confirms the address (or unsubscribes) through the receipt's link, on another device,
//! the app's next sync shows the new state.

use std::time::Duration;

use augenmerk_client::{Client, ClientOptions, SyncOptions};
use augenmerk_domain::Language;
use augenmerk_domain::mail::MailUpdates;

use crate::support::pothole_draft;
use augenmerk_tests::receipt::wait_for_receipt;
use augenmerk_tests::{Server, models_dir};

const EMAIL: &str = "lena.app@example.org";

#[tokio::test(flavor = "multi_thread")]
async fn the_app_learns_that_the_citizen_confirmed_or_stopped_mail_updates_elsewhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let server = Server::client(&server_dir);
    let mut options = ClientOptions::new(dir.path().join("app"), Some(server.url.clone()));
    options.models_dir = Some(models_dir());
    options.mail_updates_check_every = Duration::ZERO;
    let app = Client::open(options).expect("open client");
    app.sync(&SyncOptions::default())
        .await
        .expect("registered, configuration cached");

    let mut draft = pothole_draft(1, Vec::new());
    draft.contact_email = Some(EMAIL.into());
    draft.language = Some(Language::En);
    let id = app.create_report(draft).expect("queued");
    app.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(app.report(&id).expect("report").mail_updates, MailUpdates::Unconfirmed);

    // The receipt is in the language the app was used in, and carries the link.
    let (subject, token) = wait_for_receipt(&server_dir.join("mail"), EMAIL);
    assert!(subject.starts_with("Your report"), "{subject}");
    let http = reqwest::Client::new();
    let confirm = http
        .post(format!("{}/api/v1/status/{token}/confirm", server.url))
        .send()
        .await
        .expect("confirm");
    assert!(confirm.status().is_success(), "{}", confirm.status());
    app.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(app.report(&id).expect("report").mail_updates, MailUpdates::On);

    let stop = http
        .post(format!("{}/api/v1/status/{token}/unsubscribe", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("unsubscribe");
    assert!(stop.status().is_success(), "{}", stop.status());
    app.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(app.report(&id).expect("report").mail_updates, MailUpdates::Off);
}
