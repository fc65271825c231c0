//! One typed function per endpoint the console calls: the paths under `/api/v1` are
//! written here and nowhere else, so a component asks for `api.departments()` and never
//! spells `"/staff/…"`. Ids and free text in a path or query are percent-encoded here.

use std::collections::HashMap;

use gloo_net::http::Request;

use augenmerk_domain::api::{
    DirectoryEntry, DirectoryImport, DirectoryListing, DryRunRequest, DryRunResponse, MailedImport,
    MunicipalitySettings, MyMailSettings, NewMessage, NewMunicipality, NewNote, NewStaffUser, ReportUpdate,
    StaffUserUpdate, TransitionRequest,
};
use augenmerk_domain::mail::DeliveryRecord;
use augenmerk_domain::privacy::{ErasureCandidate, ErasureDone, ErasureLogEntry, StaffErasureRequest};
use augenmerk_domain::public::{MunicipalityConfig, MunicipalityInfo};
use augenmerk_domain::public_map::Publication;
use augenmerk_domain::rules::Rule;
use augenmerk_domain::sessions::{LoginLogEntry, SessionInfo, SessionsEnded};
use augenmerk_domain::staff::{Department, Page, StaffReportDetail, StaffReportSummary, StaffUser, Statistics};
use augenmerk_domain::templates::ReplyTemplate;
use augenmerk_domain::{Ags, CategoryTree, DepartmentId};

use super::{API, Api, encode};
use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};

/// The answer of a change whose body the console does not read (it reloads instead).
type Ignored = serde_json::Value;

// ---- Reports ------------------------------------------------------------------------

impl Api {
    /// A page of the report list; `query` is the filter's query string (`Filters::query`).
    pub async fn reports(&self, query: &str) -> UiResult<Page<StaffReportSummary>> {
        self.get(&format!("/staff/reports?{query}")).await
    }

    /// The report list of `query` as CSV in the language `lang`, as an object URL.
    pub async fn reports_csv(&self, query: &str, lang: &str) -> UiResult<String> {
        self.object_url(&format!("/staff/reports.csv?{query}&lang={lang}"), "text/csv")
            .await
    }

    /// One report with its history, messages and notes.
    pub async fn report(&self, id: &str) -> UiResult<StaffReportDetail> {
        self.get(&report_path(id)).await
    }

    /// Changes category, department, assignee or priority.
    pub async fn update_report(&self, id: &str, update: &ReportUpdate) -> UiResult<()> {
        self.patch::<_, Ignored>(&report_path(id), update).await.map(|_| ())
    }

    /// Moves a report to another status.
    pub async fn transition(&self, id: &str, request: &TransitionRequest) -> UiResult<()> {
        self.post::<_, Ignored>(&format!("{}/transition", report_path(id)), request)
            .await
            .map(|_| ())
    }

    /// Sets what the public map shows of a report (exact position; text and photos
    /// approved). The server audits the change.
    pub async fn set_publication(&self, id: &str, publication: &Publication) -> UiResult<()> {
        self.put::<_, Ignored>(&format!("{}/publication", report_path(id)), publication)
            .await
            .map(|_| ())
    }

    /// Writes to the citizen.
    pub async fn send_message(&self, id: &str, message: &NewMessage) -> UiResult<()> {
        self.post::<_, Ignored>(&format!("{}/messages", report_path(id)), message)
            .await
            .map(|_| ())
    }

    /// Adds an internal note.
    pub async fn add_note(&self, id: &str, note: &NewNote) -> UiResult<()> {
        self.post::<_, Ignored>(&format!("{}/notes", report_path(id)), note)
            .await
            .map(|_| ())
    }

    /// The reply templates filled in for a report.
    pub async fn reply_templates(&self, id: &str) -> UiResult<Vec<ReplyTemplate>> {
        self.get(&format!("{}/reply-templates", report_path(id))).await
    }

    /// Open reports near a report.
    pub async fn nearby(&self, id: &str) -> UiResult<Vec<StaffReportSummary>> {
        self.get(&format!("{}/nearby", report_path(id))).await
    }

    /// Where a report was mailed or posted to, and how that went.
    pub async fn deliveries(&self, id: &str) -> UiResult<Vec<DeliveryRecord>> {
        self.get(&format!("{}/deliveries", report_path(id))).await
    }

    /// A photo (by its hash) as an object URL.
    pub async fn photo_url(&self, hash: &str) -> UiResult<String> {
        self.object_url(&format!("/blobs/{}", encode(hash)), "image/jpeg").await
    }

    /// Statistics of the reports received between two RFC 3339 instants.
    pub async fn statistics(&self, from: &str, to: &str) -> UiResult<Statistics> {
        self.get(&format!("/staff/stats?from={}&to={}", encode(from), encode(to)))
            .await
    }

    /// The number of reports per status (the inbox's tabs).
    pub async fn status_counts(&self) -> UiResult<HashMap<String, u64>> {
        self.get("/staff/stats/status").await
    }
}

fn report_path(id: &str) -> String {
    format!("/staff/reports/{}", encode(id))
}

// ---- The own account ------------------------------------------------------------------

impl Api {
    /// The account's mail preferences.
    pub async fn my_mail(&self) -> UiResult<MyMailSettings> {
        self.get("/staff/me/mail").await
    }

    /// Saves the account's mail preferences.
    pub async fn save_my_mail(&self, settings: &MyMailSettings) -> UiResult<MyMailSettings> {
        self.put("/staff/me/mail", settings).await
    }
}

// ---- Sessions and the sign-in log -----------------------------------------------------

impl Api {
    /// The account's sessions.
    pub async fn my_sessions(&self) -> UiResult<Vec<SessionInfo>> {
        self.get("/sessions").await
    }

    /// Ends one of the account's sessions.
    pub async fn end_my_session(&self, id: &str) -> UiResult<()> {
        self.delete(&format!("/sessions/{}", encode(id))).await
    }

    /// Ends every session of an account (admins).
    pub async fn end_user_sessions(&self, user: &str) -> UiResult<SessionsEnded> {
        self.post_empty(&format!("/staff/config/users/{}/end-sessions", encode(user)))
            .await
    }

    /// The municipality's sign-in log (admins).
    pub async fn login_log(&self) -> UiResult<Vec<LoginLogEntry>> {
        self.get("/staff/config/login-log").await
    }
}

// ---- Data protection ------------------------------------------------------------------

impl Api {
    /// The log of executed erasures.
    pub async fn erasure_log(&self) -> UiResult<Vec<ErasureLogEntry>> {
        self.get("/staff/privacy/log").await
    }

    /// The reports an erasure for this address would touch.
    pub async fn erasure_candidates(&self, email: &str) -> UiResult<Vec<ErasureCandidate>> {
        self.get(&format!("/staff/privacy/reports?email={}", encode(email)))
            .await
    }

    /// Executes an erasure.
    pub async fn erase(&self, request: &StaffErasureRequest) -> UiResult<ErasureDone> {
        self.post("/staff/privacy/erasures", request).await
    }
}

// ---- The municipality's configuration -------------------------------------------------

impl Api {
    /// The category tree.
    pub async fn categories(&self) -> UiResult<CategoryTree> {
        self.get("/staff/config/categories").await
    }

    /// Saves the whole category tree.
    pub async fn save_categories(&self, tree: &CategoryTree) -> UiResult<CategoryTree> {
        self.put("/staff/config/categories", tree).await
    }

    /// The departments.
    pub async fn departments(&self) -> UiResult<Vec<Department>> {
        self.get("/staff/config/departments").await
    }

    /// Creates or renames a department.
    pub async fn save_department(&self, department: &Department) -> UiResult<Department> {
        self.put(&department_path(&department.id), department).await
    }

    /// Deletes a department (refused while a rule or an account uses it).
    pub async fn delete_department(&self, id: &str) -> UiResult<()> {
        self.delete(&format!("/staff/config/departments/{}", encode(id))).await
    }

    /// The staff accounts.
    pub async fn users(&self) -> UiResult<Vec<StaffUser>> {
        self.get("/staff/config/users").await
    }

    /// Creates a staff account.
    pub async fn create_user(&self, user: &NewStaffUser) -> UiResult<StaffUser> {
        self.post("/staff/config/users", user).await
    }

    /// Changes a staff account (role, department, disabled).
    pub async fn update_user(&self, id: &str, update: &StaffUserUpdate) -> UiResult<StaffUser> {
        self.patch(&format!("/staff/config/users/{}", encode(id)), update).await
    }

    /// The named areas.
    pub async fn areas(&self) -> UiResult<Vec<augenmerk_domain::api::AreaDefinition>> {
        self.get("/staff/config/areas").await
    }

    /// Imports named areas from a GeoJSON text, naming each by `name_property`.
    pub async fn import_areas(&self, name_property: &str, geojson: String) -> UiResult<()> {
        self.post_raw::<Ignored>(
            &format!("/staff/config/areas/import?name_property={}", encode(name_property)),
            "application/geo+json",
            geojson,
        )
        .await
        .map(|_| ())
    }

    /// Deletes a named area.
    pub async fn delete_area(&self, id: &str) -> UiResult<()> {
        self.delete(&format!("/staff/config/areas/{}", encode(id))).await
    }

    /// The municipality's settings (authorities, templates, mail, privacy, look).
    pub async fn settings(&self) -> UiResult<MunicipalitySettings> {
        self.get(SETTINGS).await
    }

    /// Saves the whole settings object; the answer is what the server stored.
    pub async fn save_settings(&self, settings: &MunicipalitySettings) -> UiResult<MunicipalitySettings> {
        self.put(SETTINGS, settings).await
    }

    /// The delegation rules in their order.
    pub async fn rules(&self) -> UiResult<Vec<Rule>> {
        self.get(RULES).await
    }

    /// Saves the delegation rules (the whole list, in order).
    pub async fn save_rules(&self, rules: &[Rule]) -> UiResult<Vec<Rule>> {
        self.put(RULES, &rules).await
    }

    /// What the rules would do with a sample report.
    pub async fn dry_run(&self, request: &DryRunRequest) -> UiResult<DryRunResponse> {
        self.post("/staff/rules/dry-run", request).await
    }
}

const SETTINGS: &str = "/staff/config/settings";
const RULES: &str = "/staff/config/rules";

fn department_path(id: &DepartmentId) -> String {
    format!("/staff/config/departments/{}", encode(id.as_str()))
}

// ---- The platform ---------------------------------------------------------------------

impl Api {
    /// Creates a municipality with its first admin.
    pub async fn create_municipality(&self, new: &NewMunicipality) -> UiResult<StaffUser> {
        self.post("/admin/municipalities", new).await
    }

    /// Takes over the reports mailed to an administration before it joined the platform.
    pub async fn import_mailed(&self, key: &str) -> UiResult<MailedImport> {
        self.post_empty(&format!("/admin/municipalities/{}/import-mailed", encode(key)))
            .await
    }

    /// The directory of administrations reports are mailed to.
    pub async fn directory(&self) -> UiResult<Vec<DirectoryListing>> {
        self.get(DIRECTORY).await
    }

    /// Creates or changes a directory entry.
    pub async fn save_directory_entry(&self, key: &Ags, entry: &DirectoryEntry) -> UiResult<DirectoryEntry> {
        self.put(&format!("{DIRECTORY}/{}", encode(key.as_str())), entry).await
    }

    /// Deletes a directory entry.
    pub async fn delete_directory_entry(&self, key: &str) -> UiResult<()> {
        self.delete(&format!("{DIRECTORY}/{}", encode(key))).await
    }

    /// Imports directory entries from a CSV text.
    pub async fn import_directory(&self, csv: String) -> UiResult<DirectoryImport> {
        self.post_raw(&format!("{DIRECTORY}/import"), "text/csv", csv).await
    }
}

const DIRECTORY: &str = "/admin/directory";

// ---- Public endpoints (no account needed) ---------------------------------------------

/// The municipalities of the platform (the login's list, the platform page).
pub async fn municipalities() -> UiResult<Vec<MunicipalityInfo>> {
    public_get(&format!("{API}/municipalities")).await
}

/// A municipality's public configuration (name, boundary, categories, Gemeinden).
pub async fn municipality_config(key: &Ags) -> UiResult<MunicipalityConfig> {
    public_get(&format!("{API}/municipalities/{}/config", encode(key.as_str()))).await
}

async fn public_get<T: serde::de::DeserializeOwned>(url: &str) -> UiResult<T> {
    WebBackend::json(Request::get(url).build().map_err(UiError::unexpected)).await
}
