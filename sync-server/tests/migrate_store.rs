//! Moving house: a municipality that started on the embedded default (SQLite, photos as
//! files) moves to PostgreSQL and an S3 bucket with `migrate-store`, and the server on
//! the new storage shows the same reports, threads and photos.
//!
//! The data directory is filled the way a municipality fills it: the real server (in
//! process, on 127.0.0.1) with the demo seeded, devices that upload photos and submit
//! reports in three tenants, staff who write, reply, note, move reports on and execute
//! an erasure request, a device that follows someone else's report. Then it is stopped
//! and copied into a fresh database of the throwaway PostgreSQL cluster and a prefix of
//! its own in the shared SeaweedFS bucket (both from `augenmerk-testenv`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use augenmerk_domain::{Ags, BlobHash, ReportId};
use augenmerk_server::blobs::{self, BlobStore, FsBlobStore};
use augenmerk_server::config::{ObjectStoreSettings, Settings};
use augenmerk_server::migrate_store::{self, MigrateArgs};
use augenmerk_server::{build_state, demo, routes};
use augenmerk_store::StoreError;
use augenmerk_store::copy;

const PASSWORD: &str = "augenmerk-umzug-passwort";

/// The real server on SQLite in a data directory, driven over HTTP.
struct Municipality {
    address: String,
    client: reqwest::Client,
}

impl Municipality {
    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn expect(&self, status: u16, method: Method, path: &str, token: Option<&str>, body: &Value) -> Value {
        let (got, answer) = self.call(method.clone(), path, token, Some(body)).await;
        assert_eq!(got, status, "{method} {path}: {answer}");
        answer
    }

    async fn device(&self) -> String {
        let body = json!({"platform": "linux", "app_version": "umzug"});
        let device = self.expect(201, Method::POST, "/api/v1/devices", None, &body).await;
        device["token"].as_str().expect("token").to_owned()
    }

    /// Signs in; admins must have a second factor (issue 24): set up at the first sign-in
    /// as a person does, and answered with a code of a step not used yet afterwards.
    async fn login(&self, ags: &str, username: &str) -> String {
        static SECRETS: std::sync::Mutex<Vec<(String, String, u64)>> = std::sync::Mutex::new(Vec::new());
        let who = format!("{}/{ags}/{username}", self.address);
        let step_now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("time")
                .as_secs()
                / 30
        };
        let code = |secret: &str, step: u64| totp(secret).generate(step * 30).to_string();
        let mut body = json!({"municipality": ags, "username": username, "password": PASSWORD});
        if let Some(entry) = SECRETS.lock().expect("secrets").iter_mut().find(|e| e.0 == who) {
            // A code counts once: the next step (accepted one step ahead).
            entry.2 = (entry.2 + 1).max(step_now());
            body["totp"] = json!(code(&entry.1, entry.2));
        }
        let session = self.expect(200, Method::POST, "/api/v1/login", None, &body).await;
        let token = session["token"].as_str().expect("token").to_owned();
        let (_, status) = self
            .call(Method::GET, "/api/v1/staff/me/totp", Some(&token), None)
            .await;
        if status["enrolment_required"] == true {
            let begun = self
                .expect(200, Method::POST, "/api/v1/staff/me/totp", Some(&token), &json!({}))
                .await;
            let secret = begun["secret"].as_str().expect("secret").to_owned();
            let step = step_now();
            let confirm = json!({"code": code(&secret, step)});
            self.expect(
                200,
                Method::POST,
                "/api/v1/staff/me/totp/confirm",
                Some(&token),
                &confirm,
            )
            .await;
            SECRETS.lock().expect("secrets").push((who, secret, step));
        }
        token
    }

    /// A device uploads a photo (a PNG, which the server encodes again, so the stored
    /// bytes differ from the address) and submits a pothole with it; returns the id.
    async fn report_with_photo(&self, device: &str, at: (f64, f64), shade: u8, email: Option<&str>) -> String {
        let photo = png(48 + u32::from(shade % 16), 32, shade);
        let hash = blobs::hash_of(&photo);
        let upload = self
            .client
            .put(format!("{}/api/v1/blobs/{hash}", self.address))
            .bearer_auth(device)
            .header("content-type", "application/octet-stream")
            .body(photo)
            .send()
            .await
            .expect("upload");
        assert!(upload.status().is_success(), "photo upload: {}", upload.status());
        let id = Uuid::new_v4().to_string();
        let report = json!({
            "id": id, "category": "schlagloch",
            "answers": {"gefahr_akut": false, "strassenart": "gemeindestrasse"},
            "description": format!("Schlagloch Nr. {shade}, Radfahrer weichen aus. Straße „Am Ufer“."),
            "location": {"lat": at.0, "lon": at.1}, "photos": [hash], "consent": true,
            "contact_email": email,
        });
        self.expect(201, Method::POST, "/api/v1/reports", Some(device), &report)
            .await;
        id
    }
}

fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 5) as u8, (y * 7) as u8, shade]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).expect("encode a PNG");
    out.into_inner()
}

/// Fills a data directory through the running server, then stops it (the database is
/// closed when this returns). Returns the reports as (municipality, id).
async fn populate(data_dir: &Path) -> Vec<(String, String)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let addr = listener.local_addr().expect("address");
    let settings = Settings {
        listen: addr,
        data_dir: data_dir.to_owned(),
        public_url: Some(format!("http://{addr}")),
        ..Default::default()
    };
    let state = build_state(settings).await.expect("server state on SQLite");
    assert!(
        demo::seed_demo(&state, PASSWORD).await.expect("demo"),
        "a new directory"
    );
    // The router without the background workers: nothing writes once the server stopped.
    let app = routes::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let m = Municipality {
        address: format!("http://{addr}"),
        client: reqwest::Client::new(),
    };

    let places = [
        (demo::FLENSBURG, (54.8100, 9.4800)),
        (demo::KIEL, (54.3233, 10.1394)),
        (demo::AMT_LANGBALLIG, (54.8071, 9.5364)),
    ];
    let (citizen, neighbour) = (m.device().await, m.device().await);
    let mut reports = Vec::new();
    for (n, (ags, at)) in places.iter().enumerate() {
        let dispatcher = m.login(ags, "dispatcher").await;
        for k in 0..3_u8 {
            let shade = u8::try_from(n).expect("few") * 10 + k;
            let email = format!("buerger{shade}@example.org");
            let id = m
                .report_with_photo(&citizen, *at, shade, (k != 1).then_some(email.as_str()))
                .await;
            let staff = format!("/api/v1/staff/reports/{id}");
            let hello = json!({"id": Uuid::new_v4(), "body": format!("Danke für Meldung {shade}, wir sehen nach.")});
            m.expect(
                201,
                Method::POST,
                &format!("{staff}/messages"),
                Some(&dispatcher),
                &hello,
            )
            .await;
            let reply = json!({"id": Uuid::new_v4(), "body": "Es ist gleich neben der Laterne."});
            m.expect(
                201,
                Method::POST,
                &format!("/api/v1/reports/{id}/messages"),
                Some(&citizen),
                &reply,
            )
            .await;
            let note = json!({"id": Uuid::new_v4(), "body": format!("Intern: Trupp {k} fragen.")});
            m.expect(201, Method::POST, &format!("{staff}/notes"), Some(&dispatcher), &note)
                .await;
            if k == 2 {
                let moved = json!({"to": "in_progress", "id": Uuid::new_v4(), "public_comment": "Wir sind dran."});
                m.expect(
                    200,
                    Method::POST,
                    &format!("{staff}/transition"),
                    Some(&dispatcher),
                    &moved,
                )
                .await;
            }
            reports.push(((*ags).to_owned(), id));
        }
    }
    // Someone else's report, followed (one in Kiel: Flensburg's first is erased below).
    let (status, body) = m
        .call(
            Method::PUT,
            &format!("/api/v1/reports/{}/follow", reports[4].1),
            Some(&neighbour),
            None,
        )
        .await;
    assert_eq!(status, 201, "follow: {body}");
    // A written erasure request in Flensburg: the erasure log, a user with another role.
    let admin = m.login(demo::FLENSBURG, "admin").await;
    let officer = json!({"username": "dsb", "display_name": "Datenschutz", "password": PASSWORD,
                         "role": "privacy_officer"});
    m.expect(201, Method::POST, "/api/v1/staff/config/users", Some(&admin), &officer)
        .await;
    let officer = m.login(demo::FLENSBURG, "dsb").await;
    let request = json!({"email": "buerger0@example.org", "reference": "Schreiben vom 1.12.2026"});
    let erased = m
        .expect(
            200,
            Method::POST,
            "/api/v1/staff/privacy/erasures",
            Some(&officer),
            &request,
        )
        .await;
    assert_eq!(erased["reports"], 1, "{erased}");

    let _ = stop.send(());
    server.await.expect("server task").expect("server stopped");
    // Requests may have left short tasks behind; once they are done this is the last
    // handle, and dropping it joins the writer thread: the database is closed.
    for _ in 0..100 {
        if Arc::strong_count(&state.store) == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(Arc::strong_count(&state.store), 1, "nothing else holds the store");
    drop(state);
    reports
}

fn bucket(test: &str) -> ObjectStoreSettings {
    let s3 = augenmerk_testenv::s3::shared().expect("SeaweedFS starts (scripts/setup.sh installs it)");
    ObjectStoreSettings {
        endpoint: s3.endpoint.clone(),
        bucket: s3.bucket.clone(),
        region: s3.region.clone(),
        access_key_id: s3.access_key.clone(),
        secret_access_key: s3.secret_key.clone(),
        prefix: format!("{test}-{}/", Uuid::new_v4()),
    }
}

/// The database name of a cluster URL (`…/t3`).
fn database_name(url: &str) -> &str {
    url.rsplit('/').next().expect("a database name")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_municipality_moves_to_postgres_and_s3_and_reads_back_the_same() {
    let cluster = augenmerk_testenv::pg::shared().expect("PostgreSQL starts");
    let dir = tempfile::tempdir().expect("temporary directory");
    let data_dir = dir.path().join("data");
    let reports = populate(&data_dir).await;
    let sqlite = data_dir.join("augenmerk.db");
    let object_store = bucket("migrate-store");
    let url = cluster.create_database(None).expect("a fresh database");
    let settings = Settings {
        data_dir: data_dir.clone(),
        object_store: Some(object_store.clone()),
        ..Default::default()
    };

    // The move, as the library does it.
    let args = MigrateArgs {
        from: format!("sqlite:{}", sqlite.display()),
        to: url.clone(),
        photos_from: None,
        photos_to_s3: true,
    };
    let moved = migrate_store::migrate(&settings, &args).await.expect("the move");
    let photos = moved.photos.clone().expect("photos were asked for");
    let database = moved
        .database
        .clone()
        .expect("every photo arrived, so the database was copied");
    assert!(photos.is_complete(), "{photos:?}");
    assert_eq!((photos.copied, photos.present), (photos.listed, 0));
    assert!(photos.listed >= 8, "one erased report's photo may be gone: {photos:?}");
    let rows = |table: &str| {
        database
            .tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
            .unwrap_or_else(|| panic!("no table {table}"))
    };
    for table in [
        "reports",
        "messages",
        "notes",
        "audit",
        "events",
        "followers",
        "jobs",
        "erasure_log",
        "blobs",
    ] {
        assert!(rows(table) > 0, "table {table} is empty: {database:?}");
    }
    assert_eq!(rows("reports"), 9);
    assert!(!database.tables.iter().any(|t| t.table == "rate_limits"));
    // Parents before children.
    let position = |table: &str| database.tables.iter().position(|t| t.table == table);
    assert!(position("municipalities") < position("reports"));
    assert!(position("reports") < position("messages"));

    // The server on PostgreSQL and S3 shows what the one on SQLite showed.
    let old = build_state(Settings {
        data_dir: data_dir.clone(),
        ..Default::default()
    })
    .await
    .expect("SQLite state");
    let new_dir = dir.path().join("new");
    let new = build_state(Settings {
        data_dir: new_dir,
        database_url: Some(url.clone()),
        object_store: Some(object_store.clone()),
        ..Default::default()
    })
    .await
    .expect("PostgreSQL state");
    let mut photos_seen = 0;
    for (ags, id) in &reports {
        let (ags, id) = (Ags::parse(ags).expect("ags"), id.parse::<ReportId>().expect("id"));
        let report = old.store.get_report(&ags, &id).await.expect("report on SQLite");
        assert_eq!(
            new.store.get_report(&ags, &id).await.expect("report on PostgreSQL"),
            report
        );
        assert_eq!(
            new.store.list_messages(&ags, &id).await.expect("thread"),
            old.store.list_messages(&ags, &id).await.expect("thread")
        );
        assert_eq!(
            new.store.list_notes(&ags, &id).await.expect("notes"),
            old.store.list_notes(&ags, &id).await.expect("notes")
        );
        assert_eq!(
            new.store.list_audit(&ags, &id).await.expect("audit"),
            old.store.list_audit(&ags, &id).await.expect("audit")
        );
        assert_eq!(
            new.store.list_status_changes(&ags, &id).await.expect("history"),
            old.store.list_status_changes(&ags, &id).await.expect("history")
        );
        for hash in &report.photos {
            let before = old.blobs.get(hash).await.expect("photo in the data directory");
            assert_eq!(new.blobs.get(hash).await.expect("photo in the bucket"), before);
            assert_eq!(
                new.store.get_blob(hash).await.expect("blob row"),
                old.store.get_blob(hash).await.expect("blob row")
            );
            photos_seen += 1;
        }
    }
    assert!(photos_seen >= 8, "the reports keep their photos");
    // Identity sequences continue after the copied rows: a new message comes last.
    let (ags, id) = (
        Ags::parse(&reports[3].0).expect("ags"),
        reports[3].1.parse::<ReportId>().expect("id"),
    );
    let mut message = new.store.list_messages(&ags, &id).await.expect("thread")[0].clone();
    message.id = augenmerk_domain::MessageId::new_random();
    message.body = "Nach dem Umzug geschrieben.".into();
    message.created_at = chrono::Utc::now();
    new.store
        .add_message(&ags, message.clone(), Vec::new())
        .await
        .expect("a new message");
    let thread = new.store.list_messages(&ags, &id).await.expect("thread");
    assert_eq!(thread.last(), Some(&message));
    drop((old, new));

    // A second run into the same database is refused and changes nothing.
    let copy_url = cluster.create_database(None).expect("a second database");
    let first = copy::sqlite_to_postgres(&sqlite, &copy_url).await.expect("copy");
    let again = copy::sqlite_to_postgres(&sqlite, &copy_url).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    assert_eq!(copy::verify(&sqlite, &copy_url).await.expect("still equal"), first);
    assert_eq!(first.tables, database.tables, "the same source hashes alike every time");

    // A changed value, even a boolean, is caught and names its table.
    let name = database_name(&copy_url);
    cluster
        .execute(name, "UPDATE users SET active = NOT active WHERE username = 'dsb'")
        .expect("tamper");
    let caught = copy::verify(&sqlite, &copy_url).await.expect_err("a tampered copy");
    assert!(caught.to_string().contains("table users"), "{caught}");
    assert!(!caught.to_string().contains("table reports"), "{caught}");
    cluster
        .execute(name, "UPDATE users SET active = NOT active WHERE username = 'dsb'")
        .expect("undo");
    cluster.execute(name, "DELETE FROM followers").expect("lose a row");
    let caught = copy::verify(&sqlite, &copy_url).await.expect_err("a lost row");
    assert!(caught.to_string().contains("table followers"), "{caught}");

    // A value that does not fit stops the copy, and the target stays empty: boundaries
    // and municipalities, copied before users, are rolled back with it.
    let broken = dir.path().join("broken.db");
    {
        let original = rusqlite::Connection::open(&sqlite).expect("open");
        original
            .execute("VACUUM INTO ?1", [broken.to_str().expect("a UTF-8 path")])
            .expect("a copy of the file");
        let copy = rusqlite::Connection::open(&broken).expect("open the copy");
        copy.execute("UPDATE users SET active = 2 WHERE username = 'dsb'", [])
            .expect("break a boolean");
    }
    let empty = cluster.create_database(None).expect("a third database");
    let failed = copy::sqlite_to_postgres(&broken, &empty)
        .await
        .expect_err("2 is no boolean");
    assert!(failed.to_string().contains("table users column active"), "{failed}");
    let left = cluster
        .execute(
            database_name(&empty),
            "SELECT (SELECT count(*) FROM boundaries) + (SELECT count(*) FROM municipalities)",
        )
        .expect("count");
    assert_eq!(left.trim(), "0", "all or nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_moves_photos_idempotently_and_refuses_a_used_database() {
    let cluster = augenmerk_testenv::pg::shared().expect("PostgreSQL starts");
    let dir = tempfile::tempdir().expect("temporary directory");
    let data_dir = dir.path().join("data");
    populate(&data_dir).await;
    let object_store = bucket("migrate-store-cli");
    let config = dir.path().join("augenmerk.toml");
    let toml = format!(
        "data_dir = {data:?}\n[object_store]\nendpoint = {endpoint:?}\nbucket = {bucket:?}\nregion = {region:?}\n\
         access_key_id = {key:?}\nsecret_access_key = {secret:?}\nprefix = {prefix:?}\n",
        data = data_dir.display().to_string(),
        endpoint = object_store.endpoint,
        bucket = object_store.bucket,
        region = object_store.region,
        key = object_store.access_key_id,
        secret = object_store.secret_access_key,
        prefix = object_store.prefix,
    );
    std::fs::write(&config, toml).expect("settings file");
    // A photo already in the bucket with the same bytes is not written again.
    let sqlite = data_dir.join("augenmerk.db");
    let hashes = migrate_store::photo_hashes(&sqlite).expect("photos");
    let source: Arc<dyn BlobStore> = Arc::new(FsBlobStore::new(&data_dir.join("blobs")).expect("source"));
    let target: Arc<dyn BlobStore> = Arc::new(blobs::S3BlobStore::new(&object_store).expect("bucket"));
    let first: Vec<BlobHash> = hashes.iter().take(2).cloned().collect();
    let early = migrate_store::copy_photos(source.clone(), target.clone(), first).await;
    assert_eq!((early.copied, early.verified), (2, 2), "{early:?}");

    let run = |url: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_augenmerk-server"))
            .arg("--config")
            .arg(&config)
            .args(["migrate-store", "--from", "sqlite:", "--to", url, "--photos-to-s3"])
            .env_remove("AUGENMERK__DATABASE_URL")
            .output()
            .expect("the command runs")
    };
    let url = cluster.create_database(None).expect("a fresh database");
    let out = run(&url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports_line = stdout
        .lines()
        .find(|l| l.starts_with("reports "))
        .unwrap_or_else(|| panic!("a line per table: {stdout}"));
    assert_eq!(reports_line.split_whitespace().nth(1), Some("9"), "{stdout}");
    let listed = hashes.len();
    assert!(
        stdout.contains(&format!(
            "photos: {listed} listed, {} copied, 2 already there, {listed} verified",
            listed - 2
        )),
        "{stdout}"
    );

    // Again: the photos are all there, the database is refused, nothing changed.
    let before = copy::verify(&sqlite, &url).await.expect("equal");
    let out = run(&url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a used database is refused: {stdout}");
    assert!(stderr.contains("holds data already"), "{stderr}");
    assert_eq!(copy::verify(&sqlite, &url).await.expect("still equal"), before);

    // Without `object_store` the photos cannot go to S3: refused before anything.
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, format!("data_dir = {:?}\n", data_dir.display().to_string())).expect("settings");
    let other = cluster.create_database(None).expect("another database");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_augenmerk-server"))
        .arg("--config")
        .arg(&plain)
        .args(["migrate-store", "--from", "sqlite:", "--to", &other, "--photos-to-s3"])
        .output()
        .expect("the command runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("object_store"));
    let tables = cluster
        .execute(
            database_name(&other),
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'reports'",
        )
        .expect("query");
    assert_eq!(tables.trim(), "0", "nothing was created in the target");

    // A photo lost from the data directory: reported, and the database is not copied.
    let lost = hashes.last().expect("photos").as_str().to_owned();
    std::fs::remove_file(data_dir.join("blobs").join(&lost[0..2]).join(&lost[2..4]).join(&lost))
        .expect("remove a photo");
    let target = cluster.create_database(None).expect("yet another database");
    let out = run(&target);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains(&format!("missing in the source: {lost}")), "{stdout}");
    assert!(stdout.contains("database: not copied"), "{stdout}");
    let tables = cluster
        .execute(
            database_name(&target),
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'reports'",
        )
        .expect("query");
    assert_eq!(tables.trim(), "0", "the database waits for the photos");
}

/// A TOTP generator as an authenticator app sets one up from the secret.
fn totp(secret: &str) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("a base32 secret"))
        .build()
        .expect("a TOTP generator")
}
