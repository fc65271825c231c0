//! Server-side anonymization, for photos that did not pass through the app's on-device
//! anonymizer (Open311 `media` uploads and allow-listed `media_url`s): the same crate and
//! models as on the device. The raw bytes stay in memory; only the anonymized,
//! metadata-free JPEG is stored.
//!
//! The models load on first use (a server that never receives such photos never loads
//! them). Anonymizing a photo costs seconds of CPU and hundreds of megabytes, and anyone
//! may send one, so every request is bounded three ways (`PhotoSettings`): a few run at
//! once and only a few more may wait (beyond that, 503 with `Retry-After` at once, so
//! waiting bodies cannot pile up); each has a time budget, waiting included, which the
//! anonymizer itself honours between its stages and views, so the worker thread really
//! stops; and a pixel limit lower than for uploads, checked in the header before anything
//! is decoded or queued.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

use augenmerk_anon::{AnonError, Anonymizer, BBox, Cancel, GpsInfo, Options};
use augenmerk_domain::BlobHash;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::{AnonymizedPhoto, BlurredArea};
use augenmerk_store::{BlobRecord, Uploader};
use chrono::Utc;

use crate::config::PhotoSettings;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What a client is told to wait before it tries again when the server is busy.
pub const BUSY_RETRY_AFTER_SECS: u64 = 10;

/// The loaded models and the bounds on concurrent and waiting work.
pub struct ServerAnonymizer {
    models_dir: PathBuf,
    loaded: OnceCell<Arc<Anonymizer>>,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
}

/// A place among the waiting requests; leaving it (however the wait ends) frees it.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Raises the cancel flag when dropped: if the client goes away, the handler's future is
/// dropped and the anonymizer stops at its next check instead of finishing for no one.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The answer when the server cannot take a photo now: `queue_full` or `time_budget`.
pub fn busy(reason: &str) -> ApiError {
    ApiError::new(ErrorCode::ServerBusy)
        .retry_after(BUSY_RETRY_AFTER_SECS)
        .context(serde_json::json!({ "reason": reason }))
}

impl ServerAnonymizer {
    /// An anonymizer that loads its models from `models_dir` when first needed, runs
    /// `concurrent` photos at once and lets at most `queue` more wait.
    pub fn new(models_dir: PathBuf, concurrent: usize, queue: usize) -> Self {
        Self {
            models_dir,
            loaded: OnceCell::new(),
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// A permit to run, or 503: at once when `queue` requests wait already, or when the
    /// deadline passes while waiting.
    async fn admit(&self, deadline: Instant) -> ApiResult<OwnedSemaphorePermit> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let ahead = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _place = Waiting(&self.waiting);
        if ahead >= self.queue {
            return Err(busy("queue_full"));
        }
        match tokio::time::timeout_at(deadline.into(), self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ApiError::internal(closed)),
            Err(_elapsed) => Err(busy("time_budget")),
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
/// and stores the result, as uploaded by `uploader` if given (it may then attach it, and
/// it counts against the uploader's quota).
pub async fn store_anonymized(
    state: &AppState,
    raw: Bytes,
    extra: Vec<BBox>,
    uploader: Option<&Uploader>,
) -> ApiResult<AnonymizedPhoto> {
    let photos = &state.settings.photos;
    let deadline = Instant::now() + Duration::from_secs(photos.anonymize_seconds.max(1));
    let limits = anonymize_limits(&state.settings.limits, photos);
    // Refuse what is too large from the header alone, before it takes a place in line.
    crate::blobs::check_dimensions(&raw, limits.max_image_side, limits.max_image_pixels)?;
    let anon = state.anonymizer.clone();
    let permit = anon.admit(deadline).await?;
    let models = anon.models().await?;
    let flag = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(flag.clone());
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        // The permit goes with the thread: it is free again only when the work stops.
        let _permit = permit;
        let mut options = Options::default();
        options.decode.limits.max_side = limits.max_image_side;
        options.decode.limits.max_megapixels =
            u32::try_from((limits.max_image_pixels / 1_000_000).max(1)).unwrap_or(u32::MAX);
        options.cancel = Cancel::at(deadline).with_flag(flag);
        models.anonymize(&raw, &extra, &options)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(photo_error)?;
    state.metrics.anonymized(started.elapsed().as_secs_f64());
    let hash = BlobHash::parse(&crate::blobs::hash_of(&out.jpeg)).map_err(ApiError::internal)?;
    let size = out.jpeg.len() as u64;
    let record = BlobRecord {
        hash: hash.clone(),
        size,
        content_type: "image/jpeg".into(),
        width: out.output_size.0,
        height: out.output_size.1,
    };
    crate::blobs::store_photo(state, record, Bytes::from(out.jpeg)).await?;
    if let Some(uploader) = uploader {
        state.store.record_upload(&hash, uploader, size, Utc::now()).await?;
    }
    Ok(AnonymizedPhoto {
        hash,
        width: out.output_size.0,
        height: out.output_size.1,
        source_width: out.width,
        source_height: out.height,
        blurred: out.blurred.iter().map(BlurredArea::from).collect(),
        suggested_location: out.gps.as_ref().and_then(GpsInfo::suggested_location),
    })
}

/// The image limits of server-side anonymization: the upload limits, lowered to
/// `anonymize_max_pixels`.
fn anonymize_limits(limits: &crate::config::Limits, photos: &PhotoSettings) -> crate::config::Limits {
    crate::config::Limits {
        max_image_pixels: limits.max_image_pixels.min(photos.anonymize_max_pixels),
        ..limits.clone()
    }
}

fn photo_error(e: AnonError) -> ApiError {
    match e {
        AnonError::Cancelled => busy("time_budget"),
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
