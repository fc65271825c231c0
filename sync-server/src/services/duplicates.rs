//! Duplicates for real: merging a report into the original of the same defect, the
//! likely originals of a report, and what staff see of the citizen's side of a case.
//!
//! A merge (see [`augenmerk_domain::duplicates`]) changes the duplicate's status to
//! `duplicate` (its device hears it through the sync feed like any status change), moves
//! its device and followers to the original, makes its reporter's mail subscription hear
//! the original's status changes (`handling` queues those mails), and answers the reporter
//! with a message: a reply template of the municipality or the standard answer in the
//! reporter's language. Both cases get an audit entry. Merging again is a no-op.

use chrono::Utc;

use augenmerk_domain::ReportId;
use augenmerk_domain::api::NewMessage;
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::duplicates::{
    CitizenSide, DUPLICATE_RADIUS_M, MergePlan, MergeRefusal, MergeRequest, MergeResponse, MergeState, MergedReport,
    answer_id, duplicate_answer, plan_merge, rank_duplicates,
};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{StaffReportDetail, StaffUser};
use augenmerk_domain::{Language, Status};
use augenmerk_store::{MergeWrite, PublicEvent, ReportWrite, StoreError, Visibility};

use crate::error::{ApiError, ApiResult};
use crate::mail::events as mail_events;
use crate::services::{handling, notify, reporting};
use crate::state::AppState;

/// The API's answer to a refused merge.
fn refusal(r: MergeRefusal) -> ApiError {
    match r {
        // Another municipality's case does not exist for the caller.
        MergeRefusal::OtherMunicipality => ApiError::validation(vec![FieldError::new("into", "unknown_report")]),
        MergeRefusal::IntoItself => ApiError::validation(vec![FieldError::new("into", "self")]),
        MergeRefusal::OriginalIsDuplicate { original } => {
            ApiError::validation(vec![FieldError::new("into", "is_duplicate")])
                .context(serde_json::json!({ "original": original }))
        }
        MergeRefusal::AlreadyMerged { into } => {
            ApiError::new(ErrorCode::Conflict).context(serde_json::json!({ "merged_into": into }))
        }
        MergeRefusal::NotOpen { status } => ApiError::new(ErrorCode::IllegalTransition)
            .context(serde_json::json!({ "from": status, "to": Status::Duplicate })),
    }
}

fn entry(report: ReportId, at: chrono::DateTime<Utc>, actor: &Actor, action: AuditAction) -> AuditEntry {
    AuditEntry {
        report_id: report,
        at,
        actor: actor.clone(),
        action,
        public_comment: None,
    }
}

/// Merges the report `id` into `req.into` (dispatchers and admins: they see every case).
pub async fn merge(state: &AppState, user: &StaffUser, id: &ReportId, req: MergeRequest) -> ApiResult<MergeResponse> {
    if !user.role.sees_all_reports() {
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let duplicate = handling::visible_report(state, user, id).await?;
    let original = match state.store.get_report(&user.municipality, &req.into).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(refusal(MergeRefusal::OtherMunicipality)),
        Err(e) => return Err(e.into()),
    };
    let merge_state = MergeState {
        duplicate_merged_into: state.store.merged_into(&user.municipality, &duplicate.id).await?,
        original_merged_into: state.store.merged_into(&user.municipality, &original.id).await?,
    };
    let tenant = state.tenant(&user.municipality).await?;
    let template = match &req.template {
        Some(t) => Some(
            reporting::reply_templates(&tenant, &duplicate)
                .into_iter()
                .find(|x| &x.id == t)
                .ok_or_else(|| ApiError::validation(vec![FieldError::new("template", "unknown_template")]))?,
        ),
        None => None,
    };
    let plan = plan_merge(&duplicate, &original, merge_state).map_err(refusal)?;
    let merged_now = matches!(plan, MergePlan::Merge { .. });
    if let MergePlan::Merge { status_change } = plan {
        let now = Utc::now();
        let actor = Actor::Staff {
            user: user.id,
            name: user.display_name.clone(),
        };
        let mut next = duplicate.clone();
        let mut audit = vec![entry(
            duplicate.id,
            now,
            &actor,
            AuditAction::MergedInto { original: original.id },
        )];
        let mut events = Vec::new();
        if status_change {
            audit.push(entry(
                duplicate.id,
                now,
                &actor,
                AuditAction::MarkedDuplicate { of: original.id },
            ));
            audit.push(entry(
                duplicate.id,
                now,
                &actor,
                AuditAction::StatusChanged {
                    from: duplicate.status,
                    to: Status::Duplicate,
                    request: None,
                    photos: Vec::new(),
                },
            ));
            // The reporter's device learns of it through its feed, as of any status change.
            events.push(PublicEvent::Status(PublicStatusChange {
                from: Some(duplicate.status),
                to: Status::Duplicate,
                comment: None,
                at: now,
                photos: Vec::new(),
            }));
            next.status = Status::Duplicate;
            next.duplicate_of = Some(original.id);
        }
        next.updated_at = now;
        // No status mail: the answer below tells the reporter, with the reason.
        let ctx = notify::context(state, &tenant);
        let person = notify::assignee(state, &next).await;
        let jobs = mail_events::on_changed(&ctx, &tenant, &duplicate, &next, None, None, person.as_ref(), now);
        let write = MergeWrite {
            duplicate: ReportWrite {
                report: next,
                audit,
                events,
                jobs,
                subscription: None,
            },
            expected_updated_at: duplicate.updated_at,
            original: original.id,
            original_audit: vec![entry(
                original.id,
                now,
                &actor,
                AuditAction::MergedFrom {
                    duplicate: duplicate.id,
                },
            )],
            at: now,
        };
        state.store.merge_reports(write).await?;
        state.mailer.wake();
    }
    // The answer has one id per duplicate: a retried merge (or one that failed after the
    // merge was stored) answers once.
    let language = state
        .store
        .subscription(&duplicate.id)
        .await?
        .map(|s| s.language)
        .unwrap_or(Language::De);
    let body = match template {
        Some(t) => t.body,
        None => duplicate_answer(language, &duplicate.id.number(), &original.id.number()),
    };
    let message = NewMessage {
        id: Some(answer_id(&duplicate.id)),
        body,
    };
    handling::staff_message(state, user, &duplicate.id, message).await?;
    let report_count = report_count(state, &user.municipality, &original.id).await?;
    Ok(MergeResponse {
        duplicate: duplicate.id,
        original: original.id,
        report_count,
        merged_now,
    })
}

async fn report_count(state: &AppState, ags: &augenmerk_domain::Ags, original: &ReportId) -> ApiResult<u32> {
    let merged = state.store.merged_reports(ags, original).await?.len();
    Ok(u32::try_from(merged).unwrap_or(u32::MAX).saturating_add(1))
}

/// The likely originals of a report (of any category near it; see
/// [`augenmerk_domain::duplicates::rank_duplicates`]).
pub async fn candidates(state: &AppState, report: &Report, visibility: Option<&Visibility>) -> ApiResult<Vec<Report>> {
    let near = state
        .store
        .nearby_reports(
            &report.municipality,
            report.location,
            DUPLICATE_RADIUS_M,
            50,
            visibility,
        )
        .await?;
    Ok(rank_duplicates(report, near))
}

/// The report as the viewer may see it: the citizen's address only for roles that need it.
pub fn for_viewer(role: augenmerk_domain::staff::Role, mut report: Report) -> Report {
    if !role.sees_citizen_address() {
        report.contact_email = None;
    }
    report
}

/// Fills in what the case page shows for this viewer: the citizen's side (the address
/// only for roles that need it) and the merged duplicates.
pub async fn complete_detail(state: &AppState, user: &StaffUser, detail: &mut StaffReportDetail) -> ApiResult<()> {
    let report = &detail.report;
    let subscription = state.store.subscription(&report.id).await?;
    let email = report
        .contact_email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .or_else(|| subscription.as_ref().map(|s| s.email.clone()));
    detail.citizen = CitizenSide {
        email_given: email.is_some(),
        mail_updates: augenmerk_domain::mail::MailUpdates::of(subscription.map(|s| s.state())),
        email: email.filter(|_| user.role.sees_citizen_address()),
    };
    detail.merged = state
        .store
        .merged_reports(&user.municipality, &report.id)
        .await?
        .into_iter()
        .map(|r| MergedReport {
            id: r.id,
            received_at: r.received_at,
            photos: r.photos,
        })
        .collect();
    detail.report = for_viewer(user.role, detail.report.clone());
    Ok(())
}
