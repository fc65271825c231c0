//! Photos on the web page: anonymized in the browser by `window.augenmerkAnon` (the
//! anonymizer's Web Worker, `js/anon.js`) and kept in IndexedDB until the report that uses
//! them is accepted; uploaded at sync time like the app does (`HEAD`, then `PUT
//! /api/v1/blobs/{hash}`). Only where the browser cannot run the anonymizer ("unsupported:",
//! "failed:") the photo goes to `POST /api/v1/photos`, where the server anonymizes it; the
//! page says which happened, per photo (`data-anonymized` on its card).

use gloo_net::http::Request;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::public::{AnonymizedPhoto, BlurredArea};
use augenmerk_domain::{BlobHash, GeoPoint};
use augenmerk_sync::Answer;

use super::WebBackend;
use super::transport::{API, Sent};
use crate::backend::{AnonymizedBy, UiError, UiResult};

#[wasm_bindgen]
extern "C" {
    /// `window.augenmerkAnon.available()`; throws when `anon.js` did not load.
    #[wasm_bindgen(js_namespace = augenmerkAnon, js_name = available, catch)]
    fn anon_available() -> Result<bool, JsValue>;

    /// `window.augenmerkAnon.anonymize(bytes, boxes)`: a Promise of the anonymized photo.
    #[wasm_bindgen(js_namespace = augenmerkAnon, js_name = anonymize, catch)]
    fn anon_anonymize(bytes: &js_sys::Uint8Array, boxes: &js_sys::Array) -> Result<js_sys::Promise, JsValue>;
}

/// Whether this browser anonymizes photos itself.
pub fn on_device() -> bool {
    anon_available().unwrap_or(false)
}

/// What `anonymize` resolves to, less the JPEG (read separately, as bytes).
#[derive(Deserialize)]
struct Anonymized {
    hash: String,
    width: u32,
    height: u32,
    source_width: u32,
    source_height: u32,
    blurred: Vec<BlurredArea>,
    gps: Option<GeoPoint>,
}

/// Why the browser's anonymizer gave up.
enum AnonFailure {
    /// The browser cannot do it ("unsupported:", "failed:"): the server anonymizes instead.
    UseServer,
    /// The photo itself is the problem: the user is told.
    Photo(UiError),
}

impl WebBackend {
    /// Anonymizes a photo in the browser and keeps the result in IndexedDB; falls back to
    /// the server's anonymizing upload where the browser cannot. `blur` are boxes in the
    /// original's pixels that the user marked.
    pub async fn add_photo(&self, bytes: Vec<u8>, blur: &[[f32; 4]]) -> UiResult<AnonymizedPhoto> {
        if on_device() {
            match self.anonymize_here(&bytes, blur).await {
                Ok(photo) => return Ok(photo),
                Err(AnonFailure::Photo(e)) => return Err(e),
                Err(AnonFailure::UseServer) => {}
            }
        }
        let photo = self.anonymize_on_server(bytes, blur).await?;
        self.remember_where(&photo.hash, AnonymizedBy::Server);
        Ok(photo)
    }

    async fn anonymize_here(&self, bytes: &[u8], blur: &[[f32; 4]]) -> Result<AnonymizedPhoto, AnonFailure> {
        let boxes = js_sys::Array::new();
        if !blur.is_empty() {
            // The anonymizer takes fractions of the upright picture; the marks are pixels.
            let (w, h) = upright_size(bytes).await.map_err(|_| AnonFailure::UseServer)?;
            for b in blur {
                let fractions = [b[0] / w, b[1] / h, b[2] / w, b[3] / h].map(|v| JsValue::from_f64(f64::from(v)));
                boxes.push(&js_sys::Array::from_iter(fractions));
            }
        }
        let input = js_sys::Uint8Array::from(bytes);
        let promise = anon_anonymize(&input, &boxes).map_err(|_| AnonFailure::UseServer)?;
        let result = JsFuture::from(promise).await.map_err(anon_failure)?;
        let jpeg = js_sys::Reflect::get(&result, &JsValue::from_str("jpeg"))
            .ok()
            .and_then(|j| j.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|j| j.to_vec())
            .ok_or(AnonFailure::UseServer)?;
        let meta: Anonymized = serde_wasm_bindgen::from_value(result).map_err(|_| AnonFailure::UseServer)?;
        let hash = BlobHash::parse(&meta.hash).map_err(|_| AnonFailure::UseServer)?;
        self.store()
            .await
            .map_err(AnonFailure::Photo)?
            .put_photo(&hash, &jpeg)
            .await
            .map_err(|e| AnonFailure::Photo(UiError::unexpected(e)))?;
        self.remember_where(&hash, AnonymizedBy::Device);
        Ok(AnonymizedPhoto {
            hash,
            width: meta.width,
            height: meta.height,
            source_width: meta.source_width,
            source_height: meta.source_height,
            blurred: meta.blurred,
            suggested_location: meta.gps,
        })
    }

    /// `POST /api/v1/photos`: the server anonymizes and stores the photo (today's path for
    /// browsers without the worker).
    async fn anonymize_on_server(&self, bytes: Vec<u8>, blur: &[[f32; 4]]) -> UiResult<AnonymizedPhoto> {
        let mut url = format!("{API}/photos");
        if !blur.is_empty() {
            url.push_str("?blur=");
            url.push_str(&augenmerk_domain::blur::BlurBoxes::drawn(blur).to_string());
        }
        let body = js_sys::Uint8Array::from(bytes.as_slice());
        let request = self
            .authed(Request::post(&url).header("Content-Type", "application/octet-stream"))
            .await?
            .body(body)
            .map_err(UiError::unexpected);
        Self::json(request).await
    }

    /// Where a photo of this page was anonymized, as far as this page knows.
    pub fn anonymized_by(&self, hash: &BlobHash) -> Option<AnonymizedBy> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .anonymized
            .get(hash)
            .copied()
    }

    fn remember_where(&self, hash: &BlobHash, by: AnonymizedBy) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .anonymized
            .insert(hash.clone(), by);
    }

    /// A photo the user removed from the form: dropped here unless a queued report uses it.
    pub async fn discard_photo(&self, hash: &BlobHash) -> UiResult<()> {
        let store = self.store().await?;
        store
            .drop_unused_photos(std::slice::from_ref(hash))
            .await
            .map_err(UiError::unexpected)
    }

    /// An address an `<img>` shows the photo from: from IndexedDB while it is kept here
    /// (offline too), else fetched from the server with the token (`<img>` cannot send it).
    pub async fn photo_src(&self, hash: &BlobHash) -> UiResult<String> {
        if let Ok(store) = self.store().await
            && let Ok(Some(bytes)) = store.photo(hash).await
        {
            self.remember_where(hash, AnonymizedBy::Device);
            return object_url(&bytes);
        }
        let request = self
            .authed(Request::get(&format!("{API}/blobs/{}", hash.as_str())))
            .await?;
        let response = Self::send(request.build().map_err(UiError::unexpected)).await?;
        let bytes = response.binary().await.map_err(UiError::unexpected)?;
        if self.anonymized_by(hash).is_none() {
            self.remember_where(hash, AnonymizedBy::Server);
        }
        object_url(&bytes)
    }

    /// Uploads the photos a report uses that are kept here and the server lacks. The
    /// first answer that is not a success decides for the report; photos that are not kept
    /// here went through the server's anonymizing upload and are there already.
    pub(super) async fn upload_photos(&self, photos: &[BlobHash]) -> Sent {
        let Ok(store) = self.store().await else {
            return Sent {
                answer: Answer::Network,
                error: None,
            };
        };
        for hash in photos {
            let Ok(Some(jpeg)) = store.photo(hash).await else {
                continue;
            };
            let url = format!("{API}/blobs/{}", hash.as_str());
            let head = self
                .exchange(|token, signal| {
                    gloo_net::http::RequestBuilder::new(&url)
                        .method(gloo_net::http::Method::HEAD)
                        .abort_signal(signal)
                        .header("Authorization", &format!("Bearer {token}"))
                        .build()
                        .map_err(UiError::unexpected)
                })
                .await;
            match head.answer {
                Answer::Ok => continue,
                // Not there yet: upload it.
                Answer::Status { status: 404, .. } => {}
                _ => return head,
            }
            let put = self
                .exchange(|token, signal| {
                    Request::put(&url)
                        .abort_signal(signal)
                        .header("Authorization", &format!("Bearer {token}"))
                        .header("Content-Type", "image/jpeg")
                        .body(js_sys::Uint8Array::from(jpeg.as_slice()))
                        .map_err(UiError::unexpected)
                })
                .await;
            if put.answer != Answer::Ok {
                return put;
            }
        }
        Sent {
            answer: Answer::Ok,
            error: None,
        }
    }
}

/// Reads the anonymizer's rejection: its message starts with a code.
fn anon_failure(e: JsValue) -> AnonFailure {
    let message = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default();
    match message.split_once(':').map(|(code, _)| code.trim()) {
        Some("bad_image") => AnonFailure::Photo(UiError::localized("e-photo-unreadable")),
        Some("too_large") => AnonFailure::Photo(UiError::localized("e-photo-too-large")),
        // "unsupported", "failed", or something the contract does not name.
        _ => AnonFailure::UseServer,
    }
}

/// The size of the upright picture (EXIF orientation applied), as the browser decodes it.
async fn upright_size(bytes: &[u8]) -> Result<(f32, f32), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let blob = jpeg_blob(bytes)?;
    let options = web_sys::ImageBitmapOptions::new();
    options.set_image_orientation(web_sys::ImageOrientation::FromImage);
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(window.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)?)
            .await?
            .dyn_into()?;
    let size = (bitmap.width().max(1) as f32, bitmap.height().max(1) as f32);
    bitmap.close();
    Ok(size)
}

fn jpeg_blob(bytes: &[u8]) -> Result<web_sys::Blob, JsValue> {
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options)
}

fn object_url(bytes: &[u8]) -> UiResult<String> {
    let blob = jpeg_blob(bytes).map_err(|e| UiError::unexpected(format!("{e:?}")))?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| UiError::unexpected(format!("{e:?}")))
}
