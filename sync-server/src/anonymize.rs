//! Server-side anonymization, for photos that did not pass through the app's on-device
//! anonymizer (Open311 `media` uploads and allow-listed `media_url`s): the same crate and
//! models as on the device. The raw bytes stay in memory; only the anonymized,
//! metadata-free JPEG is stored.
//!
//! The models load on first use (a server that never receives such photos never loads
//! them), and a semaphore bounds how many photos are anonymized at once, so memory stays
//! bounded under load.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{OnceCell, Semaphore};

use augenmerk_anon::{AnonError, Anonymizer, BBox, Kind, Options};
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::{AnonymizedPhoto, BlurredArea, BlurredKind};
use augenmerk_domain::{BlobHash, GeoPoint};
use augenmerk_store::BlobRecord;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The loaded models and the bound on concurrent work.
pub struct ServerAnonymizer {
    models_dir: PathBuf,
    loaded: OnceCell<Arc<Anonymizer>>,
    permits: Semaphore,
}

impl ServerAnonymizer {
    /// An anonymizer that loads its models from `models_dir` when first needed.
    pub fn new(models_dir: PathBuf, concurrent: usize) -> Self {
        Self {
            models_dir,
            loaded: OnceCell::new(),
            permits: Semaphore::new(concurrent.max(1)),
        }
    }

    async fn models(&self) -> ApiResult<Arc<Anonymizer>> {
        let dir = self.models_dir.clone();
        self.loaded
            .get_or_try_init(|| async move {
                let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
                tokio::task::spawn_blocking(move || Anonymizer::load(&dir, threads))
                    .await
                    .map_err(ApiError::internal)?
                    .map(Arc::new)
                    .map_err(|e| ApiError::internal(format!("the anonymizer's models cannot be loaded: {e}")))
            })
            .await
            .cloned()
    }
}

/// Anonymizes a photo (obscuring `extra` areas too, in the upright original's pixels)
/// and stores the result.
pub async fn store_anonymized(state: &AppState, raw: Bytes, extra: Vec<BBox>) -> ApiResult<AnonymizedPhoto> {
    let anon = state.anonymizer.clone();
    let _permit = anon.permits.acquire().await.map_err(ApiError::internal)?;
    let models = anon.models().await?;
    let limits = state.settings.limits.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut options = Options::default();
        options.decode.limits.max_side = limits.max_image_side;
        options.decode.limits.max_megapixels =
            u32::try_from((limits.max_image_pixels / 1_000_000).max(1)).unwrap_or(u32::MAX);
        models.anonymize(&raw, &extra, &options)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(photo_error)?;
    let hash = BlobHash::parse(&crate::blobs::hash_of(&out.jpeg)).map_err(ApiError::internal)?;
    let size = out.jpeg.len() as u64;
    state
        .blobs
        .put(&hash, Bytes::from(out.jpeg))
        .await
        .map_err(ApiError::internal)?;
    state
        .store
        .put_blob(BlobRecord {
            hash: hash.clone(),
            size,
            content_type: "image/jpeg".into(),
            width: out.output_size.0,
            height: out.output_size.1,
        })
        .await?;
    Ok(AnonymizedPhoto {
        hash,
        width: out.output_size.0,
        height: out.output_size.1,
        source_width: out.width,
        source_height: out.height,
        blurred: out
            .blurred
            .iter()
            .map(|b| BlurredArea {
                kind: match b.kind {
                    Kind::Face => BlurredKind::Face,
                    Kind::Plate => BlurredKind::Plate,
                    Kind::Manual => BlurredKind::Manual,
                },
                area: [b.bbox.x1, b.bbox.y1, b.bbox.x2, b.bbox.y2],
            })
            .collect(),
        suggested_location: out.gps.and_then(|g| GeoPoint::parse(g.latitude, g.longitude).ok()),
    })
}

fn photo_error(e: AnonError) -> ApiError {
    match e {
        AnonError::TooLarge { .. } => ApiError::new(ErrorCode::ImageTooLarge),
        AnonError::InvalidBox(b) => ApiError::validation(vec![augenmerk_domain::error::FieldError::new(
            "blur",
            format!("invalid_box {b:?}"),
        )]),
        other => {
            ApiError::new(ErrorCode::UnsupportedMediaType).context(serde_json::json!({ "reason": other.to_string() }))
        }
    }
}
