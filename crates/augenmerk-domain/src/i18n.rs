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

/// A language the product speaks, as a citizen or staff member chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German (the default).
    #[default]
    De,
    /// English.
    En,
}

impl Language {
    /// The ISO code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    /// Parses an ISO code or a language tag (`en-GB`); German for anything else.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::De
        }
    }

    /// Picks the text of this language.
    pub fn pick<'a>(self, de: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::De => de,
            Self::En => en,
        }
    }
}
