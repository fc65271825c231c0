//! Photos: content-addressed storage and the checks every upload passes.
//!
//! A photo is addressed by the SHA-256 of the bytes the client uploads. The server
//! checks the bytes against the address, accepts only JPEG, PNG and WebP (by magic
//! bytes, not by the declared content type), bounds the dimensions from the header
//! without decoding the pixels, and strips any metadata that is still there (EXIF with
//! GPS, XMP, IPTC, text chunks) before the bytes reach the disk. Clients anonymize and
//! strip on the device already; this is the second line.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use img_parts::{Bytes as PartBytes, ImageEXIF};
use sha2::{Digest, Sha256};

use augenmerk_domain::BlobHash;
use augenmerk_domain::error::ErrorCode;

use crate::config::Limits;
use crate::error::ApiError;

/// Where photo bytes are kept; the filesystem now, object storage later.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores bytes under a hash (overwriting the same content is harmless).
    async fn put(&self, hash: &BlobHash, bytes: Bytes) -> std::io::Result<()>;
    /// Reads the bytes of a hash.
    async fn get(&self, hash: &BlobHash) -> std::io::Result<Bytes>;
    /// Whether the hash is stored.
    async fn exists(&self, hash: &BlobHash) -> std::io::Result<bool>;
}

/// Photos as files under `<dir>/ab/cd/<hash>`.
pub struct FsBlobStore {
    dir: PathBuf,
}

impl FsBlobStore {
    /// A store rooted at `dir` (created if missing).
    pub fn new(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_owned() })
    }

    fn path(&self, hash: &BlobHash) -> PathBuf {
        let h = hash.as_str();
        self.dir.join(&h[0..2]).join(&h[2..4]).join(h)
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, hash: &BlobHash, bytes: Bytes) -> std::io::Result<()> {
        let path = self.path(hash);
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(&self.dir).to_owned();
        tokio::fs::create_dir_all(&parent).await?;
        // Write to a temporary name, fsync, then rename: a crash never leaves half a photo
        // under a valid address.
        let tmp = parent.join(format!(".{}.{}.tmp", hash.as_str(), uuid::Uuid::new_v4()));
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)?
    }

    async fn get(&self, hash: &BlobHash) -> std::io::Result<Bytes> {
        tokio::fs::read(self.path(hash)).await.map(Bytes::from)
    }

    async fn exists(&self, hash: &BlobHash) -> std::io::Result<bool> {
        tokio::fs::try_exists(self.path(hash)).await
    }
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

/// Photos a request refers to must have been uploaded before; the answer names the
/// missing ones, so a client uploads them and retries (reports and transitions alike).
pub async fn require_uploaded(store: &dyn augenmerk_store::Store, photos: &[BlobHash]) -> Result<(), ApiError> {
    if photos.is_empty() {
        return Ok(());
    }
    let missing = store.missing_blobs(photos).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(ErrorCode::UnknownBlob)
        .context(serde_json::json!({ "missing": missing.iter().map(|h| h.as_str()).collect::<Vec<_>>() })))
}

/// Checks an upload against its address and the limits, and strips metadata.
pub fn check_upload(address: &BlobHash, bytes: Bytes, limits: &Limits) -> Result<CheckedImage, ApiError> {
    if bytes.len() > limits.max_blob_bytes {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    if hash_of(&bytes) != address.as_str() {
        return Err(ApiError::new(ErrorCode::HashMismatch));
    }
    let format = image::guess_format(&bytes).map_err(|_| ApiError::new(ErrorCode::UnsupportedMediaType))?;
    let content_type = match format {
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::Png => "image/png",
        image::ImageFormat::WebP => "image/webp",
        other => {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                .context(serde_json::json!({ "format": format!("{other:?}") })));
        }
    };
    let (width, height) = image::ImageReader::with_format(Cursor::new(&bytes[..]), format)
        .into_dimensions()
        .map_err(|e| {
            ApiError::new(ErrorCode::UnsupportedMediaType).context(serde_json::json!({ "reason": e.to_string() }))
        })?;
    if width == 0
        || height == 0
        || width.max(height) > limits.max_image_side
        || u64::from(width) * u64::from(height) > limits.max_image_pixels
    {
        return Err(ApiError::new(ErrorCode::ImageTooLarge).context(serde_json::json!({
            "width": width, "height": height,
            "max_side": limits.max_image_side, "max_pixels": limits.max_image_pixels
        })));
    }
    let (bytes, stripped) = strip_metadata(format, bytes)?;
    Ok(CheckedImage {
        bytes,
        content_type,
        width,
        height,
        stripped,
    })
}

/// Removes EXIF, XMP, IPTC and comments; keeps the pixels and the colour profile untouched.
fn strip_metadata(format: image::ImageFormat, bytes: Bytes) -> Result<(Bytes, bool), ApiError> {
    let broken = |e: img_parts::Error| {
        ApiError::new(ErrorCode::UnsupportedMediaType).context(serde_json::json!({ "reason": e.to_string() }))
    };
    let input = PartBytes::from(bytes.to_vec());
    match format {
        image::ImageFormat::Jpeg => {
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(input).map_err(broken)?;
            let before = jpeg.segments().len();
            jpeg.segments_mut()
                .retain(|s| !is_metadata_segment(s.marker(), s.contents()));
            let stripped = jpeg.segments().len() != before;
            Ok(if stripped {
                (Bytes::from(jpeg.encoder().bytes().to_vec()), true)
            } else {
                (bytes, false)
            })
        }
        image::ImageFormat::Png => {
            let mut png = img_parts::png::Png::from_bytes(input).map_err(broken)?;
            let before = png.chunks().len();
            png.chunks_mut()
                .retain(|c| !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt" | b"tIME"));
            let stripped = png.chunks().len() != before;
            Ok(if stripped {
                (Bytes::from(png.encoder().bytes().to_vec()), true)
            } else {
                (bytes, false)
            })
        }
        image::ImageFormat::WebP => {
            let mut webp = img_parts::webp::WebP::from_bytes(input).map_err(broken)?;
            let had = webp.exif().is_some() || webp.chunk_by_id(*b"XMP ").is_some();
            if had {
                webp.set_exif(None);
                webp.remove_chunks_by_id(*b"XMP ");
            }
            Ok(if had {
                (Bytes::from(webp.encoder().bytes().to_vec()), true)
            } else {
                (bytes, false)
            })
        }
        _ => Err(ApiError::new(ErrorCode::UnsupportedMediaType)),
    }
}

/// APP1 (EXIF, XMP), APP12 (Ducky/Picture Info), APP13 (IPTC/Photoshop) and COM segments.
fn is_metadata_segment(marker: u8, _contents: &[u8]) -> bool {
    use img_parts::jpeg::markers;
    matches!(marker, markers::APP1 | markers::APP12 | markers::APP13 | markers::COM)
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
