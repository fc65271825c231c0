//! Texts a user writes (replies, notes, messages, comments): the server's limit, checked
//! before anything is queued.

use augenmerk_domain::error::FieldError;
use augenmerk_domain::text::FreeText;

use crate::error::{ClientError, Result};

/// Longest text in characters, as on the server.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// A trimmed, non-empty text within the limit, without control characters (the
/// server's [`FreeText`] rule, so that nothing queued bounces later).
pub fn checked_text(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(ClientError::Invalid(vec![FieldError::new("body", "required")]));
    }
    if body.chars().count() > MAX_TEXT_CHARS {
        return Err(ClientError::Invalid(vec![FieldError::new("body", "too_long")]));
    }
    let body = FreeText::parse("body", body).map_err(|e| ClientError::Invalid(vec![e]))?;
    Ok(body.into_string())
}
