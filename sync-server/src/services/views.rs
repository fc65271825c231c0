//! The views of a report for each audience, built by explicit conversion.
//!
//! Citizen views are assembled from public types only ([`augenmerk_domain::public`]):
//! the functions here take the stored report and pick fields, so a field added to the
//! staff record does not reach citizens unless someone adds it here on purpose.

use chrono::Utc;

use augenmerk_domain::public::{CitizenReport, FollowedReport, PublicMessage, PublicStatusChange, public_fields};
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{StaffMessage, StaffReportDetail, StaffReportSummary};

use crate::error::ApiResult;
use crate::state::{AppState, Tenant};

/// The public form of a message: no staff names.
pub fn public_message(m: &StaffMessage) -> PublicMessage {
    PublicMessage {
        id: m.id,
        report_id: m.report_id,
        author: m.author,
        body: m.body.clone(),
        created_at: m.created_at,
    }
}

/// The category's German name, or its id if it was removed from the tree since.
pub fn category_name(tenant: &Tenant, report: &Report) -> String {
    tenant
        .record
        .categories
        .find(&report.category)
        .map(|c| c.de.clone())
        .unwrap_or_else(|| report.category.to_string())
}

/// The report as the device that submitted it sees it.
pub async fn citizen_report(state: &AppState, report: &Report) -> ApiResult<CitizenReport> {
    let history = state.store.list_status_changes(&report.id).await?;
    let messages = state.store.list_messages(&report.id).await?;
    citizen_report_with(state, report, history, messages.iter().map(public_message).collect()).await
}

/// The citizen's view from a report and its already known history and messages.
pub async fn citizen_report_with(
    state: &AppState,
    report: &Report,
    history: Vec<PublicStatusChange>,
    messages: Vec<PublicMessage>,
) -> ApiResult<CitizenReport> {
    let tenant = state.tenant(&report.municipality).await?;
    let forwarded_to = report.forwarded_to.as_ref().map(|id| {
        tenant
            .record
            .settings
            .authorities
            .iter()
            .find(|a| &a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_string())
    });
    Ok(CitizenReport {
        id: report.id,
        municipality: report.municipality.clone(),
        municipality_name: tenant.record.name.clone(),
        category: report.category.clone(),
        category_name: category_name(&tenant, report),
        answers: report.answers.clone(),
        description: report.description.clone(),
        location: report.location,
        address_hint: report.address_hint.clone(),
        photos: report.photos.clone(),
        status: report.status,
        forwarded_to,
        duplicate_of: report.duplicate_of,
        history,
        messages,
        created_at: report.created_at,
        updated_at: report.updated_at,
        mail_updates: augenmerk_domain::mail::MailUpdates::of(
            state.store.subscription(&report.id).await?.map(|s| s.state()),
        ),
    })
}

/// A row of the staff inbox.
pub fn staff_summary(tenant: &Tenant, report: Report) -> StaffReportSummary {
    let overdue = report.is_overdue(Utc::now());
    StaffReportSummary {
        category_name: category_name(tenant, &report),
        overdue,
        report,
    }
}

/// Everything staff see of a report, including how the rules route it now.
pub async fn staff_detail(state: &AppState, tenant: &Tenant, report: Report) -> ApiResult<StaffReportDetail> {
    let audit = state.store.list_audit(&report.id).await?;
    let messages = state.store.list_messages(&report.id).await?;
    let notes = state.store.list_notes(&report.id).await?;
    let routing = crate::services::intake::route(tenant, &report);
    Ok(StaffReportDetail {
        category_name: category_name(tenant, &report),
        overdue: report.is_overdue(Utc::now()),
        report,
        audit,
        messages,
        notes,
        routing: Some(routing),
    })
}

/// Someone else's report as a device that follows it sees it: place, category and status
/// history only, from the public policy ([`public_fields`]). The device keeps seeing a
/// report it follows even once it is turned down: its feed told it so anyway.
pub async fn followed_report(state: &AppState, report: &Report) -> ApiResult<FollowedReport> {
    let tenant = state.tenant(&report.municipality).await?;
    let history = state.store.list_status_changes(&report.id).await?;
    let public = public_fields(report, &history, &tenant.record.settings);
    Ok(FollowedReport {
        municipality_name: tenant.record.name.clone(),
        category_name: category_name(&tenant, report),
        id: public.id,
        municipality: public.municipality,
        category: public.category,
        location: public.location,
        status: public.status,
        history: public.history,
        created_at: public.created_at,
        updated_at: public.updated_at,
    })
}
