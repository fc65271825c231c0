//! Free text that people write: descriptions, address hints, messages, notes, comments,
//! text answers, and the names admins give to categories, departments, areas, accounts.
//!
//! Every such text is parsed into a [`FreeText`] when it arrives, which refuses control
//! characters: a NUL or an escape sequence has no place in a report, and some
//! (everything below U+0020 but tab and newline) cannot be written into XML at all, so
//! one such text would break the public Open311 feed for everybody. Line breaks are
//! normalised to `\n` (CR LF and a lone CR from older systems), so that a text reads the
//! same on every device.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// The problem code of a text with a control character.
pub const CONTROL_CHARACTER: &str = "control_character";

/// Whether a character may appear in free text: anything printable, tab and newline;
/// no other C0 control, no DEL, no C1 control, and not the two noncharacters XML
/// forbids (U+FFFE, U+FFFF).
pub fn is_allowed(c: char) -> bool {
    match c {
        '\n' | '\t' => true,
        '\u{FFFE}' | '\u{FFFF}' => false,
        c => !c.is_control(),
    }
}

/// Text without control characters but tab and newline, with `\n` line breaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(try_from = "String", into = "String")]
pub struct FreeText(String);

impl FreeText {
    /// Normalises line breaks and refuses control characters; `field` names the field
    /// in the error (`description`, `answers.notiz`, …). Neither trims nor limits the
    /// length: each field does that on the parsed text.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let text = if text.contains('\r') {
            text.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            text.to_owned()
        };
        if text.chars().all(is_allowed) {
            Ok(Self(text))
        } else {
            Err(FieldError::new(field, CONTROL_CHARACTER))
        }
    }

    /// The text with what [`FreeText::parse`] refuses removed, for text that is not
    /// refused but must not carry control characters (e.g. into XML).
    pub fn lossy(text: &str) -> Self {
        Self(
            text.replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .filter(|c| is_allowed(*c))
                .collect(),
        )
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for FreeText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FreeText {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse("text", &s)
    }
}

impl From<FreeText> for String {
    fn from(t: FreeText) -> String {
        t.0
    }
}

/// Checks a text the caller keeps as a `String` (names in configuration, where the
/// wire type stays a plain string): the same rule as [`FreeText::parse`], the
/// normalised text returned.
pub fn parse_text(field: &str, text: &str) -> Result<String, FieldError> {
    FreeText::parse(field, text).map(FreeText::into_string)
}

/// Longest message, note or public comment, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// A message, internal note or public comment as people write them: [`FreeText`],
/// trimmed, not empty, at most [`MAX_MESSAGE_CHARS`]. The server, the app's outbox and
/// the field app parse it here, so that nothing queued offline bounces later.
pub fn parse_message(field: &str, text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if t.chars().count() > MAX_MESSAGE_CHARS {
        return Err(FieldError::new(field, "too_long"));
    }
    Ok(FreeText::parse(field, t)?.into_string())
}

/// An optional comment: absent or blank is none, anything else a [`parse_message`].
pub fn parse_comment(field: &str, text: Option<&str>) -> Result<Option<String>, FieldError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_message(field, t).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_trimmed_required_and_bounded() {
        assert_eq!(parse_message("body", "  Danke!  "), Ok("Danke!".to_owned()));
        assert_eq!(
            parse_message("body", " \n ").map_err(|e| e.problem),
            Err("required".to_owned())
        );
        let long = "a".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(
            parse_message("body", &long).map_err(|e| e.problem),
            Err("too_long".to_owned())
        );
        assert!(parse_message("body", &long[1..]).is_ok());
        assert_eq!(
            parse_message("body", "a\u{7}b").map_err(|e| e.field),
            Err("body".to_owned())
        );
        assert_eq!(parse_comment("public_comment", None), Ok(None));
        assert_eq!(parse_comment("public_comment", Some("   ")), Ok(None));
        assert_eq!(parse_comment("public_comment", Some(" ok ")), Ok(Some("ok".to_owned())));
    }

    #[test]
    fn control_characters_are_refused_and_line_breaks_normalised() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Loch vor Nr. 12", Some("Loch vor Nr. 12")),
            ("Zeile 1\nZeile 2\tTab", Some("Zeile 1\nZeile 2\tTab")),
            ("Zeile 1\r\nZeile 2\rZeile 3", Some("Zeile 1\nZeile 2\nZeile 3")),
            ("Straße – ÄÖÜ 🚧", Some("Straße – ÄÖÜ 🚧")),
            ("NUL\u{0}", None),
            ("Escape \u{1b}[31m", None),
            ("Bell \u{7}", None),
            ("Vertical tab \u{b}", None),
            ("Form feed \u{c}", None),
            ("Delete \u{7f}", None),
            ("C1 \u{85}", None),
            ("Nonchar \u{fffe}", None),
            ("", Some("")),
        ];
        for (input, expected) in cases {
            let parsed = FreeText::parse("description", input);
            match expected {
                Some(e) => assert_eq!(parsed.as_ref().map(|t| t.as_str()), Ok(*e), "{input:?}"),
                None => assert_eq!(
                    parsed,
                    Err(FieldError::new("description", CONTROL_CHARACTER)),
                    "{input:?}"
                ),
            }
        }
    }

    #[test]
    fn lossy_drops_what_parse_refuses() {
        assert_eq!(FreeText::lossy("a\u{0}b\r\nc\u{1b}").as_str(), "ab\nc");
    }

    #[test]
    fn the_wire_form_is_a_plain_string() {
        let t: FreeText = serde_json::from_str("\"a\\r\\nb\"").expect("valid");
        assert_eq!(serde_json::to_string(&t).expect("json"), "\"a\\nb\"");
        assert!(serde_json::from_str::<FreeText>("\"a\\u0000\"").is_err());
    }
}
