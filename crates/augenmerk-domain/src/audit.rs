//! The audit trail: every change to a report, who made it, when, from what, to what.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ActionId, AuthorityId, BlobHash, CategoryId, DepartmentId, DeviceId, ReportId, RuleId, UserId};
use crate::process::Status;
use crate::report::{Channel, Priority};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// The server itself (intake, delegation rules).
    System,
    /// A citizen's device.
    Citizen {
        /// The device, where known.
        device: Option<DeviceId>,
    },
    /// A staff member.
    Staff {
        /// Account id.
        user: UserId,
        /// Display name at the time.
        name: String,
    },
    /// An external authority the report was forwarded to (its Open311 updates).
    Authority {
        /// The authority.
        authority: AuthorityId,
    },
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuditAction {
    /// The report arrived.
    Created {
        /// How it came in.
        channel: Channel,
    },
    /// The status changed.
    StatusChanged {
        /// Before.
        from: Status,
        /// After.
        to: Status,
        /// The client's key of the request, so a repeated request is recognised.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<ActionId>,
        /// Photos that document the change.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<BlobHash>,
    },
    /// The category changed.
    Recategorised {
        /// Before.
        from: CategoryId,
        /// After.
        to: CategoryId,
    },
    /// Responsibility changed (department and/or person).
    Assigned {
        /// Department before.
        from_department: Option<DepartmentId>,
        /// Department after.
        to_department: Option<DepartmentId>,
        /// Person before.
        from_user: Option<UserId>,
        /// Person after.
        to_user: Option<UserId>,
    },
    /// Personal data was removed (retention, withdrawal or erasure); what it was is not
    /// recorded.
    PersonalDataRemoved {
        /// Why.
        reason: crate::privacy::ErasureReason,
        /// What kind of data.
        scope: crate::privacy::ErasureScope,
    },
    /// A delegation rule routed the report.
    Routed {
        /// The rule that matched (none: no rule matched).
        rule: Option<RuleId>,
    },
    /// Forwarded to an external authority.
    ForwardedTo {
        /// The authority.
        authority: AuthorityId,
    },
    /// The external authority took the forwarded report (Open311 answer).
    ExternalAccepted {
        /// The authority.
        authority: AuthorityId,
        /// Their `service_request_id`.
        service_request_id: String,
    },
    /// The external authority reported a status (Open311 `servicerequestupdates` or `requests`).
    ExternalUpdate {
        /// The authority.
        authority: AuthorityId,
        /// Their status (`open`, `closed`, or their own word).
        status: String,
        /// Their note, if any (public: it is shown to the citizen as the comment).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
    /// Marked as a duplicate.
    MarkedDuplicate {
        /// The original report.
        of: ReportId,
    },
    /// Merged into an original (on the duplicate): its followers and mail updates moved there.
    MergedInto {
        /// The original report.
        original: ReportId,
    },
    /// A duplicate was merged into this report (on the original).
    MergedFrom {
        /// The duplicate.
        duplicate: ReportId,
    },
    /// The priority changed.
    PriorityChanged {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// The due date changed.
    DueChanged {
        /// Before.
        from: Option<DateTime<Utc>>,
        /// After.
        to: Option<DateTime<Utc>>,
    },
    /// The place lies outside the Gemeinde's boundary (within the tolerance) or near the
    /// border to a neighbour, and the citizen confirmed the municipality in the form (the
    /// report named it: the form sends it only once the citizen ticked the confirmation
    /// or chose among the neighbours).
    MunicipalityConfirmed {
        /// The Gemeinde the report is filed under.
        gemeinde: crate::Ags,
        /// How far outside its boundary the place lies, in whole metres (0: inside, near
        /// the border to a neighbour).
        distance_m: u32,
        /// The other Gemeinden the citizen could have chosen (within the tolerance of the
        /// place), nearest first; empty in entries written before the choice existed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        alternatives: Vec<crate::Ags>,
    },
    /// Staff changed what the public map shows of the report (issue 20).
    PublicationChanged {
        /// The exact position is shown (else the grid cell).
        exact: bool,
        /// The citizen's text and photos may be published.
        approved: bool,
    },
}

/// One entry of a report's audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// The report.
    pub report_id: ReportId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: AuditAction,
    /// A comment the citizen may see (status changes only).
    pub public_comment: Option<String>,
}
