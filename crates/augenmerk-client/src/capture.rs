//! Capturing a photo: anonymize at once, keep only the anonymized JPEG.
//!
//! The raw bytes stay in memory for the duration of the call; only the output of the
//! anonymizer (blurred, metadata-free, downscaled) is written to the photo folder.

use std::sync::Arc;

use rusqlite::params;

use augenmerk_anon::{Anonymizer, BBox, Options};
use augenmerk_domain::BlobHash;

use crate::error::{ClientError, Result};
use crate::model::CapturedPhoto;
use crate::{Client, time};

impl Client {
    /// The anonymizer, loaded on first use (loading the models takes a moment).
    fn anonymizer(&self) -> Result<Arc<Anonymizer>> {
        if let Some(a) = self.anonymizer.get() {
            return Ok(a.clone());
        }
        let dir = self
            .options
            .models_dir
            .clone()
            .unwrap_or_else(augenmerk_anon::default_models_dir);
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let loaded = Arc::new(Anonymizer::load(&dir, threads)?);
        Ok(self.anonymizer.get_or_init(|| loaded).clone())
    }

    /// Anonymizes a photo (faces and plates blurred, plus `extra_boxes` the user marked,
    /// in the upright original's pixels), stores the result and returns its hash, the
    /// blurred boxes and the GPS position found in the photo.
    ///
    /// To blur a spot the detectors missed, call again with the same bytes and the spot
    /// in `extra_boxes`, then [`Client::discard_photo`] the first result.
    pub fn capture_photo(&self, bytes: &[u8], extra_boxes: &[BBox]) -> Result<CapturedPhoto> {
        let anonymizer = self.anonymizer()?;
        let out = anonymizer.anonymize(bytes, extra_boxes, &Options::default())?;
        let hash = self.photos.put(&out.jpeg)?;
        let blurred = serde_json::to_string(&out.blurred).unwrap_or_else(|_| "[]".into());
        let size = out.jpeg.len() as u64;
        self.db(|c| {
            c.execute(
                "INSERT INTO photos (hash, size, width, height, blurred, origin, created_at, source_width, source_height)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'captured', ?6, ?7, ?8) ON CONFLICT (hash) DO NOTHING",
                params![
                    hash.as_str(),
                    size as i64,
                    out.output_size.0,
                    out.output_size.1,
                    blurred,
                    time::ts(&time::now()),
                    out.width,
                    out.height
                ],
            )?;
            Ok(())
        })?;
        let suggested_location = out.gps.as_ref().and_then(augenmerk_anon::GpsInfo::suggested_location);
        Ok(CapturedPhoto {
            hash,
            size,
            dimensions: out.output_size,
            source_dimensions: (out.width, out.height),
            blurred: out.blurred,
            suggested_location,
        })
    }

    /// Forgets a captured photo that no report or action uses (the user replaced it).
    pub fn discard_photo(&self, hash: &BlobHash) -> Result<()> {
        let removed = self.db(|c| {
            let used: bool = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM report_photos WHERE hash = ?1)
                     OR EXISTS (SELECT 1 FROM actions WHERE payload LIKE '%' || ?1 || '%')",
                [hash.as_str()],
                |r| r.get(0),
            )?;
            if used {
                return Ok(false);
            }
            Ok(c.execute(
                "DELETE FROM photos WHERE hash = ?1 AND origin = 'captured'",
                [hash.as_str()],
            )? > 0)
        })?;
        if removed {
            std::fs::remove_file(self.photos.path(hash))
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| ClientError::io("cannot remove photo", e))?;
        }
        Ok(())
    }

    /// Stores a photo that is already anonymized and free of metadata, as produced by
    /// this crate's anonymizer elsewhere (benchmarks and tests prepare many at once).
    #[doc(hidden)]
    pub fn store_prepared_photo(&self, jpeg: &[u8]) -> Result<BlobHash> {
        // Whatever the caller claims, nothing with metadata goes into the outbox.
        if !jpeg.starts_with(&[0xFF, 0xD8]) || augenmerk_anon::encode::strip_jpeg_metadata(jpeg) != jpeg {
            return Err(ClientError::Invalid(vec![augenmerk_domain::error::FieldError::new(
                "photo",
                "not_anonymized",
            )]));
        }
        let hash = self.photos.put(jpeg)?;
        self.db(|c| {
            c.execute(
                "INSERT INTO photos (hash, size, origin, created_at) VALUES (?1, ?2, 'captured', ?3)
                 ON CONFLICT (hash) DO NOTHING",
                params![hash.as_str(), jpeg.len() as i64, time::ts(&time::now())],
            )?;
            Ok(())
        })?;
        Ok(hash)
    }
}
