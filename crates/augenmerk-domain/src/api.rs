//! Request bodies and query parameters of the native HTTP API (`/api/v1`).
//!
//! Responses are the types of [`crate::public`] (citizens, public) and
//! [`crate::staff`] (staff). Requests arrive raw here and are validated by the server
//! against the municipality's configuration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::category::CategoryTree;
use crate::credentials::{LoginName, Password};
use crate::geo::GeoPoint;
use crate::ids::{
    ActionId, Ags, AreaId, AuthorityId, BlobHash, CategoryId, DepartmentId, MessageId, NoteId, ReportId, UserId,
};
use crate::process::Status;
use crate::report::Priority;
use crate::rules::{Rule, RuleEvaluation, WorkingHours};
use crate::staff::{Role, StaffUser};

/// A new report, as a device submits it (`POST /api/v1/reports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    /// Chosen by the device at creation; sending the same id again returns the stored report.
    pub id: ReportId,
    /// The municipality, if the device knows it; otherwise the location decides.
    #[serde(default)]
    pub municipality: Option<Ags>,
    /// Leaf category of that municipality.
    pub category: CategoryId,
    /// Answers by question id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Plain text, at most 4,000 characters.
    #[serde(default)]
    pub description: String,
    /// WGS84 position.
    pub location: GeoPoint,
    /// Free-text hint on the place.
    #[serde(default)]
    pub address_hint: Option<String>,
    /// Hashes of photos uploaded before.
    #[serde(default)]
    pub photos: Vec<BlobHash>,
    /// Contact e-mail for updates.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The citizen confirmed the privacy notice (required).
    pub consent: bool,
    /// When the report was created on the device.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The language mails about the report are written in (default German).
    #[serde(default)]
    pub language: Option<crate::i18n::Language>,
    /// Where the report is mailed to an administration not on the platform: the citizen
    /// agreed that their contact address goes with it (default: it does not).
    #[serde(default)]
    pub share_contact: bool,
    /// The version of the privacy notice the citizen read and agreed to
    /// ([`crate::privacy::LegalInfo::notice_version`]); stored with the consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_version: Option<u32>,
}

/// Optional facts about a device at registration (`POST /api/v1/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDevice {
    /// Platform (linux, android, …), for support.
    #[serde(default)]
    pub platform: Option<String>,
    /// App version, for support.
    #[serde(default)]
    pub app_version: Option<String>,
}

/// A message to the thread of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMessage {
    /// Client-chosen id: sending the same id again does not add a second message.
    #[serde(default)]
    pub id: Option<MessageId>,
    /// Text, at most 4,000 characters.
    pub body: String,
}

/// An internal note (staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewNote {
    /// Client-chosen id for idempotent retries.
    #[serde(default)]
    pub id: Option<NoteId>,
    /// Text, at most 4,000 characters.
    pub body: String,
}

/// Staff login (`POST /api/v1/login`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// AGS of the municipality (login names are scoped by municipality); omit for the platform admin.
    #[serde(default)]
    pub municipality: Option<Ags>,
    /// Login name (at most 64 bytes; a longer one is refused as malformed).
    pub username: LoginName,
    /// Password (at most 1,024 bytes).
    pub password: Password,
    /// The second factor of an enrolled account: a code of its authenticator app or one of
    /// its recovery codes (see [`crate::second_factor`]). Without it such an account's
    /// sign-in answers `totp_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
}

/// A successful login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Bearer token.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// The account's role.
    pub role: Role,
    /// The account.
    pub user: StaffUser,
}

/// A status change (`POST /api/v1/staff/reports/{id}/transition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionRequest {
    /// Target status.
    pub to: Status,
    /// Comment the citizen sees with the change.
    #[serde(default)]
    pub public_comment: Option<String>,
    /// Required for `forwarded`: the external authority.
    #[serde(default)]
    pub forward_to: Option<AuthorityId>,
    /// Required for `duplicate`: the original report.
    #[serde(default)]
    pub duplicate_of: Option<ReportId>,
    /// The status the client believes the report has; a mismatch is a 409 conflict.
    #[serde(default)]
    pub expected_status: Option<Status>,
    /// Client-chosen key: sending the same transition again answers with the report instead of a conflict.
    #[serde(default)]
    pub id: Option<ActionId>,
    /// Photos uploaded before that document the change (a field worker's completion photo); public.
    #[serde(default)]
    pub photos: Vec<BlobHash>,
}

/// Changes to a report's handling (`PATCH /api/v1/staff/reports/{id}`); absent fields stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportUpdate {
    /// New category; answers are kept where the new category asks the same questions.
    #[serde(default)]
    pub category: Option<CategoryId>,
    /// New department (`null` inside `Some` is not supported: use `clear_department`).
    #[serde(default)]
    pub department: Option<DepartmentId>,
    /// New assignee.
    #[serde(default)]
    pub assignee: Option<UserId>,
    /// Remove the assignee.
    #[serde(default)]
    pub clear_assignee: bool,
    /// New priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// New due date.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Re-evaluate the rules (after the category change) and apply their routing.
    #[serde(default)]
    pub reroute: bool,
}

/// Filters of the staff inbox (`GET /api/v1/staff/reports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema), into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// Comma-separated statuses.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^\s*(received|assigned|in_progress|resolved|rejected|forwarded|duplicate|closed)\s*(,\s*(received|assigned|in_progress|resolved|rejected|forwarded|duplicate|closed)\s*)*$"
        )
    )]
    pub status: Option<String>,
    /// Category (its subtree included).
    #[serde(default)]
    pub category: Option<CategoryId>,
    /// Department.
    #[serde(default)]
    pub department: Option<DepartmentId>,
    /// The Gemeinde (of an Amt) the report lies in.
    #[serde(default)]
    pub gemeinde: Option<Ags>,
    /// Assignee.
    #[serde(default)]
    pub assignee: Option<UserId>,
    /// Priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Only overdue (true) or only not overdue (false).
    #[serde(default)]
    pub overdue: Option<bool>,
    /// `min_lon,min_lat,max_lon,max_lat`.
    #[serde(default)]
    pub bbox: Option<String>,
    /// Text search in description, address hint and answers.
    #[serde(default)]
    pub q: Option<String>,
    /// Page from 1.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub page: Option<u32>,
    /// Items per page (at most 200).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub page_size: Option<u32>,
    /// `received_at` (default, newest first), `due_at`, `priority` or `updated_at`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(pattern = "^(received_at|due_at|priority|updated_at)$"))]
    pub sort: Option<String>,
    /// Comma-separated report ids (Open311 `service_request_id`).
    #[serde(default)]
    pub ids: Option<String>,
    /// Comma-separated categories, exactly (no subtree; Open311 `service_code`).
    #[serde(default)]
    pub categories: Option<String>,
    /// Received at or after.
    #[serde(default)]
    pub received_from: Option<DateTime<Utc>>,
    /// Received at or before.
    #[serde(default)]
    pub received_to: Option<DateTime<Utc>>,
    /// Only reports inside this named area of the municipality.
    #[serde(default)]
    pub area: Option<AreaId>,
    /// Only reports assigned to the logged-in staff member (a saved filter stays personal:
    /// it names "me", not an account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to_me: Option<bool>,
    /// Only reports of the logged-in staff member's department (422 for an account
    /// without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_department: Option<bool>,
    /// Only reports whose citizen wrote last and waits for an answer (true), or only the
    /// others (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_reply: Option<bool>,
}

/// A sample report to try the rules on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSample {
    /// Category.
    pub category: CategoryId,
    /// Answers.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Location.
    pub location: GeoPoint,
    /// Arrival time (default: now).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// A dry run (`POST /api/v1/staff/rules/dry-run`): an existing report or a sample, and
/// optionally a rule set to try instead of the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunRequest {
    /// An existing report of the municipality.
    #[serde(default)]
    pub report_id: Option<ReportId>,
    /// Or a sample.
    #[serde(default)]
    pub sample: Option<RuleSample>,
    /// Rules to try instead of the stored ones (the editor's unsaved state).
    #[serde(default)]
    pub rules: Option<Vec<Rule>>,
}

/// The answer of a dry run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunResponse {
    /// The evaluation with its explanation.
    pub evaluation: RuleEvaluation,
    /// Named areas the location lies in.
    pub areas: Vec<AreaId>,
}

/// A new staff account (`POST /api/v1/staff/config/users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaffUser {
    /// Login name (unique within the municipality).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Password (at least 10 characters).
    pub password: String,
    /// Role (not `platform_admin`).
    pub role: Role,
    /// Department.
    #[serde(default)]
    pub department: Option<DepartmentId>,
    /// The person's e-mail address for notifications.
    #[serde(default)]
    pub email: Option<String>,
}

/// Changes to a staff account; absent fields stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffUserUpdate {
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// New password.
    #[serde(default)]
    pub password: Option<String>,
    /// Role.
    #[serde(default)]
    pub role: Option<Role>,
    /// Department.
    #[serde(default)]
    pub department: Option<DepartmentId>,
    /// Enable or disable.
    #[serde(default)]
    pub active: Option<bool>,
    /// E-mail address for notifications (empty: none).
    #[serde(default)]
    pub email: Option<String>,
}

/// A staff member's own mail settings (`GET/PUT /api/v1/staff/me/mail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyMailSettings {
    /// Where notifications go (none: no mails).
    #[serde(default)]
    pub email: Option<String>,
    /// Which mails.
    #[serde(default)]
    pub preferences: crate::mail::MailPreferences,
}

/// A named area with its polygon (`PUT /api/v1/staff/config/areas/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaDefinition {
    /// Slug.
    pub id: AreaId,
    /// Display name.
    pub name: String,
    /// GeoJSON Polygon or MultiPolygon.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub geometry: serde_json::Value,
}

/// Settings of a municipality that admins edit (`GET/PUT /api/v1/staff/config/settings`).
/// The default is a municipality that configured nothing: weekday working hours in
/// Berlin, no templates, authorities, branding or mail sender, the legal retention.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalitySettings {
    /// Working hours for time conditions.
    pub working_hours: WorkingHours,
    /// External authorities reports can be forwarded to.
    pub authorities: Vec<crate::staff::ExternalAuthority>,
    /// Accent colour for the citizen's UI (`#rrggbb`, dark enough for white text).
    #[serde(default)]
    pub accent_color: Option<String>,
    /// Logo for the citizen's UI, as a `data:image/…;base64,…` URL (see [`crate::branding`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Reply templates (Textbausteine) for messages to citizens.
    #[serde(default)]
    pub reply_templates: Vec<crate::templates::ReplyTemplate>,
    /// Publish the citizens' descriptions and address hints with the public reports
    /// (Open311, the public map). Off by default: citizens write names, phone numbers
    /// and licence plates into them. See [`crate::public::public_view`].
    #[serde(default)]
    pub publish_text: bool,
    /// The name mails to citizens come from (default: the municipality's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_sender_name: Option<String>,
    /// Where citizens' and authorities' replies to mails go (the municipality's service mailbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_reply_to: Option<String>,
    /// How long personal data is kept (see [`crate::privacy`]).
    #[serde(default)]
    pub retention: crate::privacy::RetentionPolicy,
    /// Privacy notice and Impressum templates, and the notice's version.
    #[serde(default)]
    pub legal: crate::privacy::LegalTexts,
    /// The public map and open data: on/off, privacy grid, photos, licence, embedding.
    #[serde(default)]
    pub public: crate::public_map::PublicSettings,
    /// Single sign-on through the municipality's identity provider (see [`crate::sso`]).
    #[serde(default)]
    pub sso: crate::sso::SsoSettings,
    /// The second factor of local accounts (see [`crate::second_factor`]).
    #[serde(default)]
    pub totp: crate::second_factor::TotpSettings,
}

impl MunicipalitySettings {
    /// Blanks what only admins may read: the API keys of authorities' Open311 endpoints.
    pub fn hide_secrets(&mut self) {
        for a in &mut self.authorities {
            if let Some(o) = &mut a.open311 {
                o.api_key.clear();
            }
        }
    }
}

/// A municipality created by the platform admin (`POST /api/v1/admin/municipalities`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMunicipality {
    /// AGS of an amtsfreie Gemeinde, or the nine-digit key of an Amt; the boundaries of
    /// its Gemeinden must have been imported.
    pub ags: Ags,
    /// Name (default: the Gemeinde's, or the directory's for an Amt; an Amt without a
    /// directory entry needs one).
    #[serde(default)]
    pub name: Option<String>,
    /// Take over the reports mailed to this administration before it joined: they
    /// arrive in its inbox (default: they stay as they are).
    #[serde(default)]
    pub import_mailed: bool,
    /// Category tree (default: the standard tree).
    #[serde(default)]
    pub categories: Option<CategoryTree>,
    /// First admin account.
    pub admin: NewStaffUser,
}

/// A new Open311 API key (`POST /api/v1/staff/config/api-keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiKey {
    /// Who will use it (a city system, an app).
    pub name: String,
    /// Hosts `media_url` photos may be fetched from for this key (default: none, never fetched).
    #[serde(default)]
    pub media_hosts: Vec<String>,
}

/// A newly issued API key: the secret is shown only in this answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyIssued {
    /// The secret, for the client's `api_key` parameter.
    pub api_key: String,
    /// The record.
    pub key: crate::staff::ApiKeyInfo,
}

/// An administration in the platform's directory: not (yet) on the platform, but it
/// takes reports by e-mail (`/api/v1/admin/directory`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    /// The administration's key: nine digits (`VWG_ARS` of the boundary data), or the
    /// AGS of an amtsfreie Gemeinde.
    pub key: Ags,
    /// Name, e.g. "Hansestadt Lübeck" or "Amt Geltinger Bucht".
    pub name: String,
    /// The mailbox that receives reports.
    pub email: crate::report::Email,
}

/// The result of a directory import from CSV (`POST /api/v1/admin/directory/import`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryImport {
    /// Entries added or changed.
    pub imported: u32,
    /// Lines that could not be read, with their line number and why (nothing is
    /// imported when there are any).
    pub problems: Vec<crate::error::FieldError>,
}

/// What a platform admin's import of mailed reports did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailedImport {
    /// Reports taken into the inbox.
    pub imported: u32,
}

/// A directory entry as the platform admin sees it (`GET /api/v1/admin/directory`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryListing {
    /// The entry.
    #[serde(flatten)]
    pub entry: DirectoryEntry,
    /// Reports mailed to it and not yet taken into an inbox on the platform.
    pub mailed_reports: u32,
    /// Whether the administration has joined the platform (then reports go to its inbox
    /// and the directory entry is no longer used).
    pub on_platform: bool,
}
