//! The municipalities a field worker logs in to, by name (issue 21): the server's list of
//! administrations with staff (not those whose reports are mailed, such as Lübeck), and
//! the same list from the cached configurations when the server cannot be reached.

use augenmerk_client::{Client, ClientOptions, SyncOptions};
use augenmerk_domain::public::{Delivery, MunicipalityInfo};

use augenmerk_tests::Server;

fn names(list: &[MunicipalityInfo]) -> Vec<&str> {
    list.iter().map(|m| m.name.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_lists_the_municipalities_with_staff_online_and_from_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::client(&dir.path().join("server"));
    let device =
        Client::open(ClientOptions::new(dir.path().join("device"), Some(server.url.clone()))).expect("open client");

    // Nothing cached yet: the server's list.
    let online = device.staff_municipalities().await.expect("online list");
    assert_eq!(names(&online), ["Amt Langballig", "Flensburg", "Kiel"]);
    assert!(online.iter().all(|m| m.delivery == Delivery::Platform), "{online:?}");

    // Offline after a sync: the cached configurations give the same list (the mailed
    // administrations, cached for citizens' reports, are left out).
    device
        .sync(&SyncOptions::default())
        .await
        .expect("configuration cached");
    assert!(
        device
            .municipalities()
            .expect("cache")
            .iter()
            .any(|m| m.config.delivery != Delivery::Platform),
        "the cache also holds mailed administrations"
    );
    server.kill();
    let offline = device.staff_municipalities().await.expect("cached list");
    assert_eq!(names(&offline), names(&online));
    assert_eq!(
        offline.iter().map(|m| m.ags.as_str()).collect::<Vec<_>>(),
        online.iter().map(|m| m.ags.as_str()).collect::<Vec<_>>()
    );
}
