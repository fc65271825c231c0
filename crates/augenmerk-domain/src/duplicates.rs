//! Duplicates: merging a report into the original of the same defect, and finding the
//! likely originals of a report.
//!
//! A *merge* makes a report (the duplicate) part of another (the original): the
//! duplicate's status becomes `duplicate`, its followers and its reporter's mail
//! updates follow the original, its photos are shown with the original, and its
//! reporter gets an answer. The decisions (may this be merged into that, which nearby
//! reports are likely the same, what the answer says) are the pure functions here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::Language;
use crate::ids::{BlobHash, MessageId, ReportId};
use crate::mail::MailUpdates;
use crate::process::Status;
use crate::report::Report;

/// `POST /api/v1/staff/reports/{id}/merge`: merge the report `{id}` into `into`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeRequest {
    /// The original report.
    pub into: ReportId,
    /// A reply template of the municipality (its id) for the answer to the duplicate's
    /// reporter; without one, the standard answer in the reporter's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

/// The answer to a merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeResponse {
    /// The merged report.
    pub duplicate: ReportId,
    /// The report it is part of now.
    pub original: ReportId,
    /// How many reports the original stands for: itself and its merged duplicates.
    pub report_count: u32,
    /// False when the duplicate had been merged into the original before (a retry).
    pub merged_now: bool,
}

/// A report merged into the one shown (on the original's case page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergedReport {
    /// The duplicate.
    pub id: ReportId,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// Its (anonymized) photos.
    pub photos: Vec<BlobHash>,
}

/// The citizen's side of a case as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CitizenSide {
    /// Whether the citizen gave an e-mail address.
    pub email_given: bool,
    /// Whether updates go out by mail.
    pub mail_updates: MailUpdates,
    /// The address, only for roles that need it
    /// ([`crate::staff::Role::sees_citizen_address`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Why a report cannot be merged into another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRefusal {
    /// A report cannot be its own duplicate.
    IntoItself,
    /// The original belongs to another municipality (to the caller: does not exist).
    OtherMunicipality,
    /// The chosen original is itself a duplicate: merge into its original instead.
    OriginalIsDuplicate {
        /// The report to merge into instead.
        original: ReportId,
    },
    /// The report was merged into another original before.
    AlreadyMerged {
        /// That original.
        into: ReportId,
    },
    /// The report's status does not allow marking it a duplicate (closed, forwarded…).
    NotOpen {
        /// Its status.
        status: Status,
    },
}

/// What the store knows besides the two reports: where each was merged before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeState {
    /// The original the duplicate was merged into, if any.
    pub duplicate_merged_into: Option<ReportId>,
    /// The original the chosen original was merged into, if any.
    pub original_merged_into: Option<ReportId>,
}

/// What a merge does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergePlan {
    /// Merged before into the same original: nothing to change (a retry).
    Already,
    /// Merge; `status_change` when the duplicate's status must become `duplicate`.
    Merge {
        /// Whether the status changes (it is `duplicate` of this original already when
        /// it was only linked before).
        status_change: bool,
    },
}

/// Decides whether `duplicate` may be merged into `original`.
pub fn plan_merge(duplicate: &Report, original: &Report, state: MergeState) -> Result<MergePlan, MergeRefusal> {
    if duplicate.id == original.id {
        return Err(MergeRefusal::IntoItself);
    }
    if duplicate.municipality != original.municipality {
        return Err(MergeRefusal::OtherMunicipality);
    }
    if let Some(into) = state.duplicate_merged_into {
        return if into == original.id {
            Ok(MergePlan::Already)
        } else {
            Err(MergeRefusal::AlreadyMerged { into })
        };
    }
    if let Some(first) = state.original_merged_into.or(original.duplicate_of) {
        return Err(MergeRefusal::OriginalIsDuplicate { original: first });
    }
    if duplicate.status == Status::Duplicate && duplicate.duplicate_of == Some(original.id) {
        return Ok(MergePlan::Merge { status_change: false });
    }
    if !duplicate.status.can_move_to(Status::Duplicate) {
        return Err(MergeRefusal::NotOpen {
            status: duplicate.status,
        });
    }
    Ok(MergePlan::Merge { status_change: true })
}

/// How far around a report duplicates are looked for, in metres.
pub const DUPLICATE_RADIUS_M: f64 = 250.0;

/// Most suggestions shown.
pub const MAX_SUGGESTIONS: usize = 8;

/// Reports older than this (days before the report) are no likely duplicates.
const MAX_AGE_DAYS: f64 = 90.0;

/// A likely duplicate's score: lower is likelier. Distance counts in parts of the radius,
/// the time between the two reports in months, another category as a whole radius.
pub fn duplicate_score(of: &Report, candidate: &Report) -> Option<f64> {
    let distance = of.location.distance_m(&candidate.location);
    if distance > DUPLICATE_RADIUS_M {
        return None;
    }
    let days = (of.received_at - candidate.received_at).num_minutes().abs() as f64 / (60.0 * 24.0);
    if days > MAX_AGE_DAYS {
        return None;
    }
    let category = if of.category == candidate.category { 0.0 } else { 1.0 };
    Some(distance / DUPLICATE_RADIUS_M + days / 30.0 + category)
}

/// The likely originals of `of` among `candidates`, likeliest first: not itself, not a
/// duplicate itself (one would merge into its original), still open, near, recent.
pub fn rank_duplicates(of: &Report, candidates: Vec<Report>) -> Vec<Report> {
    let mut scored: Vec<(f64, Report)> = candidates
        .into_iter()
        .filter(|c| c.id != of.id && c.duplicate_of.is_none() && c.status.is_open())
        .filter_map(|c| duplicate_score(of, &c).map(|s| (s, c)))
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.received_at.cmp(&b.1.received_at)));
    scored.into_iter().take(MAX_SUGGESTIONS).map(|(_, r)| r).collect()
}

/// Of two reports of the same defect, which one is merged into which: the later one is
/// the duplicate, the earlier (by arrival; on a tie, by id) the original. Returns
/// (duplicate, original).
pub fn merge_roles<'a>(a: &'a Report, b: &'a Report) -> (&'a Report, &'a Report) {
    if (a.received_at, a.id) > (b.received_at, b.id) {
        (a, b)
    } else {
        (b, a)
    }
}

/// The standard answer to a duplicate's reporter, in their language.
pub fn duplicate_answer(lang: Language, number: &str, original_number: &str) -> String {
    match lang {
        Language::De => format!(
            "Vielen Dank für Ihre Meldung {number}. Derselbe Mangel wurde uns bereits gemeldet \
             (Meldung {original_number}); wir haben Ihre Meldung damit zusammengeführt. \
             Sie erhalten die Nachrichten zum Stand der Bearbeitung weiterhin."
        ),
        Language::En => format!(
            "Thank you for your report {number}. The same defect had already been reported to us \
             (report {original_number}); we merged your report with it. \
             You will keep receiving the news on its progress."
        ),
    }
}

/// The id of the answer to a merged duplicate: one per duplicate, so that a retried merge
/// does not answer twice (the store keeps messages by id).
pub fn answer_id(duplicate: &ReportId) -> MessageId {
    // A fixed pattern over the duplicate's id: distinct per duplicate, never a random id's.
    const ANSWER: u128 = 0x6d65_7267_6564_2d61_6e73_7765_7200_0000;
    MessageId(uuid::Uuid::from_u128(duplicate.0.as_u128() ^ ANSWER))
}

#[cfg(test)]
mod tests;
