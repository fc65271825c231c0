//! Intake: a new report is checked against its municipality's configuration, routed by
//! the delegation rules, and stored with its audit trail, all or nothing.
//!
//! Submission is idempotent by the client's report id: a retry of a stored report
//! returns the stored report, even if the configuration changed since, and never
//! creates a second one.

use chrono::{DateTime, Utc};

use augenmerk_domain::api::NewReport;
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::category::AnswerError;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::{self, Channel, Priority, Report};
use augenmerk_domain::routing;
use augenmerk_domain::rules::{RuleEvaluation, RuleInput};
use augenmerk_domain::{DeviceId, Status};
use augenmerk_store::{Inserted, PublicEvent, ReportWrite, StoreError};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Destination, Tenant};

/// What intake stored (or found stored), with the public history when it is new.
pub struct Submitted {
    /// The report.
    pub report: Inserted<Report>,
    /// Its public status history, when the report is new (it is known without a read).
    pub history: Option<Vec<PublicStatusChange>>,
    /// For a report mailed to an administration off the platform: its record (which the
    /// citizen's view is built from; no tenant here has the report).
    pub mailed: Option<augenmerk_store::MailedReport>,
}

/// Accepts a report from a device (or another channel) and returns what is stored.
pub async fn submit(
    state: &AppState,
    device: Option<DeviceId>,
    channel: Channel,
    new: NewReport,
) -> ApiResult<Submitted> {
    let id = new.id;
    match accept(state, device, channel, new).await {
        Ok(submitted) => Ok(submitted),
        // A retry must get the stored report back even when it would no longer pass
        // (the configuration changed since). Only failures pay for this read: on the
        // normal path the insert itself detects a stored id.
        Err(error) => match state.store.get_report_any(&id).await {
            Ok(existing) => stored_for(existing, device),
            Err(StoreError::NotFound) => Err(error),
            Err(e) => Err(e.into()),
        },
    }
}

/// The answer to a submission whose id is already stored.
fn stored_for(existing: Report, device: Option<DeviceId>) -> ApiResult<Submitted> {
    if device.is_some() && existing.device_id == device {
        Ok(Submitted {
            report: Inserted::Existing(existing),
            history: None,
            mailed: None,
        })
    } else {
        // Another device (or channel) used the id: not this device's report.
        Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "reason": "report id already used" })))
    }
}

/// Checks, routes and stores a new report; a stored id comes back as it is stored.
async fn accept(state: &AppState, device: Option<DeviceId>, channel: Channel, new: NewReport) -> ApiResult<Submitted> {
    let location = new.location.validated()?;
    // Near a border the report may name a neighbour within the tolerance instead.
    let candidates = super::border::candidates(state, location).await?;
    let (chosen, others) = super::border::choose(candidates, new.municipality.as_ref())?;
    // Only a citizen's form asks (an Open311 client names its jurisdiction, staff theirs).
    let confirmed_by_citizen = new.municipality.is_some() && device.is_some();
    let border_confirmation = super::border::confirmation(&chosen, &others, confirmed_by_citizen);
    let place = chosen.place;
    let tenant = match chosen.destination {
        Some(Destination::Tenant(t)) => t,
        // Only devices report to administrations that are not on the platform: an
        // Open311 client or staff enter reports for a tenant.
        Some(Destination::Mail(entry)) if device.is_some() && channel == Channel::App => {
            return super::mailed::accept(state, device, new, location, &place, entry).await;
        }
        _ => return Err(crate::state::not_served(&place)),
    };
    // A deactivated category takes no new reports; the client is told as for an unknown
    // one (it fetches the configuration again and the citizen chooses anew).
    if tenant.record.categories.find(&new.category).is_some() && !tenant.record.categories.is_offered(&new.category) {
        return Err(ApiError::new(ErrorCode::UnknownCategory)
            .context(serde_json::json!({ "category": new.category.as_str(), "reason": "inactive" })));
    }
    let content = checked_content(state, &tenant.record.categories, &new, device.as_ref()).await?;

    let now = Utc::now();
    let language = new.language.unwrap_or_default();
    let mut report = received(
        new,
        content,
        Filed {
            municipality: tenant.record.ags.clone(),
            gemeinde: place.gemeinde.clone(),
            location,
            device,
            channel,
        },
        now,
    );
    let actor = Actor::Citizen { device };
    let mut audit = vec![AuditEntry {
        report_id: report.id,
        at: now,
        actor: actor.clone(),
        action: AuditAction::Created { channel },
        public_comment: None,
    }];
    audit.extend(border_confirmation.map(|action| AuditEntry {
        report_id: report.id,
        at: now,
        actor,
        action,
        public_comment: None,
    }));
    let mut events = vec![PublicEvent::Status(PublicStatusChange {
        from: None,
        to: Status::Received,
        comment: None,
        at: now,
        photos: Vec::new(),
    })];

    let evaluation = route(&tenant, &report);
    apply_routing(
        &tenant,
        &mut report,
        &evaluation,
        Actor::System,
        now,
        &mut audit,
        &mut events,
    );

    let history: Vec<PublicStatusChange> = events
        .iter()
        .filter_map(|e| match e {
            PublicEvent::Status(change) => Some(change.clone()),
            PublicEvent::Message(_) => None,
        })
        .collect();
    let ctx = crate::services::notify::context(state, &tenant);
    let person = crate::services::notify::assignee(state, &report).await;
    let (subscription, jobs) = crate::mail::events::on_accepted(&ctx, &tenant, &report, language, person.as_ref());
    let write = ReportWrite {
        report,
        audit,
        events,
        jobs,
        subscription,
    };
    match state.store.insert_report(write).await? {
        Inserted::Created(r) => {
            state.mailer.wake();
            state.metrics.report_accepted(r.channel.as_str());
            Ok(Submitted {
                report: Inserted::Created(r),
                history: Some(history),
                mailed: None,
            })
        }
        Inserted::Existing(existing) => stored_for(existing, device),
    }
}

/// Where and how a new report is filed.
pub struct Filed {
    /// The tenant (or the directory administration) it belongs to.
    pub municipality: augenmerk_domain::Ags,
    /// The Gemeinde it lies in.
    pub gemeinde: augenmerk_domain::Ags,
    /// The validated location.
    pub location: augenmerk_domain::GeoPoint,
    /// The device that sent it.
    pub device: Option<DeviceId>,
    /// How it came in.
    pub channel: Channel,
}

/// A new report as it arrives: received, routed to nobody yet.
pub fn received(new: NewReport, content: report::CheckedContent, filed: Filed, now: DateTime<Utc>) -> Report {
    Report {
        id: new.id,
        municipality: filed.municipality,
        gemeinde: filed.gemeinde,
        device_id: filed.device,
        category: new.category,
        answers: content.answers,
        description: content.description,
        location: filed.location,
        address_hint: content.address_hint,
        photos: new.photos,
        contact_email: content.contact_email,
        consent: new.consent,
        consent_version: new.notice_version,
        status: Status::Received,
        priority: Priority::Normal,
        due_at: None,
        department: None,
        assignee: None,
        forwarded_to: None,
        duplicate_of: None,
        routed_by: None,
        channel: filed.channel,
        created_at: new.created_at.unwrap_or(now),
        received_at: now,
        updated_at: now,
    }
}

/// Checks a new report's answers and texts against a category tree, and that its photos
/// are the device's own uploads (without a device: the ones this server anonymized for
/// the same request).
pub async fn checked_content(
    state: &AppState,
    tree: &augenmerk_domain::CategoryTree,
    new: &NewReport,
    device: Option<&DeviceId>,
) -> ApiResult<report::CheckedContent> {
    let content = match report::check_content(tree, &report::ReportContent::of(new), Utc::now()) {
        Ok(c) => c,
        Err(AnswerError::UnknownCategory) => {
            return Err(ApiError::new(ErrorCode::UnknownCategory)
                .context(serde_json::json!({ "category": new.category.as_str() })));
        }
        Err(AnswerError::Invalid(problems)) => return Err(ApiError::validation(problems)),
    };
    let attacher = match device {
        Some(d) => crate::blobs::Attacher::Device(d),
        None => crate::blobs::Attacher::Server,
    };
    crate::blobs::require_uploaded(state.store.as_ref(), &new.photos, attacher).await?;
    Ok(content)
}

/// Evaluates the municipality's rules for a report.
pub fn route(tenant: &Tenant, report: &Report) -> RuleEvaluation {
    tenant.evaluate(
        None,
        &RuleInput {
            category: &report.category,
            answers: &report.answers,
            location: report.location,
            gemeinde: &report.gemeinde,
            at: report.received_at,
        },
    )
}

/// Applies a rule's action to a report ([`augenmerk_domain::routing`]), adding its audit
/// entries to `audit` and the status change to the citizen's feed in `events`.
pub fn apply_routing(
    tenant: &Tenant,
    report: &mut Report,
    evaluation: &RuleEvaluation,
    actor: Actor,
    now: DateTime<Utc>,
    audit: &mut Vec<AuditEntry>,
    events: &mut Vec<PublicEvent>,
) {
    let routed = routing::apply_routing(report, evaluation, &tenant.record.settings.authorities, actor, now);
    audit.extend(routed.audit);
    events.extend(routed.status_change.map(PublicEvent::Status));
}
