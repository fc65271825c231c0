//! Storage for triage in the staff inbox, a part of [`crate::Store`]: each staff member's
//! saved filters, and since when a report's citizen waits for an answer.
//!
//! The waiting time is a column of the report (`awaiting_reply_since`), kept by the one
//! place that writes messages (`add_message` of each backend): a citizen message sets it
//! unless it is set, a message of the municipality clears it. Its definition is
//! [`augenmerk_domain::triage::awaiting_reply_since`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::triage::SavedFilter;
use augenmerk_domain::{Ags, ReportId, SavedFilterId, UserId};

use crate::{StoreError, StoreResult};

/// The statement that keeps `awaiting_reply_since` as a message arrives: `?1`/`$1` is
/// the report, `?2`/`$2` the message's time, `?3`/`$3` whether a citizen wrote it. The
/// same text for both backends (SQLite numbers its `?N` like PostgreSQL its `$N`).
pub(crate) fn awaiting_reply_update(dollar: bool) -> String {
    let p = |n: u8| if dollar { format!("${n}") } else { format!("?{n}") };
    format!(
        "UPDATE reports SET awaiting_reply_since = CASE WHEN {citizen}
             THEN coalesce(awaiting_reply_since, {at}) ELSE NULL END
          WHERE id = {id}",
        citizen = p(3),
        at = p(2),
        id = p(1),
    )
}

/// A query as stored (JSON).
pub(crate) fn encode_query(q: &ReportQuery) -> StoreResult<String> {
    serde_json::to_string(q).map_err(|e| StoreError::Database(format!("cannot encode a filter: {e}")))
}

/// A stored query; one that no longer reads is an error, not an empty filter, so that a
/// filter never silently shows everything.
pub(crate) fn decode_query(text: &str) -> StoreResult<ReportQuery> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(format!("unreadable saved filter: {e}")))
}

/// Saved filters and the waiting citizens.
#[async_trait]
pub trait TriageStore: Send + Sync + 'static {
    /// Of these reports of a municipality, those whose citizen waits for an answer, with
    /// since when.
    async fn awaiting_replies(&self, ags: &Ags, ids: &[ReportId]) -> StoreResult<Vec<(ReportId, DateTime<Utc>)>>;
    /// A staff member's saved filters, oldest first.
    async fn list_saved_filters(&self, ags: &Ags, user: &UserId) -> StoreResult<Vec<SavedFilter>>;
    /// Saves a filter of a staff member.
    async fn add_saved_filter(&self, ags: &Ags, user: &UserId, filter: &SavedFilter) -> StoreResult<()>;
    /// Deletes one of a staff member's filters; `NotFound` for anyone else's.
    async fn delete_saved_filter(&self, ags: &Ags, user: &UserId, id: &SavedFilterId) -> StoreResult<()>;
}
