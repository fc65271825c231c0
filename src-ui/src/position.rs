//! The device's position, from wherever this page runs: the Tauri app on a phone asks
//! Tauri's geolocation plugin (whose permission prompt the system shows; docs/mobile.md),
//! the desktop app and the web page ask the browser's `navigator.geolocation`.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Why no position came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionError {
    /// Neither the plugin nor the browser offers a position here.
    Unavailable,
    /// The user refused, or the device found no position in time.
    Failed,
}

/// How long the device may search (a phone indoors may take a while for a GPS fix).
const TIMEOUT_MS: f64 = 15_000.0;

/// The current position as (latitude, longitude).
pub async fn current() -> Result<(f64, f64), PositionError> {
    let window = web_sys::window().ok_or(PositionError::Unavailable)?;
    let position = match plugin(&window) {
        Some(plugin) => from_plugin(&plugin).await?,
        None => from_browser(&window).await?,
    };
    let coords = Reflect::get(&position, &"coords".into()).map_err(|_| PositionError::Failed)?;
    let read = |key: &str| {
        Reflect::get(&coords, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|v| v.is_finite())
    };
    match (read("latitude"), read("longitude")) {
        (Some(lat), Some(lon)) => Ok((lat, lon)),
        _ => Err(PositionError::Failed),
    }
}

/// `window.__TAURI__.geolocation`: present only in the app on a phone, where the plugin is
/// registered (src-tauri/src/lib.rs) and injects its script.
fn plugin(window: &web_sys::Window) -> Option<JsValue> {
    let tauri = Reflect::get(window, &"__TAURI__".into()).ok()?;
    let plugin = Reflect::get(&tauri, &"geolocation".into()).ok()?;
    (!plugin.is_undefined() && !plugin.is_null()).then_some(plugin)
}

/// Calls `object.name(args…)` and awaits the promise it returns.
async fn call(object: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, PositionError> {
    let function: Function = Reflect::get(object, &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(PositionError::Unavailable)?;
    let array: js_sys::Array = args.iter().collect();
    let promise: Promise = function
        .apply(object, &array)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or(PositionError::Failed)?;
    JsFuture::from(promise).await.map_err(|_| PositionError::Failed)
}

async fn from_plugin(plugin: &JsValue) -> Result<JsValue, PositionError> {
    let granted = |status: &JsValue| {
        Reflect::get(status, &"location".into())
            .ok()
            .and_then(|v| v.as_string())
            .is_some_and(|s| s == "granted")
    };
    let status = call(plugin, "checkPermissions", &[]).await?;
    if !granted(&status) {
        let wanted: js_sys::Array = std::iter::once(JsValue::from_str("location")).collect();
        let status = call(plugin, "requestPermissions", &[wanted.into()]).await?;
        if !granted(&status) {
            return Err(PositionError::Failed);
        }
    }
    call(plugin, "getCurrentPosition", &[options()]).await
}

async fn from_browser(window: &web_sys::Window) -> Result<JsValue, PositionError> {
    let geo = window
        .navigator()
        .geolocation()
        .map_err(|_| PositionError::Unavailable)?;
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |p: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &p);
        });
        let rejected = reject.clone();
        let fail = Closure::once_into_js(move |e: JsValue| {
            let _ = rejected.call1(&JsValue::NULL, &e);
        });
        let options: web_sys::PositionOptions = options().unchecked_into();
        if geo
            .get_current_position_with_error_callback_and_options(
                ok.unchecked_ref(),
                Some(fail.unchecked_ref()),
                &options,
            )
            .is_err()
        {
            let _ = reject.call1(&JsValue::NULL, &JsValue::NULL);
        }
    });
    JsFuture::from(promise).await.map_err(|_| PositionError::Failed)
}

/// The same request on both paths: a precise fix, not an old one, within the timeout.
fn options() -> JsValue {
    let options = Object::new();
    let _ = Reflect::set(&options, &"enableHighAccuracy".into(), &JsValue::TRUE);
    let _ = Reflect::set(&options, &"timeout".into(), &TIMEOUT_MS.into());
    let _ = Reflect::set(&options, &"maximumAge".into(), &0.into());
    options.into()
}
