//! Ämter and administrations not on the platform, as a device sees them (issue 26): the
//! cached configuration of Amt Langballig finds its Gemeinden offline (Wees and Langballig
//! are two of seven) and files reports under the Amt; a report in Lübeck, whose
//! administration is only in the platform's directory, goes by e-mail, with the citizen's
//! address only when they agreed; Neumünster has neither, and nothing is queued there.

use std::path::Path;
use std::time::{Duration, Instant};

use augenmerk_client::{Client, ClientError, ClientOptions, SyncOptions, SyncState};
use augenmerk_domain::public::Delivery;
use augenmerk_domain::{GeoPoint, Status};

use crate::support::{Cli, pothole_draft};
use augenmerk_tests::{Server, models_dir};

/// Amt Langballig's key (the tenant).
const AMT_LANGBALLIG: &str = "010595937";
/// In the village of Wees, 1.7 km from its boundary (checked against
/// `data/geo/sh-gemeinden.geojson`).
const WEES: (f64, f64) = (54.8075, 9.5307);
/// In Langballig, 1.5 km from its boundary.
const LANGBALLIG: (f64, f64) = (54.8090, 9.6386);
/// The Holstentor in Lübeck (the Hansestadt is in the directory, not on the platform).
const HOLSTENTOR: (f64, f64) = (53.8663, 10.6797);
/// The centre of Neumünster (neither on the platform nor in the directory).
const NEUMUENSTER: (f64, f64) = (54.0742, 9.9844);

fn client(data: &Path, server: &str) -> Client {
    let mut options = ClientOptions::new(data, Some(server.to_owned()));
    options.models_dir = Some(models_dir());
    Client::open(options).expect("open client")
}

fn at((lat, lon): (f64, f64)) -> GeoPoint {
    GeoPoint { lat, lon }
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_in_two_gemeinden_of_an_amt_are_placed_offline_and_filed_under_the_amt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let device = client(&dir.path().join("device"), &server.url);
    device
        .sync(&SyncOptions::default())
        .await
        .expect("configuration cached");

    // Offline from here: the cached boundaries of the Amt's Gemeinden answer.
    server.kill();
    let wees = device.locate(at(WEES)).expect("Wees is in a cached Gemeinde");
    assert_eq!(wees.ags.as_str(), AMT_LANGBALLIG, "filed under the Amt");
    assert_eq!(wees.name, "Amt Langballig");
    assert_eq!(
        (wees.gemeinde.as_str(), wees.gemeinde_name.as_str()),
        ("01059176", "Wees")
    );
    assert_eq!(wees.place_name(), "Wees (Amt Langballig)");
    assert_eq!(wees.distance_m, 0.0);
    assert_eq!(wees.delivery(), &Delivery::Platform);
    let langballig = device.locate(at(LANGBALLIG)).expect("Langballig is cached too");
    assert_eq!(langballig.ags.as_str(), AMT_LANGBALLIG);
    assert_eq!(
        (langballig.gemeinde.as_str(), langballig.place_name().as_str()),
        ("01059137", "Langballig (Amt Langballig)")
    );
    // What the app's form shows: the Gemeinde, and the Amt that takes the report.
    let answer = langballig.responsibility();
    assert_eq!((answer.ags.as_str(), answer.name.as_str()), ("01059137", "Langballig"));
    let amt = answer.administration.expect("the administration is named");
    assert_eq!((amt.key.as_str(), amt.serves_several), (AMT_LANGBALLIG, true));
    // Flensburg, a single Gemeinde, is just "Flensburg".
    let flensburg = device.locate(at(augenmerk_tests::MUERWIK)).expect("Flensburg");
    assert_eq!(flensburg.place_name(), "Flensburg");
    assert!(
        !flensburg
            .responsibility()
            .administration
            .is_some_and(|a| a.serves_several)
    );

    // Queued offline in both Gemeinden, each named as the citizen sees it.
    let mut ids = Vec::new();
    for (n, place) in [(1, WEES), (2, LANGBALLIG)] {
        let mut draft = pothole_draft(n, Vec::new());
        draft.location = at(place);
        let id = device.create_report(draft).expect("queued offline");
        ids.push(id);
    }
    let queued = device.report(&ids[0]).expect("queued report");
    assert_eq!(queued.report.sync_state, SyncState::Queued);
    assert_eq!(queued.report.municipality.as_str(), AMT_LANGBALLIG);
    assert_eq!(queued.report.place_name.as_deref(), Some("Wees (Amt Langballig)"));

    // Back online: both arrive at the Amt, and the server names their Gemeinden alike.
    let server = Server::client_on(&server_dir, port);
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.reports_sent, 2, "{summary:?}");
    for (id, place) in ids.iter().zip(["Wees (Amt Langballig)", "Langballig (Amt Langballig)"]) {
        let r = device.report(id).expect("report").report;
        assert_eq!(r.sync_state, SyncState::Sent);
        assert!(
            r.status.is_some_and(|s| s != Status::Forwarded),
            "worked by the Amt: {:?}",
            r.status
        );
        assert_eq!(r.place_name.as_deref(), Some(place));
        assert_eq!(r.mailed_to, None, "worked on the platform");
    }
    drop(server);
}

/// In Flensburg, about 190 m from Wees (Amt Langballig), by the boundaries the server loads.
const NEAR_WEES: (f64, f64) = (54.79395, 9.50117);

#[tokio::test(flavor = "multi_thread")]
async fn near_a_border_the_device_offers_the_neighbour_offline_and_files_the_choice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let mut server = Server::client(&server_dir);
    let port = server.port;
    let device = client(&dir.path().join("device"), &server.url);
    device
        .sync(&SyncOptions::default())
        .await
        .expect("configuration cached");

    // Offline: the cached boundaries offer Flensburg, and Wees's Amt as the alternative
    // (the same candidates as the server's, from augenmerk_geo::candidates).
    server.kill();
    let here = device.locate(at(NEAR_WEES)).expect("in Flensburg");
    assert_eq!((here.ags.as_str(), here.distance_m), (augenmerk_tests::FLENSBURG, 0.0));
    let offered: Vec<(&str, &str)> = here
        .alternatives
        .iter()
        .map(|a| (a.ags.as_str(), a.gemeinde.as_str()))
        .collect();
    assert_eq!(offered, [(AMT_LANGBALLIG, "01059176")]);
    let answer = here.responsibility();
    assert_eq!(answer.alternatives.len(), 1);
    assert_eq!(
        answer.alternatives[0].administration.as_ref().map(|a| a.key.as_str()),
        Some(AMT_LANGBALLIG)
    );

    // The citizen chose Wees: queued under the Amt. A municipality that is no candidate is refused.
    let mut draft = pothole_draft(1, Vec::new());
    draft.location = at(NEAR_WEES);
    draft.municipality = Some(augenmerk_domain::Ags::parse(AMT_LANGBALLIG).expect("key"));
    let id = device.create_report(draft.clone()).expect("queued offline");
    let queued = device.report(&id).expect("queued report").report;
    assert_eq!(queued.municipality.as_str(), AMT_LANGBALLIG);
    assert_eq!(queued.place_name.as_deref(), Some("Wees (Amt Langballig)"));
    draft.municipality = Some(augenmerk_domain::Ags::parse("01002000").expect("Kiel"));
    assert!(
        matches!(device.create_report(draft), Err(ClientError::Invalid(_))),
        "Kiel is no candidate here"
    );

    // Online again: the Amt has it, with the choice in its audit trail.
    let server = Server::client_on(&server_dir, port);
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.reports_sent, 1, "{summary:?}");
    let amt = augenmerk_tests::Staff::login_to(&server.url, Some(AMT_LANGBALLIG), "dispatcher").await;
    let detail = amt.wait_for_report(&id.to_string(), augenmerk_tests::SLOW).await;
    assert_eq!(detail["report"]["gemeinde"], "01059176", "{}", detail["report"]);
    let confirmed = detail["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .find(|e| e["action"]["type"] == "municipality_confirmed")
        .unwrap_or_else(|| panic!("no confirmation: {}", detail["audit"]));
    assert_eq!(
        confirmed["action"]["alternatives"],
        serde_json::json!([augenmerk_tests::FLENSBURG])
    );
    drop(server);
}

/// The raw mails under `mail_dir` sent to `to`, waiting up to a minute for `count` of them.
fn mails_to(mail_dir: &Path, to: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut found = Vec::new();
        for file in std::fs::read_dir(mail_dir).into_iter().flatten().flatten() {
            let Ok(raw) = std::fs::read(file.path()) else { continue };
            let Some(mail) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            let addressed = mail
                .to()
                .into_iter()
                .flat_map(|t| t.iter())
                .any(|a| a.address().is_some_and(|a| a.eq_ignore_ascii_case(to)));
            if addressed {
                found.push(String::from_utf8_lossy(&raw).into_owned());
            }
        }
        if found.len() >= count {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} mails to {to} under {}",
            found.len(),
            mail_dir.display()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_where_the_administration_is_not_on_the_platform_goes_by_mail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("server");
    let server = Server::client(&server_dir);
    let device = client(&dir.path().join("device"), &server.url);
    device
        .sync(&SyncOptions::default())
        .await
        .expect("configuration cached");

    // Lübeck's administration is cached although it is not on the platform.
    let luebeck = device.locate(at(HOLSTENTOR)).expect("Lübeck is in the directory");
    let Delivery::Mail { to } = luebeck.delivery().clone() else {
        panic!("Lübeck's reports go by mail: {:?}", luebeck.delivery())
    };
    assert!(!to.is_empty());
    assert!(luebeck.responsibility().active);
    // Neumünster has neither: nothing to report there.
    let refused = device.locate(at(NEUMUENSTER));
    assert!(
        matches!(refused, Err(ClientError::OutsideMunicipalities { .. })),
        "{refused:?}"
    );
    let mut draft = pothole_draft(1, Vec::new());
    draft.location = at(NEUMUENSTER);
    assert!(device.create_report(draft).is_err(), "nothing is queued for Neumünster");

    // Two reports: one whose author lets the administration have their address, one not.
    let shared = "teilt.adresse@example.org";
    let kept = "behaelt.adresse@example.org";
    let mut ids = Vec::new();
    for (n, email, share) in [(1, shared, true), (2, kept, false)] {
        let mut draft = pothole_draft(n, Vec::new());
        draft.location = at(HOLSTENTOR);
        draft.description = format!("Loch im Pflaster Nr. {n}");
        draft.contact_email = Some(email.into());
        draft.share_contact = share;
        ids.push(device.create_report(draft).expect("queued"));
    }
    let summary = device.sync(&SyncOptions::default()).await.expect("sync");
    assert_eq!(summary.reports_sent, 2, "{summary:?}");
    for id in &ids {
        let r = device.report(id).expect("report").report;
        assert_eq!(
            r.mailed_to.as_deref(),
            Some(to.as_str()),
            "the citizen sees where it went"
        );
        assert_eq!(r.status, Some(Status::Forwarded));
        // The Hansestadt serves one Gemeinde: no "(…)" after its name.
        assert_eq!(r.place_name.as_deref(), Some("Lübeck"));
    }

    // The administration's mails: the address only where its author agreed.
    let mails = mails_to(&server_dir.join("mail"), LUEBECK_MAILBOX, 2);
    let about = |n: u32| {
        mails
            .iter()
            .find(|m| m.contains(&format!("Nr. {n}")))
            .unwrap_or_else(|| panic!("no mail about report {n} among {}", mails.len()))
    };
    assert!(about(1).contains(shared), "the agreed address goes with the mail");
    assert!(!about(2).contains(kept), "no address without consent");

    // The command line says where a report goes, and passes the address on when asked.
    let cli = Cli::new(dir.path().join("cli"), &server.url);
    let (lat, lon) = (HOLSTENTOR.0.to_string(), HOLSTENTOR.1.to_string());
    let printed = cli.json(&[
        "report",
        "--lat",
        &lat,
        "--lon",
        &lon,
        "--category",
        "schlagloch",
        "--answer",
        "gefahr_akut=false",
        "--answer",
        "strassenart=gemeindestrasse",
        "--email",
        shared,
        "--share-contact",
    ]);
    assert_eq!(printed["mail_to"].as_str(), Some(to.as_str()), "{printed}");
    assert_eq!(printed["place"].as_str(), Some("Lübeck"), "{printed}");
    let text = cli.ok(&["sync"]);
    assert!(text.contains("gesendet / sent: 1 Meldungen"), "{text}");
    let listed = cli.ok(&["list"]);
    assert!(
        listed.contains(&format!("per E-Mail gesendet an / sent by e-mail to {to}")),
        "{listed}"
    );
}

/// The demo directory's mailbox for Lübeck (see sync-server/src/demo.rs).
const LUEBECK_MAILBOX: &str = "meldungen@luebeck.example";
