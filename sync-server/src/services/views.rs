//! The views of a report for each audience, built by explicit conversion.
//!
//! Citizen views are assembled from public types only ([`augenmerk_domain::public`]):
//! the functions here take the stored report and pick fields, so a field added to the
//! staff record does not reach citizens unless someone adds it here on purpose.

use chrono::Utc;

use augenmerk_domain::Ags;
use augenmerk_domain::public::{
    CitizenReport, FollowedReport, PublicMessage, PublicStatusChange, place_name, public_fields,
};
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{StaffMessage, StaffReportDetail, StaffReportSummary};
use augenmerk_store::MailedReport;

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
    let history = state
        .store
        .list_status_changes(&report.municipality, &report.id)
        .await?;
    let messages = state.store.list_messages(&report.municipality, &report.id).await?;
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
    let place_name = place_name_of(state, &tenant.record.name, &report.gemeinde, tenant.gemeinden.len() > 1);
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
        place_name: Some(place_name),
        mailed_to: None,
    })
}

/// How citizens name a report's place: the Gemeinde, with its Amt where the tenant serves
/// several ("Wees (Amt Langballig)").
pub fn place_name_of(state: &AppState, administration: &str, gemeinde: &Ags, several: bool) -> String {
    let name = state
        .boundary_index()
        .get(gemeinde)
        .map(|m| m.name().to_owned())
        .unwrap_or_else(|| administration.to_owned());
    place_name(&name, several.then_some(administration))
}

/// A report mailed to an administration off the platform, as its device sees it.
pub fn mailed_citizen_report(state: &AppState, m: &MailedReport) -> CitizenReport {
    let report = &m.report;
    let category_name = crate::demo::standard_tree()
        .ok()
        .and_then(|t| t.find(&report.category).map(|c| c.de.clone()))
        .unwrap_or_else(|| report.category.to_string());
    let several = state.gemeinden_of(&report.municipality).len() > 1;
    CitizenReport {
        id: report.id,
        municipality: report.municipality.clone(),
        municipality_name: m.mailed_to.clone(),
        category: report.category.clone(),
        category_name,
        answers: report.answers.clone(),
        description: report.description.clone(),
        location: report.location,
        address_hint: report.address_hint.clone(),
        photos: report.photos.clone(),
        status: report.status,
        forwarded_to: Some(m.mailed_to.clone()),
        duplicate_of: None,
        history: crate::services::mailed::history(m),
        messages: Vec::new(),
        created_at: report.created_at,
        updated_at: report.updated_at,
        mail_updates: augenmerk_domain::mail::MailUpdates::default(),
        place_name: Some(place_name_of(state, &m.mailed_to, &report.gemeinde, several)),
        mailed_to: Some(m.mailed_to.clone()),
    }
}

/// A row of the staff inbox.
pub fn staff_summary(tenant: &Tenant, report: Report) -> StaffReportSummary {
    let overdue = report.is_overdue(Utc::now());
    StaffReportSummary {
        category_name: category_name(tenant, &report),
        overdue,
        // Filled in for the inbox by `triage::summaries`, which reads it for a page at once.
        awaiting_reply_since: None,
        report,
    }
}

/// Everything staff see of a report, including how the rules route it now.
pub async fn staff_detail(state: &AppState, tenant: &Tenant, report: Report) -> ApiResult<StaffReportDetail> {
    let audit = state.store.list_audit(&report.municipality, &report.id).await?;
    let messages = state.store.list_messages(&report.municipality, &report.id).await?;
    let notes = state.store.list_notes(&report.municipality, &report.id).await?;
    let routing = crate::services::intake::route(tenant, &report);
    let publication = state.store.get_publication(&report.municipality, &report.id).await?;
    Ok(StaffReportDetail {
        category_name: category_name(tenant, &report),
        overdue: report.is_overdue(Utc::now()),
        awaiting_reply_since: augenmerk_domain::triage::awaiting_reply_since(&messages),
        report,
        audit,
        messages,
        notes,
        routing: Some(routing),
        publication,
        // Filled in for the viewer by `duplicates::for_viewer`.
        citizen: Default::default(),
        merged: Vec::new(),
    })
}

/// Someone else's report as a device that follows it sees it: place, category and status
/// history only, from the public policy ([`public_fields`]). The device keeps seeing a
/// report it follows even once it is turned down: its feed told it so anyway.
pub async fn followed_report(state: &AppState, report: &Report) -> ApiResult<FollowedReport> {
    let tenant = state.tenant(&report.municipality).await?;
    let history = state
        .store
        .list_status_changes(&report.municipality, &report.id)
        .await?;
    let publication = state.store.get_publication(&report.municipality, &report.id).await?;
    let public = public_fields(report, &history, &tenant.record.settings, &publication);
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
