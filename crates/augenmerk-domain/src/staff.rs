//! Types only staff may receive: accounts, departments, audit actors, internal notes,
//! and the staff views of reports.
//!
//! Nothing in [`crate::public`] refers to this module; the server builds citizen and
//! public responses only from public types, so an internal note has no path to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::AuditEntry;
use crate::ids::{Ags, ApiKeyId, AuthorityId, DepartmentId, MessageId, NoteId, ReportId, UserId};
use crate::public::MessageAuthor;
use crate::report::Report;
use crate::rules::RuleEvaluation;

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Configures the municipality (categories, departments, users, rules) and handles reports.
    Admin,
    /// Handles all reports of the municipality.
    Dispatcher,
    /// Handles reports assigned to them or their department.
    FieldWorker,
    /// Manages municipalities on the whole server; sees no reports.
    PlatformAdmin,
    /// Data protection (Datenschutz): executes erasure requests and reads the erasure
    /// log; sees no reports otherwise.
    PrivacyOfficer,
}

impl Role {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Dispatcher => "dispatcher",
            Self::FieldWorker => "field_worker",
            Self::PlatformAdmin => "platform_admin",
            Self::PrivacyOfficer => "privacy_officer",
        }
    }

    /// Parses a wire name (`field` is accepted for `field_worker`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "dispatcher" => Some(Self::Dispatcher),
            "field_worker" | "field" => Some(Self::FieldWorker),
            "platform_admin" => Some(Self::PlatformAdmin),
            "privacy_officer" => Some(Self::PrivacyOfficer),
            _ => None,
        }
    }

    /// Whether the role sees a citizen's e-mail address (the dispatcher answers and
    /// merges; the admin handles complaints). Field workers see only that there is one.
    pub fn sees_citizen_address(self) -> bool {
        matches!(self, Self::Admin | Self::Dispatcher)
    }

    /// Whether the role sees every report of its municipality.
    pub fn sees_all_reports(self) -> bool {
        matches!(self, Self::Admin | Self::Dispatcher)
    }

    /// Whether the role may execute erasure requests and read the erasure log.
    pub fn handles_privacy(self) -> bool {
        matches!(self, Self::Admin | Self::PrivacyOfficer)
    }

    /// Whether the role may change the municipality's configuration.
    pub fn configures(self) -> bool {
        matches!(self, Self::Admin)
    }
}

/// A staff account (never carries the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffUser {
    /// Account id.
    pub id: UserId,
    /// The municipality the account belongs to.
    pub municipality: Ags,
    /// Login name, unique within the municipality.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Department the person works in.
    pub department: Option<DepartmentId>,
    /// Disabled accounts cannot log in.
    pub active: bool,
    /// Where the person's notifications go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Which notifications they want.
    #[serde(default)]
    pub mail: crate::mail::MailPreferences,
}

/// A department of a municipality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    /// Slug, unique within the municipality.
    pub id: DepartmentId,
    /// Display name.
    pub name: String,
    /// Functional mailbox for notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// An authority outside the municipality that reports can be forwarded to, and how
/// forwarded reports reach it (by mail, by Open311, or both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalAuthority {
    /// Slug, unique within the municipality.
    pub id: AuthorityId,
    /// Display name (public: citizens see where their report went).
    pub name: String,
    /// Mailbox that receives forwarded reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Open311 endpoint that receives forwarded reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open311: Option<Open311Endpoint>,
}

/// An authority's Open311 GeoReport v2 endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Open311Endpoint {
    /// Base URL, e.g. `https://kreis.example.de/open311/v2` (requests go to
    /// `{base_url}/requests.json`).
    pub base_url: String,
    /// The API key the authority issued to us.
    pub api_key: String,
    /// Their `jurisdiction_id`, if their endpoint serves several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction_id: Option<String>,
    /// Our category id → their `service_code`. A category without a mapping cannot be
    /// forwarded by Open311 (the forwarding fails visibly and is not sent).
    #[serde(default)]
    pub service_codes: std::collections::BTreeMap<String, String>,
}

/// Checks the mail and forwarding settings of a municipality: the reply-to and sender
/// name, and each authority's mailbox and Open311 endpoint.
pub fn check_delivery(settings: &crate::api::MunicipalitySettings) -> Result<(), Vec<crate::error::FieldError>> {
    use crate::error::FieldError;
    use crate::report::Email;
    let mut problems = Vec::new();
    let email_ok = |field: String, value: Option<&str>, problems: &mut Vec<FieldError>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty())
            && Email::parse(v).is_err()
        {
            problems.push(FieldError::new(field, "invalid_email"));
        }
    };
    email_ok("mail_reply_to".into(), settings.mail_reply_to.as_deref(), &mut problems);
    if let Some(name) = &settings.mail_sender_name
        && (name.chars().count() > 100 || crate::text::FreeText::parse("mail_sender_name", name).is_err())
    {
        problems.push(FieldError::new("mail_sender_name", "invalid"));
    }
    for (i, a) in settings.authorities.iter().enumerate() {
        email_ok(format!("authorities.{i}.email"), a.email.as_deref(), &mut problems);
        if let Some(o) = &a.open311 {
            let url = o.base_url.trim();
            let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
            if !scheme_ok || url.len() > 500 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                problems.push(FieldError::new(
                    format!("authorities.{i}.open311.base_url"),
                    "invalid_url",
                ));
            }
            if o.api_key.trim().is_empty() || o.api_key.len() > 500 {
                problems.push(FieldError::new(format!("authorities.{i}.open311.api_key"), "required"));
            }
            if o.service_codes
                .iter()
                .any(|(k, v)| k.trim().is_empty() || v.trim().is_empty())
            {
                problems.push(FieldError::new(
                    format!("authorities.{i}.open311.service_codes"),
                    "invalid",
                ));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// An internal note on a report. Staff only: never part of any citizen or public response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InternalNote {
    /// Note id (client-chosen for idempotent retries, or server-generated).
    pub id: NoteId,
    /// The report.
    pub report_id: ReportId,
    /// Who wrote it.
    pub author: UserId,
    /// The author's display name.
    pub author_name: String,
    /// Text.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A message of a report's thread with the staff author named (staff view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMessage {
    /// Message id.
    pub id: MessageId,
    /// The report.
    pub report_id: ReportId,
    /// Citizen or municipality.
    pub author: MessageAuthor,
    /// The staff member who wrote it, for messages from the municipality.
    pub staff_author: Option<UserId>,
    /// Their display name.
    pub staff_author_name: Option<String>,
    /// Text.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A row of the staff inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffReportSummary {
    /// The report.
    pub report: Report,
    /// The category's German name.
    pub category_name: String,
    /// Whether it is past its due date and still open.
    pub overdue: bool,
    /// Since when the citizen's message waits for an answer (see
    /// [`crate::triage::awaiting_reply_since`]); none when staff wrote last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_reply_since: Option<DateTime<Utc>>,
}

/// Everything staff see of one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffReportDetail {
    /// The report.
    pub report: Report,
    /// The category's German name.
    pub category_name: String,
    /// Whether it is past its due date and still open.
    pub overdue: bool,
    /// Since when the citizen's message waits for an answer; none when staff wrote last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// Every change, oldest first.
    pub audit: Vec<AuditEntry>,
    /// The thread with the citizen, oldest first.
    pub messages: Vec<StaffMessage>,
    /// Internal notes, oldest first.
    pub notes: Vec<InternalNote>,
    /// How the rules route this report now, and why.
    pub routing: Option<RuleEvaluation>,
    /// What the public map shows of it (exact position; text and photos approved).
    #[serde(default)]
    pub publication: crate::public_map::Publication,
    /// Whether the citizen gave an address and gets mail updates (the address only for
    /// roles that need it).
    #[serde(default)]
    pub citizen: crate::duplicates::CitizenSide,
    /// The reports merged into this one, oldest first.
    #[serde(default)]
    pub merged: Vec<crate::duplicates::MergedReport>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// Page number, from 1.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
}

/// An Open311 client's API key as admins see it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyInfo {
    /// Id (for revoking).
    pub id: ApiKeyId,
    /// The municipality the key may submit to.
    pub municipality: Ags,
    /// Who uses it (a city system, an app).
    pub name: String,
    /// Hosts `media_url` photos may be fetched from for this key; empty: never fetched.
    #[serde(default)]
    pub media_hosts: Vec<String>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it was revoked (then it no longer works).
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A count under a key, with its display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyCount {
    /// Category or department id; `None` for reports routed to no department.
    pub key: Option<String>,
    /// Display name (German).
    pub name: String,
    /// Reports.
    pub count: u64,
}

/// Reports of a municipality over a period (`GET /api/v1/staff/stats`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statistics {
    /// Start of the period (received at or after).
    pub from: DateTime<Utc>,
    /// End of the period (received at or before).
    pub to: DateTime<Utc>,
    /// Reports received in the period.
    pub total: u64,
    /// Per status (every status, in process order).
    pub by_status: Vec<(crate::process::Status, u64)>,
    /// Per category, largest first.
    pub by_category: Vec<KeyCount>,
    /// Per department, largest first.
    pub by_department: Vec<KeyCount>,
    /// Per Gemeinde (of an Amt; one entry for a single Gemeinde), largest first.
    #[serde(default)]
    pub by_gemeinde: Vec<KeyCount>,
    /// Median hours from arrival to the first public reaction (a message or a status set by staff).
    pub median_first_response_hours: Option<f64>,
    /// Median hours from arrival to the first resolution or closing.
    pub median_resolution_hours: Option<f64>,
    /// Open reports past their due date now.
    pub overdue: u64,
}
