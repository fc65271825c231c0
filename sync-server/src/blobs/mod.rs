//! Photos: content-addressed storage and the checks every upload passes.
//!
//! A photo is addressed by the SHA-256 of the bytes the client uploads. The server
//! checks the bytes against the address, accepts only JPEG, PNG and WebP (by magic
//! bytes, not by the declared content type), bounds the dimensions from the header
//! before any pixel is decoded (a small file can announce a huge image), and then makes
//! sure that what reaches the disk is an image and nothing else: a JPEG (what devices
//! send, already anonymized and encoded once) is reduced to the segments a decoder needs,
//! byte for byte, so it loses no quality ([`crate::jpeg_segments`]); a PNG or WebP is
//! decoded and encoded again, losslessly, which leaves no chunk of the original. Either
//! way the stored bytes are decoded in full before they are accepted.
//!
//! The stored bytes may therefore differ from the uploaded ones; they stay under the
//! uploaded address, which is what the client knows the photo by (it never re-hashes a
//! download; see `docs/sync-protocol.md`).
//!
//! Where the bytes live is a [`BlobStore`]: files in the data directory ([`FsBlobStore`],
//! one instance) or an S3-compatible bucket ([`S3BlobStore`], which several instances
//! share); [`open`] picks one from the settings.

mod fs;
mod s3;

pub use fs::FsBlobStore;
pub use s3::S3BlobStore;

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::{Ags, BlobHash, DeviceId};
use augenmerk_store::{BlobRecord, StoreError, UploadUsage, Uploader};

use crate::config::Limits;
use crate::error::ApiError;
use crate::state::AppState;

/// Where photo bytes are kept: files in the data directory or an S3-compatible bucket.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores bytes under a hash (overwriting the same content is harmless).
    async fn put(&self, hash: &BlobHash, bytes: Bytes) -> std::io::Result<()>;
    /// Reads the bytes of a hash; a hash that is not stored is an error of kind
    /// [`std::io::ErrorKind::NotFound`] in every store.
    async fn get(&self, hash: &BlobHash) -> std::io::Result<Bytes>;
    /// Whether the hash is stored.
    async fn exists(&self, hash: &BlobHash) -> std::io::Result<bool>;
    /// Deletes the bytes of a hash (deleting what is not there is no error).
    async fn delete(&self, hash: &BlobHash) -> std::io::Result<()>;
    /// Whether the store answers and can be used (a load balancer's readiness check);
    /// cheap enough to be asked every few seconds.
    async fn ping(&self) -> std::io::Result<()>;
}

/// The photo store the settings ask for: the S3 bucket of `object_store` when it is set,
/// else files under the data directory's `blobs/`.
pub fn open(settings: &crate::config::Settings) -> anyhow::Result<Arc<dyn BlobStore>> {
    Ok(match &settings.object_store {
        Some(s3) => Arc::new(S3BlobStore::new(s3)?),
        None => Arc::new(FsBlobStore::new(&settings.blob_dir())?),
    })
}

/// An upload that passed every check, ready to store.
#[derive(Debug)]
pub struct CheckedImage {
    /// The bytes to store (metadata removed).
    pub bytes: Bytes,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: &'static str,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Whether metadata had to be removed.
    pub stripped: bool,
}

/// The SHA-256 of bytes, as a blob address.
pub fn hash_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Who attaches photos to a report or a transition.
#[derive(Debug, Clone, Copy)]
pub enum Attacher<'a> {
    /// A device: only photos it uploaded or its reports use.
    Device(&'a DeviceId),
    /// Staff of a municipality: only photos its staff uploaded or its reports use.
    Staff(&'a Ags),
    /// This server, with photos it anonymized itself in the same request (Open311
    /// `media`): they only need to be stored.
    Server,
}

/// Photos a request refers to must have been uploaded before, by whoever attaches them:
/// knowing a hash is not having the photo. The answer names the missing ones as
/// `unknown_blob`, so a client uploads them (proving it has the bytes) and retries
/// (reports and transitions alike), as it does when the server lost a photo.
pub async fn require_uploaded(
    store: &dyn augenmerk_store::Store,
    photos: &[BlobHash],
    by: Attacher<'_>,
) -> Result<(), ApiError> {
    if photos.is_empty() {
        return Ok(());
    }
    let missing = match by {
        Attacher::Device(device) => store.unattachable_blobs(photos, Some(device), None).await?,
        Attacher::Staff(ags) => store.unattachable_blobs(photos, None, Some(ags)).await?,
        Attacher::Server => store.missing_blobs(photos).await?,
    };
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(ErrorCode::UnknownBlob)
        .context(serde_json::json!({ "missing": missing.iter().map(|h| h.as_str()).collect::<Vec<_>>() })))
}

/// Refuses a device's upload once its uploads of the last 24 hours reached the quota
/// (photos or bytes); `Retry-After` says when the oldest of them leaves the window.
pub async fn check_quota(state: &AppState, device: &DeviceId) -> Result<(), ApiError> {
    let quota = &state.settings.photos;
    let now = Utc::now();
    let usage = state
        .store
        .device_uploads_since(device, now - chrono::Duration::hours(24))
        .await?;
    if let Some(retry_after) = quota_exceeded(&usage, quota.per_device_per_day, quota.bytes_per_device_per_day, now) {
        return Err(ApiError::new(ErrorCode::QuotaExceeded)
            .retry_after(retry_after)
            .context(serde_json::json!({
                "photos_per_day": quota.per_device_per_day,
                "bytes_per_day": quota.bytes_per_device_per_day,
            })));
    }
    Ok(())
}

/// Seconds until an upload is allowed again, or `None` while the quota is not reached.
fn quota_exceeded(usage: &UploadUsage, photos: u64, bytes: u64, now: DateTime<Utc>) -> Option<u64> {
    if usage.photos < photos && usage.bytes < bytes {
        return None;
    }
    let frees_at = usage.oldest.unwrap_or(now) + chrono::Duration::hours(24);
    Some(u64::try_from((frees_at - now).num_seconds()).unwrap_or(0).max(1))
}

/// Full decodes of uploads at once: each costs CPU and up to `max_image_pixels` × 8
/// bytes, so no more of them run than there are cores.
fn decode_slots() -> &'static Arc<tokio::sync::Semaphore> {
    static SLOTS: OnceLock<Arc<tokio::sync::Semaphore>> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Arc::new(tokio::sync::Semaphore::new(cores))
    })
}

/// `PUT /blobs/{hash}`: checks and stores a photo and records who uploaded it. A photo
/// that is stored already is not checked again, but its bytes must be sent all the same
/// and must hash to the address: only then may this uploader use it.
pub async fn accept_upload(
    state: &AppState,
    uploader: Uploader,
    hash: BlobHash,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let limits = state.settings.limits.clone();
    if body.len() > limits.max_blob_bytes {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    let stored = match state.store.get_blob(&hash).await {
        Ok(record) => Some(record),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(record) = &stored {
        if hash_of(&body) != hash.as_str() {
            return Err(ApiError::new(ErrorCode::HashMismatch));
        }
        let (device, ags) = match &uploader {
            Uploader::Device(d) => (Some(d), None),
            Uploader::Municipality(a) => (None, Some(a)),
        };
        if state.store.blob_visible_to(&hash, device, ags).await? {
            return Ok(StatusCode::OK);
        }
        if let Uploader::Device(d) = &uploader {
            check_quota(state, d).await?;
        }
        state
            .store
            .record_upload(&hash, &uploader, record.size, Utc::now())
            .await?;
        return Ok(StatusCode::OK);
    }
    if let Uploader::Device(d) = &uploader {
        check_quota(state, d).await?;
    }
    let slot = decode_slots()
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let checked = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        check_upload(&hash, body, &limits).map(|c| (hash, c))
    })
    .await
    .map_err(ApiError::internal)??;
    let (hash, checked) = checked;
    if checked.stripped {
        tracing::info!(blob = %hash, "removed metadata or extra data from an uploaded photo");
    }
    let size = checked.bytes.len() as u64;
    let record = BlobRecord {
        hash: hash.clone(),
        size,
        content_type: checked.content_type.to_owned(),
        width: checked.width,
        height: checked.height,
    };
    store_photo(state, record, checked.bytes).await?;
    state.store.record_upload(&hash, &uploader, size, Utc::now()).await?;
    Ok(StatusCode::CREATED)
}

/// Keeps a checked photo: the bytes in the photo store first, then its row, so that a row
/// never names a file that is not there.
pub async fn store_photo(state: &AppState, record: BlobRecord, bytes: Bytes) -> Result<(), ApiError> {
    state.blobs.put(&record.hash, bytes).await.map_err(ApiError::internal)?;
    state.store.put_blob(record).await?;
    Ok(())
}

/// Checks an upload against its address and the limits, and keeps only the image.
pub fn check_upload(address: &BlobHash, bytes: Bytes, limits: &Limits) -> Result<CheckedImage, ApiError> {
    if bytes.len() > limits.max_blob_bytes {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    if hash_of(&bytes) != address.as_str() {
        return Err(ApiError::new(ErrorCode::HashMismatch));
    }
    let (format, width, height) = check_dimensions(&bytes, limits.max_image_side, limits.max_image_pixels)?;
    let content_type = content_type(format)?;
    let (bytes, stripped) = clean(format, bytes, limits)?;
    Ok(CheckedImage {
        bytes,
        content_type,
        width,
        height,
        stripped,
    })
}

fn unsupported(reason: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::UnsupportedMediaType).context(serde_json::json!({ "reason": reason.to_string() }))
}

fn content_type(format: image::ImageFormat) -> Result<&'static str, ApiError> {
    Ok(match format {
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::Png => "image/png",
        image::ImageFormat::WebP => "image/webp",
        other => {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                .context(serde_json::json!({ "format": format!("{other:?}") })));
        }
    })
}

/// The format and size an image announces in its header, refused when it is not JPEG,
/// PNG or WebP or is larger than allowed. Reads the header only: nothing is decoded, so
/// a decompression bomb is refused for what it claims before it can cost anything.
pub fn check_dimensions(
    bytes: &[u8],
    max_side: u32,
    max_pixels: u64,
) -> Result<(image::ImageFormat, u32, u32), ApiError> {
    let format = image::guess_format(bytes).map_err(|_| ApiError::new(ErrorCode::UnsupportedMediaType))?;
    content_type(format)?;
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unsupported)?;
    if width == 0 || height == 0 || width.max(height) > max_side || u64::from(width) * u64::from(height) > max_pixels {
        return Err(ApiError::new(ErrorCode::ImageTooLarge).context(serde_json::json!({
            "width": width, "height": height, "max_side": max_side, "max_pixels": max_pixels
        })));
    }
    Ok((format, width, height))
}

/// What is stored: the JPEG's decoding segments, or the PNG/WebP encoded afresh; in
/// both cases decoded in full first, under the size limits, to prove it is an image.
fn clean(format: image::ImageFormat, bytes: Bytes, limits: &Limits) -> Result<(Bytes, bool), ApiError> {
    match format {
        image::ImageFormat::Jpeg => {
            let (stripped, removed) = crate::jpeg_segments::strip(&bytes).map_err(unsupported)?;
            decode_fully(&stripped, format, limits)?;
            Ok(if removed {
                (Bytes::from(stripped), true)
            } else {
                (bytes, false)
            })
        }
        image::ImageFormat::Png | image::ImageFormat::WebP => {
            let image = decode_fully(&bytes, format, limits)?;
            let mut out = Cursor::new(Vec::new());
            let encoded = match format {
                image::ImageFormat::WebP => {
                    image.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
                }
                _ => image.write_to(&mut out, image::ImageFormat::Png),
            };
            encoded.map_err(ApiError::internal)?;
            let out = out.into_inner();
            let changed = out[..] != bytes[..];
            Ok((Bytes::from(out), changed))
        }
        _ => Err(ApiError::new(ErrorCode::UnsupportedMediaType)),
    }
}

/// Decodes every pixel under the size and allocation limits.
fn decode_fully(bytes: &[u8], format: image::ImageFormat, limits: &Limits) -> Result<image::DynamicImage, ApiError> {
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(limits.max_image_side);
    decode_limits.max_image_height = Some(limits.max_image_side);
    // RGBA with 16 bits per channel is the largest a decoder allocates per pixel.
    decode_limits.max_alloc = Some(limits.max_image_pixels.saturating_mul(8));
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits);
    reader.decode().map_err(unsupported)
}

/// A stored photo as a file to send on (a mail attachment, an Open311 `media` part).
pub struct PhotoFile {
    /// `foto-<n>.<ext>`.
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Bytes,
}

/// Reads a stored photo as the `n`-th file (from 1) of a mail or request.
pub async fn photo_file(state: &AppState, hash: &BlobHash, n: usize) -> Result<PhotoFile, String> {
    let meta = state
        .store
        .get_blob(hash)
        .await
        .map_err(|e| format!("photo {hash}: {e}"))?;
    let bytes = state.blobs.get(hash).await.map_err(|e| format!("photo {hash}: {e}"))?;
    let ext = match meta.content_type.as_str() {
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    };
    Ok(PhotoFile {
        name: format!("foto-{n}.{ext}"),
        content_type: meta.content_type,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 200, 30]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).expect("encode png");
        out.into_inner()
    }

    fn addr(bytes: &[u8]) -> BlobHash {
        BlobHash::parse(&hash_of(bytes)).expect("valid hash")
    }

    #[test]
    fn accepts_a_small_png() {
        let bytes = png(8, 6);
        let checked = check_upload(&addr(&bytes), Bytes::from(bytes), &limits()).expect("accepted");
        assert_eq!(
            (checked.width, checked.height, checked.content_type),
            (8, 6, "image/png")
        );
    }

    #[test]
    fn rejects_mismatch_non_images_and_huge_headers() {
        let bytes = png(8, 6);
        let wrong = addr(b"other");
        assert_eq!(
            check_upload(&wrong, Bytes::from(bytes), &limits())
                .map(|_| ())
                .expect_err("must be rejected")
                .code(),
            ErrorCode::HashMismatch
        );
        let text = b"hello, not an image".to_vec();
        assert_eq!(
            check_upload(&addr(&text), Bytes::from(text), &limits())
                .map(|_| ())
                .expect_err("must be rejected")
                .code(),
            ErrorCode::UnsupportedMediaType
        );
        // A PNG whose header claims 100,000 × 100,000 pixels.
        let mut huge = png(1, 1);
        huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // Keep the header's checksum valid, as a crafted file would.
        let crc = crc32fast::hash(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            check_upload(&addr(&huge), Bytes::from(huge), &limits())
                .map(|_| ())
                .expect_err("must be rejected")
                .code(),
            ErrorCode::ImageTooLarge
        );
    }
}
