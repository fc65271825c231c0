//! Figures for overviews: the platform operator's table of all municipalities
//! (`GET /api/v1/admin/overview`) and the open and overdue cases per department of one
//! municipality (`GET /api/v1/staff/stats/departments`, the SLA view). Both are "now"
//! figures, unlike the statistics over a period in [`crate::staff::Statistics`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Ags;
use crate::process::Status;

/// How many days back "recent reports" of the platform overview count.
pub const RECENT_DAYS: i64 = 30;

/// One municipality (tenant) as the platform operator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantOverview {
    /// Its key (AGS of a Gemeinde, or the nine digits of an Amt).
    pub ags: Ags,
    /// Its name.
    pub name: String,
    /// Staff accounts that can sign in (active ones).
    pub users: u64,
    /// Reports in an open status (received, assigned, in progress).
    pub open: u64,
    /// Open reports past their due date now.
    pub overdue: u64,
    /// Reports received in the last [`RECENT_DAYS`] days.
    pub recent: u64,
    /// The last change to any of its reports (none: no reports yet).
    pub last_activity: Option<DateTime<Utc>>,
    /// Mails (and forwardings) given up in the last [`RECENT_DAYS`] days.
    pub failed_deliveries: u64,
}

/// Raw figures of one municipality, as the store counts them (names are attached by the
/// server).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantFigures {
    /// Staff accounts that can sign in.
    pub users: u64,
    /// Open reports.
    pub open: u64,
    /// Open reports past their due date.
    pub overdue: u64,
    /// Reports received since the start of the recent period.
    pub recent: u64,
    /// The last change to a report.
    pub last_activity: Option<DateTime<Utc>>,
    /// Jobs given up since the start of the recent period.
    pub failed_deliveries: u64,
}

/// The open cases of one department now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentWorkload {
    /// The department's id (none: not routed to a department yet).
    pub department: Option<String>,
    /// Its name ("—" for none).
    pub name: String,
    /// Open reports per open status (every open status, in process order).
    pub by_status: Vec<(Status, u64)>,
    /// Open reports in all.
    pub open: u64,
    /// Open reports past their due date.
    pub overdue: u64,
}

/// New allowed photo hosts of an Open311 API key
/// (`PUT /api/v1/staff/config/api-keys/{id}/media-hosts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyMediaHosts {
    /// Bare host names `media_url` photos may be fetched from (empty: none).
    pub media_hosts: Vec<String>,
}
