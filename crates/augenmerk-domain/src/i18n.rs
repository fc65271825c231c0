//! Text in the two languages the product speaks: German (default) and English.

use serde::{Deserialize, Serialize};

/// A user-facing text in German and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct I18nText {
    /// German text (the default language).
    pub de: String,
    /// English text.
    pub en: String,
}

impl I18nText {
    /// Builds a text from its German and English form.
    pub fn new(de: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            de: de.into(),
            en: en.into(),
        }
    }

    /// The text in the language given by an ISO code; German for anything but English.
    pub fn get(&self, lang: &str) -> &str {
        if lang.starts_with("en") { &self.en } else { &self.de }
    }
}
