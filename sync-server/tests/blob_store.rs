//! The photo stores behave alike: files in a directory, and objects in a real SeaweedFS
//! S3 server on 127.0.0.1 (started once for this test binary by `augenmerk-testenv`,
//! with real signature checks). Each test uses a key prefix of its own in the shared
//! bucket.

use std::io::{Cursor, ErrorKind};

use bytes::Bytes;

use augenmerk_domain::BlobHash;
use augenmerk_server::blobs::{self, BlobStore, FsBlobStore, S3BlobStore};
use augenmerk_server::config::{ObjectStoreSettings, Settings};
use augenmerk_testenv::s3::S3Server;

fn server() -> &'static S3Server {
    augenmerk_testenv::s3::shared().expect("SeaweedFS starts (scripts/setup.sh installs it)")
}

/// Settings for the shared bucket under a prefix no other test uses.
fn bucket_settings(server: &S3Server, test: &str) -> ObjectStoreSettings {
    ObjectStoreSettings {
        endpoint: server.endpoint.clone(),
        bucket: server.bucket.clone(),
        region: server.region.clone(),
        access_key_id: server.access_key.clone(),
        secret_access_key: server.secret_key.clone(),
        prefix: format!("{test}-{}/", uuid::Uuid::new_v4()),
    }
}

fn address(bytes: &[u8]) -> BlobHash {
    BlobHash::parse(&blobs::hash_of(bytes)).expect("a SHA-256 is a valid address")
}

/// A JPEG as a camera would send: noise, so that it does not compress to nothing.
fn jpeg() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let image = image::RgbImage::from_fn(640, 480, |_, _| {
        // xorshift64: deterministic noise without a random-number crate.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let [r, g, b, ..] = state.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode a JPEG");
    out.into_inner()
}

/// 6 MiB of every byte value: larger than SeaweedFS's 4 MB chunks, so it is stored in
/// pieces and must come back whole.
fn large() -> Vec<u8> {
    (0..6 * 1024 * 1024_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// What every photo store must do.
async fn behaves_as_a_photo_store(store: &dyn BlobStore) {
    store.ping().await.expect("the store answers");
    for bytes in [jpeg(), large()] {
        let hash = address(&bytes);
        assert!(!store.exists(&hash).await.expect("exists"), "nothing stored yet");
        let missing = store.get(&hash).await.expect_err("nothing stored yet");
        assert_eq!(missing.kind(), ErrorKind::NotFound, "get of a missing photo: {missing}");

        store.put(&hash, Bytes::from(bytes.clone())).await.expect("put");
        assert!(store.exists(&hash).await.expect("exists"));
        let read = store.get(&hash).await.expect("get");
        assert!(
            read[..] == bytes[..],
            "the photo comes back byte for byte ({} bytes)",
            bytes.len()
        );

        // The same photo again (a retried upload, a second instance): no error, no change.
        store.put(&hash, Bytes::from(bytes.clone())).await.expect("second put");
        assert!(store.get(&hash).await.expect("get")[..] == bytes[..]);

        store.delete(&hash).await.expect("delete");
        assert!(!store.exists(&hash).await.expect("exists"), "deleted");
        let gone = store.get(&hash).await.expect_err("deleted");
        assert_eq!(gone.kind(), ErrorKind::NotFound, "get of a deleted photo: {gone}");
        store
            .delete(&hash)
            .await
            .expect("deleting what is not there is no error");
    }
}

#[tokio::test]
async fn the_filesystem_store_behaves_as_a_photo_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FsBlobStore::new(dir.path()).expect("store");
    behaves_as_a_photo_store(&store).await;
}

#[tokio::test]
async fn the_s3_store_behaves_as_a_photo_store() {
    let store = S3BlobStore::new(&bucket_settings(server(), "behaviour")).expect("store");
    behaves_as_a_photo_store(&store).await;
}

/// SeaweedFS checks signatures: a wrong secret key stores nothing and reads nothing, and
/// a missing photo is then not mistaken for "not found".
#[tokio::test]
async fn a_wrong_secret_key_is_refused() {
    let server = server();
    let settings = bucket_settings(server, "wrong-key");
    let right = S3BlobStore::new(&settings).expect("store");
    let wrong = S3BlobStore::new(&ObjectStoreSettings {
        secret_access_key: format!("{}x", server.secret_key),
        ..settings
    })
    .expect("store");
    let bytes = jpeg();
    let hash = address(&bytes);

    // A failed listing is a generic error in `object_store`, not `PermissionDenied`.
    let refused = wrong.ping().await.expect_err("wrong key");
    assert!(refused.to_string().contains("403 Forbidden"), "{refused}");
    let refused = wrong
        .put(&hash, Bytes::from(bytes.clone()))
        .await
        .expect_err("wrong key");
    assert_eq!(refused.kind(), ErrorKind::PermissionDenied, "{refused}");
    assert!(!right.exists(&hash).await.expect("exists"), "nothing was stored");
    let refused = wrong.exists(&hash).await.expect_err("wrong key");
    assert_eq!(refused.kind(), ErrorKind::PermissionDenied, "{refused}");
    let refused = wrong.get(&hash).await.expect_err("wrong key");
    assert_eq!(refused.kind(), ErrorKind::PermissionDenied, "{refused}");

    right.put(&hash, Bytes::from(bytes.clone())).await.expect("put");
    let refused = wrong.get(&hash).await.expect_err("wrong key");
    assert_eq!(refused.kind(), ErrorKind::PermissionDenied, "{refused}");
    wrong.delete(&hash).await.expect_err("wrong key");
    assert!(right.get(&hash).await.expect("still there")[..] == bytes[..]);
}

/// The readiness check fails when the bucket is missing (a photo would be lost), and
/// when the data directory is gone.
#[tokio::test]
async fn ping_fails_without_a_bucket_or_directory() {
    let missing = S3BlobStore::new(&ObjectStoreSettings {
        bucket: format!("missing-{}", uuid::Uuid::new_v4()),
        ..bucket_settings(server(), "ping")
    })
    .expect("store");
    missing.ping().await.expect_err("no such bucket");

    let dir = tempfile::tempdir().expect("temp dir");
    let files = FsBlobStore::new(&dir.path().join("blobs")).expect("store");
    files.ping().await.expect("the directory is there");
    std::fs::remove_dir_all(dir.path().join("blobs")).expect("remove");
    files.ping().await.expect_err("the directory is gone");
}

/// `blobs::open` uses the bucket when `object_store` is set (and then writes nothing to
/// the data directory), else files under `<data_dir>/blobs`.
#[tokio::test]
async fn open_picks_the_store_the_settings_name() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let bytes = jpeg();
    let hash = address(&bytes);
    let h = hash.as_str();

    let files = Settings {
        data_dir: data_dir.path().to_owned(),
        ..Settings::default()
    };
    blobs::open(&files)
        .expect("open")
        .put(&hash, Bytes::from(bytes.clone()))
        .await
        .expect("put");
    let file = data_dir.path().join("blobs").join(&h[0..2]).join(&h[2..4]).join(h);
    assert!(std::fs::read(&file).expect("the photo is a file") == bytes);
    std::fs::remove_dir_all(data_dir.path().join("blobs")).expect("remove");

    let bucket = bucket_settings(server(), "open");
    let objects = Settings {
        data_dir: data_dir.path().to_owned(),
        object_store: Some(bucket.clone()),
        ..Settings::default()
    };
    blobs::open(&objects)
        .expect("open")
        .put(&hash, Bytes::from(bytes.clone()))
        .await
        .expect("put");
    let direct = S3BlobStore::new(&bucket).expect("store");
    assert!(direct.get(&hash).await.expect("the photo is an object")[..] == bytes[..]);
    assert!(
        !data_dir.path().join("blobs").exists(),
        "nothing is kept on the local disk"
    );
}
