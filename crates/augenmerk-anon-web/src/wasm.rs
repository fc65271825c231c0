//! The JavaScript face of [`crate::photo`]: wasm-bindgen exports for the worker.

use augenmerk_anon::Anonymizer;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::photo::{self, WebError};

/// A JavaScript `Error` whose message starts with the code (`failed: …`).
fn js_error(e: &WebError) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

/// The loaded models. The worker keeps one for its lifetime: loading parses the
/// models, and the tract plans it builds per input shape are reused by every photo.
#[wasm_bindgen]
pub struct AnonWeb {
    anonymizer: Anonymizer,
}

#[wasm_bindgen]
impl AnonWeb {
    /// Loads the models from the bytes of `centerface.onnx`, `clp_det.onnx` and
    /// `ch_mul_v2_c_det.onnx`.
    #[wasm_bindgen(constructor)]
    pub fn new(face: &[u8], plate: &[u8], text: &[u8]) -> Result<AnonWeb, JsValue> {
        console_error_panic_hook::set_once();
        Anonymizer::from_model_bytes(face, plate, text)
            .map(|anonymizer| AnonWeb { anonymizer })
            .map_err(|e| js_error(&WebError::Failed(e.to_string())))
    }

    /// Anonymizes one photo. `boxes` holds the user's extra boxes as consecutive
    /// `x0, y0, x1, y1` fractions of the upright image. Returns the object described
    /// in `src-ui/js/anon.js`, with `jpeg` as a `Uint8Array`.
    pub fn anonymize(&self, bytes: &[u8], boxes: &[f64]) -> Result<JsValue, JsValue> {
        if !boxes.len().is_multiple_of(4) {
            return Err(js_error(&WebError::BadImage(format!(
                "boxes must come in fours, got {} numbers",
                boxes.len()
            ))));
        }
        let boxes: Vec<[f64; 4]> = boxes.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect();
        let out = photo::anonymize(&self.anonymizer, bytes, &boxes).map_err(|e| js_error(&e))?;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value =
            serde::Serialize::serialize(&out, &serializer).map_err(|e| js_error(&WebError::Failed(e.to_string())))?;
        let object: Object = value.unchecked_into();
        Reflect::set(&object, &"jpeg".into(), &Uint8Array::from(out.jpeg.as_slice()))?;
        Ok(object.into())
    }
}

/// Bytes of linear memory the module holds now (the benchmark reports it).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    let pages = core::arch::wasm32::memory_size(0);
    // 64 KiB per page; f64 because a JavaScript number is what the caller wants.
    (pages as f64) * 65536.0
}
