//! Photos in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph RGW, …), which
//! several server instances share. Nothing is cached on the local disk: every read goes
//! to the bucket.
//!
//! Keys are laid out as in the filesystem store, `<prefix>/ab/cd/<hash>`, so a data
//! directory's `blobs/` can be copied into a bucket as it is.

use std::time::Duration;

use bytes::Bytes;
use object_store::aws::{AmazonS3, AmazonS3Builder, S3ConditionalPut};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, RetryConfig};

use augenmerk_domain::BlobHash;

use super::BlobStore;
use crate::config::ObjectStoreSettings;

/// Photos as objects `<prefix>/ab/cd/<hash>` in one bucket.
#[derive(Debug)]
pub struct S3BlobStore {
    store: AmazonS3,
    prefix: Path,
}

impl S3BlobStore {
    /// A store for the bucket in `settings` (which must exist). Nothing is sent yet: a
    /// wrong endpoint or key shows at the first request.
    pub fn new(settings: &ObjectStoreSettings) -> anyhow::Result<Self> {
        // The prefix is a folder: `augenmerk` and `augenmerk/` name the same one.
        let prefix = Path::parse(settings.prefix.trim_matches('/'))
            .map_err(|e| anyhow::anyhow!("object_store.prefix {:?}: {e}", settings.prefix))?;
        let store = AmazonS3Builder::new()
            .with_endpoint(&settings.endpoint)
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            // `endpoint/bucket/key`: servers other than AWS rarely have a DNS name per bucket.
            .with_virtual_hosted_style_request(false)
            .with_allow_http(settings.endpoint.starts_with("http://"))
            // `If-None-Match: *` (AWS, SeaweedFS, MinIO, R2): a photo is written once.
            .with_conditional_put(S3ConditionalPut::ETagMatch)
            // Server errors and lost connections are retried, but no retry starts later
            // than 20 s after the first attempt (the default keeps trying for three
            // minutes, longer than any client waits for its answer).
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
                ..RetryConfig::default()
            })
            .build()
            .map_err(|e| anyhow::anyhow!("object store {} bucket {}: {e}", settings.endpoint, settings.bucket))?;
        Ok(Self { store, prefix })
    }

    fn key(&self, hash: &BlobHash) -> Path {
        let h = hash.as_str();
        // A hash is 64 hex digits (checked by `BlobHash`), so each part is a valid segment.
        self.prefix.clone().join(&h[0..2]).join(&h[2..4]).join(h)
    }
}

/// An object store error as the I/O error the [`BlobStore`] callers expect: a missing
/// object is [`std::io::ErrorKind::NotFound`], as a missing file is.
fn io_error(e: object_store::Error) -> std::io::Error {
    use std::io::ErrorKind;
    let kind = match &e {
        object_store::Error::NotFound { .. } => ErrorKind::NotFound,
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => {
            ErrorKind::PermissionDenied
        }
        _ => ErrorKind::Other,
    };
    std::io::Error::new(kind, e)
}

#[async_trait::async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, hash: &BlobHash, bytes: Bytes) -> std::io::Result<()> {
        let options = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&self.key(hash), PutPayload::from_bytes(bytes), options)
            .await
        {
            // Stored before: the same address holds the same photo.
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }

    async fn get(&self, hash: &BlobHash) -> std::io::Result<Bytes> {
        let object = self.store.get(&self.key(hash)).await.map_err(io_error)?;
        object.bytes().await.map_err(io_error)
    }

    async fn exists(&self, hash: &BlobHash) -> std::io::Result<bool> {
        match self.store.head(&self.key(hash)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(io_error(e)),
        }
    }

    async fn delete(&self, hash: &BlobHash) -> std::io::Result<()> {
        match self.store.delete(&self.key(hash)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }

    async fn ping(&self) -> std::io::Result<()> {
        // A signed listing of the prefix's first level (at most 256 `ab/` folders, one
        // page): it fails for a server that does not answer, a wrong key and a missing
        // bucket alike, where a HEAD of some key could not tell a missing bucket from a
        // missing key.
        let prefix = (!self.prefix.is_root()).then_some(&self.prefix);
        self.store.list_with_delimiter(prefix).await.map(drop).map_err(io_error)
    }
}
