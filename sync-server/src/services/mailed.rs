//! Reports for administrations that are not on the platform: accepted from a device,
//! mailed through the outbox to the address in the platform's directory, shown to the
//! citizen as "sent by e-mail to …", and taken into the administration's inbox when it
//! joins the platform.

use chrono::Utc;

use augenmerk_domain::api::{DirectoryEntry, NewReport};
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::Channel;
use augenmerk_domain::{DeviceId, GeoPoint, Status};
use augenmerk_store::{Inserted, MailedReport, PublicEvent, ReportWrite, StoreError};

use super::intake::{Filed, Submitted, apply_routing, checked_content, received, route};
use crate::error::{ApiError, ApiResult};
use crate::mail::administration::{Mailed, job, platform_sender};
use crate::state::{AppState, Place, Tenant};

/// Accepts a device's report for a directory administration and queues its mail, in one
/// write. A retry of the same id gets the stored report back.
pub async fn accept(
    state: &AppState,
    device: Option<DeviceId>,
    new: NewReport,
    location: GeoPoint,
    place: &Place,
    entry: DirectoryEntry,
) -> ApiResult<Submitted> {
    if let Some(claimed) = &new.municipality
        && claimed != &entry.key
    {
        return Err(
            ApiError::validation(vec![FieldError::new("municipality", "location_outside_municipality")])
                .context(serde_json::json!({ "responsible": { "ags": entry.key.as_str(), "name": entry.name } })),
        );
    }
    // Administrations off the platform have no categories of their own: the standard tree.
    let tree = crate::demo::standard_tree()?;
    let content = checked_content(state, tree, &new, device.as_ref()).await?;
    let now = Utc::now();
    let share_contact = new.share_contact;
    let mut report = received(
        new,
        content,
        Filed {
            municipality: entry.key.clone(),
            gemeinde: place.gemeinde.clone(),
            location,
            device,
            channel: Channel::App,
        },
        now,
    );
    report.status = Status::Forwarded;
    let gemeinde = place.name.clone();
    let sender = platform_sender(&state.settings.public_base_url(state.settings.listen));
    let id_domain = state
        .settings
        .mail
        .from
        .rsplit('@')
        .next()
        .unwrap_or("augenmerk.invalid");
    let contact = report.contact_email.as_ref().filter(|_| share_contact);
    let mail = job(
        &sender,
        id_domain,
        tree,
        &report,
        &Mailed {
            to: &entry,
            gemeinde: &gemeinde,
            contact,
        },
    );
    let mailed = MailedReport {
        report,
        administration: entry.key.clone(),
        mailed_to: entry.name.clone(),
        created_at: now,
    };
    match state.store.insert_mailed(mailed, vec![mail]).await {
        Ok(Inserted::Created(m)) => {
            state.mailer.wake();
            Ok(Submitted {
                history: Some(history(&m)),
                report: Inserted::Created(m.report.clone()),
                mailed: Some(m),
            })
        }
        Ok(Inserted::Existing(m)) if m.report.device_id == device => Ok(Submitted {
            history: None,
            report: Inserted::Existing(m.report.clone()),
            mailed: Some(m),
        }),
        Ok(Inserted::Existing(_)) | Err(StoreError::Duplicate(_)) => {
            Err(ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "reason": "report id already used" })))
        }
        Err(e) => Err(e.into()),
    }
}

/// What the citizen's history of a mailed report shows: received, then sent by mail.
pub fn history(m: &MailedReport) -> Vec<PublicStatusChange> {
    let at = m.created_at;
    vec![
        PublicStatusChange {
            from: None,
            to: Status::Received,
            comment: None,
            at,
            photos: Vec::new(),
        },
        PublicStatusChange {
            from: Some(Status::Received),
            to: Status::Forwarded,
            comment: Some(format!("Per E-Mail gesendet an {}", m.mailed_to)),
            at,
            photos: Vec::new(),
        },
    ]
}

/// Takes the reports mailed to an administration into a tenant's inbox (the tenant it
/// became): each arrives as new, is routed by the tenant's rules, and its audit trail
/// says where it came from. Returns how many were taken in.
pub async fn take_in(state: &AppState, tenant: &Tenant, administration: &augenmerk_domain::Ags) -> ApiResult<u32> {
    let mut taken = 0;
    for m in state.store.mailed_reports(administration).await? {
        let now = Utc::now();
        let mut report = m.report.clone();
        // The tenant's own categories decide from now on; a category it does not have
        // stays as it is (staff re-categorize it), the report is not lost.
        report.municipality = tenant.record.ags.clone();
        report.status = Status::Received;
        report.received_at = now;
        report.updated_at = now;
        let mut audit = vec![AuditEntry {
            report_id: report.id,
            at: now,
            actor: Actor::System,
            action: AuditAction::Created {
                channel: report.channel,
            },
            public_comment: Some(format!(
                "Übernommen: am {} per E-Mail an {} gesendet",
                crate::mail::templates::when(m.created_at),
                m.mailed_to
            )),
        }];
        let mut events = vec![PublicEvent::Status(PublicStatusChange {
            from: Some(Status::Forwarded),
            to: Status::Received,
            comment: Some(format!(
                "{} bearbeitet die Meldung jetzt auf der Plattform.",
                tenant.record.name
            )),
            at: now,
            photos: Vec::new(),
        })];
        let evaluation = route(tenant, &report);
        apply_routing(
            tenant,
            &mut report,
            &evaluation,
            Actor::System,
            now,
            &mut audit,
            &mut events,
        );
        let write = ReportWrite::new(report, audit, events);
        if let Inserted::Created(_) = state.store.take_mailed(write, now).await? {
            taken += 1;
        }
    }
    Ok(taken)
}
