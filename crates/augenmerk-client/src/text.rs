//! Texts a user writes (replies, notes, messages, comments): the server's rule
//! ([`augenmerk_domain::text::parse_message`]), checked before anything is queued.

use crate::error::{ClientError, Result};

/// A trimmed, non-empty text within the limit, without control characters, so that
/// nothing queued bounces later.
pub fn checked_text(body: &str) -> Result<String> {
    augenmerk_domain::text::parse_message("body", body).map_err(|e| ClientError::Invalid(vec![e]))
}
