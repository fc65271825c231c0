//! Triage in the staff inbox: saved filters, bulk actions on a selection of reports, and
//! when a citizen's message waits for an answer.
//!
//! A bulk action is not a new way of changing a report: it becomes, per report, the
//! request of the single-report action ([`ReportUpdate`] or [`TransitionRequest`]), which
//! the server applies and audits as it would one by one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{ReportQuery, ReportUpdate, TransitionRequest};
use crate::error::{ErrorBody, FieldError};
use crate::ids::{DepartmentId, ReportId, SavedFilterId, UserId};
use crate::process::Status;
use crate::public::MessageAuthor;
use crate::report::Priority;
use crate::staff::StaffMessage;
use crate::text::FreeText;

/// Most reports one bulk action may change (a page of the inbox is at most 200, the
/// console's 25; a bound keeps one request's work and audit entries predictable).
pub const MAX_BULK_REPORTS: usize = 200;

/// Longest name of a saved filter, in characters.
pub const MAX_FILTER_NAME_CHARS: usize = 80;

/// Most saved filters per staff member.
pub const MAX_SAVED_FILTERS: usize = 50;

/// Since when a report's citizen waits for an answer: the first citizen message after
/// the last message of the municipality. Internal notes do not answer (they are not in
/// the thread). `messages` is the thread, oldest first. The store keeps the same value in
/// a column as messages arrive; this is its definition.
pub fn awaiting_reply_since(messages: &[StaffMessage]) -> Option<DateTime<Utc>> {
    let after_last_answer = messages
        .iter()
        .rposition(|m| m.author == MessageAuthor::Municipality)
        .map_or(0, |i| i + 1);
    messages[after_last_answer..]
        .iter()
        .find(|m| m.author == MessageAuthor::Citizen)
        .map(|m| m.created_at)
}

/// A staff member's saved inbox filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedFilter {
    /// Id (for deleting).
    pub id: SavedFilterId,
    /// Name the staff member chose.
    pub name: String,
    /// The filters (without page).
    pub query: ReportQuery,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

/// A filter to save (`POST /api/v1/staff/filters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSavedFilter {
    /// Name, 1 to 80 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80))]
    pub name: String,
    /// The filters; page and page size are not kept.
    #[serde(deserialize_with = "object_only")]
    pub query: ReportQuery,
}

/// Reads a query only from a JSON object, as the document describes it (serde would also
/// fill the struct from an array, by position).
fn object_only<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ReportQuery, D::Error> {
    use serde::de::Error;
    let value = serde_json::Value::deserialize(d)?;
    if !value.is_object() {
        return Err(D::Error::custom("`query` must be an object"));
    }
    serde_json::from_value(value).map_err(D::Error::custom)
}

impl NewSavedFilter {
    /// The trimmed name and the query without paging, or why not.
    pub fn parse(self) -> Result<(String, ReportQuery), FieldError> {
        let name = FreeText::parse("name", self.name.trim())?.into_string();
        if name.is_empty() {
            return Err(FieldError::new("name", "required"));
        }
        if name.chars().count() > MAX_FILTER_NAME_CHARS {
            return Err(FieldError::new("name", "too_long"));
        }
        let query = ReportQuery {
            page: None,
            page_size: None,
            ..self.query
        };
        Ok((name, query))
    }
}

/// What a bulk action does to each report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkAction {
    /// Assign to a department and/or a person (or remove the person).
    Assign {
        /// New department.
        #[serde(default)]
        department: Option<DepartmentId>,
        /// New assignee.
        #[serde(default)]
        assignee: Option<UserId>,
        /// Remove the assignee.
        #[serde(default)]
        clear_assignee: bool,
    },
    /// Change the status, with one public comment for all.
    Status {
        /// Target status.
        to: Status,
        /// The comment each citizen sees with the change.
        #[serde(default)]
        public_comment: Option<String>,
    },
    /// Set the priority.
    Priority {
        /// New priority.
        priority: Priority,
    },
}

/// One request of the single-report actions.
#[derive(Debug, Clone, PartialEq)]
pub enum SingleAction {
    /// `PATCH /api/v1/staff/reports/{id}`.
    Update(ReportUpdate),
    /// `POST /api/v1/staff/reports/{id}/transition`.
    Transition(TransitionRequest),
}

impl BulkAction {
    /// The single-report request this action makes of each report.
    pub fn single(&self) -> SingleAction {
        match self {
            BulkAction::Assign {
                department,
                assignee,
                clear_assignee,
            } => SingleAction::Update(ReportUpdate {
                department: department.clone(),
                assignee: *assignee,
                clear_assignee: *clear_assignee,
                ..ReportUpdate::default()
            }),
            BulkAction::Priority { priority } => SingleAction::Update(ReportUpdate {
                priority: Some(*priority),
                ..ReportUpdate::default()
            }),
            BulkAction::Status { to, public_comment } => SingleAction::Transition(TransitionRequest {
                to: *to,
                public_comment: public_comment.clone(),
                forward_to: None,
                duplicate_of: None,
                expected_status: None,
                id: None,
                photos: Vec::new(),
            }),
        }
    }
}

/// A bulk action on a selection (`POST /api/v1/staff/reports/bulk`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkRequest {
    /// The reports, 1 to 200, each at most once.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
    pub ids: Vec<ReportId>,
    /// What to do to each.
    pub action: BulkAction,
}

impl BulkRequest {
    /// Checks the selection: not empty, not too large, no report twice.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.ids.is_empty() {
            return Err(FieldError::new("ids", "required"));
        }
        if self.ids.len() > MAX_BULK_REPORTS {
            return Err(FieldError::new("ids", "too_many"));
        }
        let mut seen = std::collections::HashSet::new();
        if !self.ids.iter().all(|id| seen.insert(*id)) {
            return Err(FieldError::new("ids", "duplicate"));
        }
        Ok(())
    }
}

/// What a bulk action did to one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    /// The report.
    pub id: ReportId,
    /// Whether the action was applied (or changed nothing because it was in place).
    pub ok: bool,
    /// Why not, as the single-report action would have answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// The answer of a bulk action: one outcome per report, in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResponse {
    /// Per report.
    pub results: Vec<BulkOutcome>,
    /// How many were applied.
    pub succeeded: u32,
    /// How many were not.
    pub failed: u32,
}

impl BulkResponse {
    /// Counts the outcomes.
    pub fn of(results: Vec<BulkOutcome>) -> Self {
        let succeeded = results.iter().filter(|r| r.ok).count() as u32;
        let failed = results.len() as u32 - succeeded;
        Self {
            results,
            succeeded,
            failed,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn msg(author: MessageAuthor, minute: u32) -> StaffMessage {
        StaffMessage {
            id: crate::ids::MessageId::new_random(),
            report_id: ReportId::new_random(),
            author,
            staff_author: None,
            staff_author_name: None,
            body: "x".into(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap(),
        }
    }

    #[test]
    fn the_first_citizen_message_after_the_last_answer_waits() {
        use MessageAuthor::{Citizen, Municipality};
        assert_eq!(awaiting_reply_since(&[]), None);
        assert_eq!(awaiting_reply_since(&[msg(Municipality, 1)]), None);
        let t = |m| Some(Utc.with_ymd_and_hms(2026, 1, 1, 10, m, 0).unwrap());
        assert_eq!(awaiting_reply_since(&[msg(Citizen, 1), msg(Citizen, 2)]), t(1));
        assert_eq!(
            awaiting_reply_since(&[msg(Citizen, 1), msg(Municipality, 2), msg(Citizen, 3), msg(Citizen, 4)]),
            t(3)
        );
        assert_eq!(awaiting_reply_since(&[msg(Citizen, 1), msg(Municipality, 2)]), None);
    }

    #[test]
    fn a_selection_is_bounded_and_has_no_repeats() {
        let id = ReportId::new_random();
        let req = |ids| BulkRequest {
            ids,
            action: BulkAction::Priority {
                priority: Priority::High,
            },
        };
        assert!(req(vec![]).check().is_err());
        assert!(req(vec![id, id]).check().is_err());
        assert!(req(vec![id]).check().is_ok());
        assert!(
            req((0..=MAX_BULK_REPORTS).map(|_| ReportId::new_random()).collect())
                .check()
                .is_err()
        );
    }

    #[test]
    fn a_saved_filter_needs_a_name_and_forgets_its_page() {
        let new = |name: &str| NewSavedFilter {
            name: name.into(),
            query: ReportQuery {
                page: Some(3),
                overdue: Some(true),
                ..ReportQuery::default()
            },
        };
        assert!(new("  ").parse().is_err());
        assert!(new(&"x".repeat(81)).parse().is_err());
        let (name, q) = new(" Überfällig ").parse().unwrap();
        assert_eq!(name, "Überfällig");
        assert_eq!((q.page, q.overdue), (None, Some(true)));
        let array: Result<NewSavedFilter, _> = serde_json::from_str(r#"{"name": "x", "query": [null]}"#);
        assert!(array.is_err(), "a query is an object");
    }
}
