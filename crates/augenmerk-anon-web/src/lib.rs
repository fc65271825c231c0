//! `augenmerk-anon` in the browser. The page's Web Worker (`src-ui/js/anon-worker.js`)
//! loads this module, hands it the three models' bytes once (`AnonWeb::new`, wasm32 only) and
//! then one photo per call (`AnonWeb::anonymize`). It runs the very pipeline the app
//! runs ([`augenmerk_anon::Anonymizer::anonymize`] with the app's options), only on
//! one thread: wasm32-unknown-unknown has none to spare, which is why the worker
//! exists, so the page never freezes.

pub mod photo;

#[cfg(target_arch = "wasm32")]
mod wasm;
