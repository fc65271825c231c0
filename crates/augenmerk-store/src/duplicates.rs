//! Storage of merged duplicates, a part of [`crate::Store`]: which report was merged into
//! which original, and the merge itself as one write.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::report::Report;
use augenmerk_domain::{Ags, ReportId};

use crate::{ReportWrite, StoreResult, SubscriptionRecord};

/// A merge to store.
#[derive(Debug, Clone)]
pub struct MergeWrite {
    /// The duplicate's change (status `duplicate`, its audit entries, events and mails).
    pub duplicate: ReportWrite,
    /// The duplicate's `updated_at` as read (optimistic concurrency).
    pub expected_updated_at: DateTime<Utc>,
    /// The original.
    pub original: ReportId,
    /// The original's audit entries (`MergedFrom`).
    pub original_audit: Vec<AuditEntry>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Merged duplicates.
#[async_trait]
pub trait DuplicateStore: Send + Sync + 'static {
    /// Stores a merge in one transaction: the duplicate's write (a conflict if it changed
    /// since it was read), the original's audit entries, the merge (reports merged into the
    /// duplicate before now count for the original), and the duplicate's device and
    /// followers as followers of the original.
    async fn merge_reports(&self, merge: MergeWrite) -> StoreResult<()>;
    /// The original a report was merged into, if any.
    async fn merged_into(&self, ags: &Ags, report: &ReportId) -> StoreResult<Option<ReportId>>;
    /// The reports merged into an original, oldest merge first.
    async fn merged_reports(&self, ags: &Ags, original: &ReportId) -> StoreResult<Vec<Report>>;
    /// The mail subscriptions of the reports merged into an original (they hear of the
    /// original's status changes).
    async fn merged_subscriptions(&self, original: &ReportId) -> StoreResult<Vec<SubscriptionRecord>>;
}
