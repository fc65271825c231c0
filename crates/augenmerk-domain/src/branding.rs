//! A municipality's own look in the citizen's UI: its accent colour and its logo, checked
//! so that neither can break the page's accessibility or privacy.

use crate::error::FieldError;

/// The longest logo accepted, as a data URL (about 150 KB of image).
pub const MAX_LOGO_CHARS: usize = 200_000;

/// The contrast an accent colour needs against white text on buttons (WCAG 2.1 AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// Image types a logo may have.
const LOGO_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/svg+xml"];

/// Checks an accent colour (`#rrggbb` or `#rgb`, dark enough for white text) and a logo
/// (a base64 `data:` URL of a PNG, JPEG, WebP or SVG image: the app caches it with the
/// configuration and shows it offline, and no citizen's device asks a third party for it).
pub fn check_branding(accent_color: Option<&str>, logo: Option<&str>) -> Result<(), Vec<FieldError>> {
    let mut problems = Vec::new();
    if let Some(colour) = accent_color {
        match parse_hex_colour(colour) {
            None => problems.push(FieldError::new("accent_color", "invalid_colour")),
            Some(rgb) if contrast_with_white(rgb) < MIN_CONTRAST => {
                problems.push(FieldError::new("accent_color", "low_contrast"))
            }
            Some(_) => {}
        }
    }
    if let Some(logo) = logo {
        if logo.len() > MAX_LOGO_CHARS {
            problems.push(FieldError::new("logo", "too_long"));
        } else if !is_image_data_url(logo) {
            problems.push(FieldError::new("logo", "invalid_data_url"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// `#rrggbb` or `#rgb` as red, green and blue.
pub fn parse_hex_colour(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |h: &str| u8::from_str_radix(h, 16).ok();
    match hex.len() {
        6 => Some([channel(&hex[0..2])?, channel(&hex[2..4])?, channel(&hex[4..6])?]),
        3 => {
            let short = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
            Some([short(0)?, short(1)?, short(2)?])
        }
        _ => None,
    }
}

/// The WCAG contrast ratio of a colour against white.
pub fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
    1.05 / (luminance + 0.05)
}

fn is_image_data_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("data:") else {
        return false;
    };
    let Some((mime, data)) = rest.split_once(";base64,") else {
        return false;
    };
    LOGO_TYPES.contains(&mime)
        && !data.is_empty()
        && data
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(accent: Option<&str>, logo: Option<&str>) -> Vec<String> {
        check_branding(accent, logo)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| format!("{}:{}", p.field, p.problem))
            .collect()
    }

    #[test]
    fn dark_colours_and_image_data_urls_pass() {
        assert!(check_branding(Some("#003064"), Some("data:image/png;base64,iVBORw0KGgo=")).is_ok());
        assert!(check_branding(Some("#036"), None).is_ok());
        assert!(check_branding(None, None).is_ok());
    }

    #[test]
    fn unreadable_colours_and_foreign_logos_are_refused() {
        assert_eq!(problems(Some("#ffd700"), None), ["accent_color:low_contrast"]);
        assert_eq!(
            problems(Some("red; background: url(x)"), None),
            ["accent_color:invalid_colour"]
        );
        assert_eq!(problems(Some("#12345"), None), ["accent_color:invalid_colour"]);
        assert_eq!(
            problems(None, Some("https://tracker.example/logo.png")),
            ["logo:invalid_data_url"]
        );
        assert_eq!(
            problems(None, Some("data:text/html;base64,PHNjcmlwdD4=")),
            ["logo:invalid_data_url"]
        );
        let huge = format!("data:image/png;base64,{}", "A".repeat(MAX_LOGO_CHARS));
        assert_eq!(problems(None, Some(&huge)), ["logo:too_long"]);
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast_with_white([0, 0, 0]) - 21.0).abs() < 0.01);
        assert!((contrast_with_white([255, 255, 255]) - 1.0).abs() < 0.01);
        // KERN's dark blue passes, a mid grey (#777) just fails.
        assert!(contrast_with_white([0x77, 0x77, 0x77]) < 4.5);
    }
}
