//! A report in a Gemeinde whose administration is only in the platform's directory
//! arrives as a mail at the administration (issue 26): with the anonymized photo, the
//! answers and a map link, and the citizen's address only when they agreed.

use serde_json::json;

use super::smtp::shared;
use super::{citizen_address, staff_address};
use crate::helpers::{HOLSTENTOR, id_of, png, report, sha256_hex};

#[tokio::test]
async fn a_report_for_an_administration_off_the_platform_is_mailed_there_with_its_photo() {
    let app = super::mail_app().await;
    let token = app.platform_token().await;
    let mailbox = staff_address("luebeck");
    app.put(
        "/api/v1/admin/directory/010030000",
        Some(&token),
        &json!({"key": "010030000", "name": "Hansestadt Lübeck", "email": mailbox}),
    )
    .await
    .expect(200);

    let device = app.device().await;
    let photo = png(64, 48);
    let hash = sha256_hex(&photo);
    app.put_blob(&device.token, &hash, photo).await.expect(201);
    let citizen = citizen_address();
    let mut private = report(
        "schlagloch",
        json!({"gefahr_akut": false, "strassenart": "gemeindestrasse"}),
        HOLSTENTOR,
    );
    private["photos"] = json!([hash]);
    private["contact_email"] = json!(citizen);
    private["address_hint"] = json!("vor dem Holstentor");
    let sent = app.submit_ok(&device, &private).await;
    assert_eq!(sent["mailed_to"], "Hansestadt Lübeck");

    let mail = shared().maildir.wait_for(&mailbox, 1).await.remove(0);
    let number = super::number(&id_of(&private));
    assert!(mail.subject.contains(&number), "{}", mail.subject);
    assert!(
        mail.text.contains("Lübeck") && mail.text.contains("vor dem Holstentor"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Gemeinde-/Ortsstraße"), "answers: {}", mail.text);
    assert!(
        mail.text.contains("openstreetmap.org/?mlat=53.866300"),
        "map link: {}",
        mail.text
    );
    assert_eq!(mail.attachments.len(), 1, "the anonymized photo");
    assert_eq!(
        sha256_hex(&mail.attachments[0].bytes),
        hash,
        "exactly the photo the server holds"
    );
    assert!(!mail.readable().contains(&citizen), "no contact without consent");

    // With the citizen's consent the address goes along, and answers reach them directly.
    let other = citizen_address();
    let mut shared_contact = report("papierkorb", json!({}), HOLSTENTOR);
    shared_contact["contact_email"] = json!(other);
    shared_contact["share_contact"] = json!(true);
    app.submit_ok(&device, &shared_contact).await;
    let mails = shared().maildir.wait_for(&mailbox, 2).await;
    let second = mails
        .iter()
        .find(|m| m.subject.contains(&super::number(&id_of(&shared_contact))))
        .expect("the second mail");
    assert!(second.text.contains(&other), "{}", second.text);
    // A retry of the first report mails nothing again.
    app.submit(&device, &private).await.expect(200);
    shared()
        .maildir
        .expect_exactly(&mailbox, 2, std::time::Duration::from_secs(2))
        .await;
}
