//! The responsible municipality's own look: its accent colour on links and buttons (KERN's
//! action colour) and its logo beside its name. Checked again here, so that a colour the
//! server let through by mistake cannot make the page unreadable.

use augenmerk_domain::branding::{MIN_CONTRAST, contrast_with_white, parse_hex_colour};
use augenmerk_domain::public::MunicipalityConfig;
use wasm_bindgen::JsCast;

/// The CSS variables the accent colour sets: the page's own and KERN's action colour.
const ACCENT_VARIABLES: [&str; 2] = ["--app-accent", "--kern-color-action-default"];
/// The browser's bar colour without a municipality's accent (as in `manifest.webmanifest`).
const DEFAULT_THEME_COLOUR: &str = "#1e5aa8";

/// The accent colour to use, if the configuration has a readable one.
pub fn accent(config: &MunicipalityConfig) -> Option<String> {
    let colour = config.accent_color.as_deref()?;
    let rgb = parse_hex_colour(colour)?;
    (contrast_with_white(rgb) >= MIN_CONTRAST).then(|| colour.to_owned())
}

/// Applies a municipality's accent colour to the page, or KERN's theme when it has none.
pub fn apply(config: Option<&MunicipalityConfig>) {
    let accent = config.and_then(accent);
    theme_colour(accent.as_deref().unwrap_or(DEFAULT_THEME_COLOUR));
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    match accent {
        Some(colour) => {
            for var in ACCENT_VARIABLES {
                let _ = style.set_property(var, &colour);
            }
        }
        None => {
            for var in ACCENT_VARIABLES {
                let _ = style.remove_property(var);
            }
        }
    }
}

/// Colours the browser's bar (and the installed app's title bar) like the page:
/// `<meta name="theme-color">`; the manifest's `theme_color` is the default before it.
fn theme_colour(colour: &str) {
    let meta = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=\"theme-color\"]").ok().flatten());
    if let Some(meta) = meta {
        let _ = meta.set_attribute("content", colour);
    }
}
