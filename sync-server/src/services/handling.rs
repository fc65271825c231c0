//! How staff handle a report: status transitions, re-categorising and re-routing,
//! assignment, messages with the citizen and internal notes. Every change is audited.
//!
//! Changes use optimistic concurrency: a report is read, changed and written back only
//! if nobody changed it in between; otherwise the client gets a 409 and can reload.

use chrono::Utc;

use augenmerk_domain::api::{NewMessage, NewNote, TransitionRequest};
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::public::{MessageAuthor, PublicStatusChange};
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{InternalNote, StaffMessage, StaffUser};
use augenmerk_domain::text::FreeText;
use augenmerk_domain::{ActionId, BlobHash, MessageId, NoteId, ReportId, Status};
use augenmerk_store::{Inserted, PublicEvent, ReportWrite};

use crate::error::{ApiError, ApiResult};
use crate::mail::events as mail_events;
use crate::services::notify;
use crate::state::{AppState, Tenant};

mod update;
pub use update::update;

/// Loads a report the staff member may see; 404 for other municipalities and, for
/// field workers, for reports neither of their department nor assigned to them.
pub async fn visible_report(state: &AppState, user: &StaffUser, id: &ReportId) -> ApiResult<Report> {
    let report = state.store.get_report(&user.municipality, id).await?;
    if user.role.sees_all_reports() {
        return Ok(report);
    }
    let mine =
        report.assignee == Some(user.id) || (report.department.is_some() && report.department == user.department);
    if mine { Ok(report) } else { Err(ApiError::not_found()) }
}

fn staff_actor(user: &StaffUser) -> Actor {
    Actor::Staff {
        user: user.id,
        name: user.display_name.clone(),
    }
}

/// A message, note or comment ([`augenmerk_domain::text::parse_message`]).
fn check_text(field: &str, text: &str) -> Result<String, ApiError> {
    Ok(augenmerk_domain::text::parse_message(field, text)?)
}

fn check_comment(comment: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(augenmerk_domain::text::parse_comment("public_comment", comment)?)
}

/// Moves a report to another status.
pub async fn transition(
    state: &AppState,
    user: &StaffUser,
    id: &ReportId,
    req: TransitionRequest,
) -> ApiResult<Report> {
    let report = visible_report(state, user, id).await?;
    if let Some(request) = req.id
        && already_applied(state, &report, request).await?
    {
        // A retry of a transition that went through (the answer was lost on the way).
        return Ok(report);
    }
    if let Some(expected) = req.expected_status
        && expected != report.status
    {
        return Err(ApiError::new(ErrorCode::Conflict)
            .context(serde_json::json!({ "status": report.status, "expected": expected })));
    }
    if !report.status.can_move_to(req.to) {
        return Err(ApiError::new(ErrorCode::IllegalTransition).context(serde_json::json!({
            "from": report.status,
            "to": req.to,
            "allowed": report.status.next(),
        })));
    }
    let comment = check_comment(req.public_comment.as_deref())?;
    check_photos(state, &user.municipality, &req.photos).await?;
    let tenant = state.tenant(&user.municipality).await?;
    let now = Utc::now();
    let actor = staff_actor(user);
    let mut next = report.clone();
    let mut audit = Vec::new();
    match req.to {
        Status::Forwarded => {
            let Some(authority) = req.forward_to else {
                return Err(FieldError::new("forward_to", "required").into());
            };
            if !tenant.record.settings.authorities.iter().any(|a| a.id == authority) {
                return Err(FieldError::new("forward_to", "unknown_authority").into());
            }
            audit.push(entry(
                &next,
                now,
                &actor,
                AuditAction::ForwardedTo {
                    authority: authority.clone(),
                },
            ));
            next.forwarded_to = Some(authority);
        }
        Status::Duplicate => {
            let Some(original) = req.duplicate_of else {
                return Err(FieldError::new("duplicate_of", "required").into());
            };
            if original == report.id {
                return Err(FieldError::new("duplicate_of", "self").into());
            }
            // The original must be a report the caller may see (of the same municipality;
            // for a field worker, of their scope), or the answer would tell them it exists.
            visible_report(state, user, &original)
                .await
                .map_err(|_| ApiError::validation(vec![FieldError::new("duplicate_of", "unknown_report")]))?;
            audit.push(entry(&next, now, &actor, AuditAction::MarkedDuplicate { of: original }));
            next.duplicate_of = Some(original);
        }
        _ => {}
    }
    let mut status_entry = entry(
        &next,
        now,
        &actor,
        AuditAction::StatusChanged {
            from: report.status,
            to: req.to,
            request: req.id,
            photos: req.photos.clone(),
        },
    );
    status_entry.public_comment = comment.clone();
    let comment_for_mail = comment.clone();
    audit.push(status_entry);
    next.status = req.to;
    next.updated_at = now;
    let events = vec![PublicEvent::Status(PublicStatusChange {
        from: Some(report.status),
        to: req.to,
        comment,
        at: now,
        photos: req.photos,
    })];
    let change = Change {
        before: &report,
        audit,
        events,
        comment: comment_for_mail.as_deref(),
        at: now,
    };
    store_change(state, &tenant, next.clone(), change).await?;
    Ok(next)
}

/// A staff change about to be stored.
struct Change<'a> {
    before: &'a Report,
    audit: Vec<AuditEntry>,
    events: Vec<PublicEvent>,
    comment: Option<&'a str>,
    at: chrono::DateTime<Utc>,
}

/// Stores a staff change together with the mails and forwardings it causes (one
/// transaction: the transactional outbox), then wakes the mail worker.
async fn store_change(state: &AppState, tenant: &Tenant, next: Report, change: Change<'_>) -> ApiResult<()> {
    let ctx = notify::context(state, tenant);
    let subscription = state.store.subscription(&next.id).await?;
    let person = notify::assignee(state, &next).await;
    let mut jobs = mail_events::on_changed(
        &ctx,
        tenant,
        change.before,
        &next,
        change.comment,
        subscription.as_ref(),
        person.as_ref(),
        change.at,
    );
    // The reporters of duplicates merged into this report hear of its status changes too.
    let merged = state.store.merged_subscriptions(&next.id).await?;
    jobs.extend(mail_events::on_original_changed(
        &ctx,
        tenant,
        change.before,
        &next,
        change.comment,
        &merged,
        change.at,
    ));
    let queued = !jobs.is_empty();
    let write = ReportWrite {
        report: next,
        audit: change.audit,
        events: change.events,
        jobs,
        subscription: None,
    };
    state.store.update_report(write, change.before.updated_at).await?;
    if queued {
        state.mailer.wake();
    }
    Ok(())
}

/// Whether a transition with this key was applied to the report before.
async fn already_applied(state: &AppState, report: &Report, request: ActionId) -> ApiResult<bool> {
    Ok(state
        .store
        .list_audit(&report.municipality, &report.id)
        .await?
        .iter()
        .any(|a| {
            matches!(
                &a.action,
                AuditAction::StatusChanged { request: Some(r), .. } if *r == request
            )
        }))
}

/// Most photos one transition may carry.
const MAX_TRANSITION_PHOTOS: usize = 10;

/// Photos of a transition must have been uploaded before, by staff of the municipality.
async fn check_photos(state: &AppState, ags: &augenmerk_domain::Ags, photos: &[BlobHash]) -> ApiResult<()> {
    if photos.len() > MAX_TRANSITION_PHOTOS {
        return Err(FieldError::new("photos", "too_many").into());
    }
    crate::blobs::require_uploaded(state.store.as_ref(), photos, crate::blobs::Attacher::Staff(ags)).await
}

fn entry(report: &Report, at: chrono::DateTime<Utc>, actor: &Actor, action: AuditAction) -> AuditEntry {
    AuditEntry {
        report_id: report.id,
        at,
        actor: actor.clone(),
        action,
        public_comment: None,
    }
}

/// A message from the municipality to the citizen.
pub async fn staff_message(
    state: &AppState,
    user: &StaffUser,
    id: &ReportId,
    req: NewMessage,
) -> ApiResult<Inserted<StaffMessage>> {
    let report = visible_report(state, user, id).await?;
    let body = check_text("body", &req.body)?;
    let message = StaffMessage {
        id: req.id.unwrap_or_else(MessageId::new_random),
        report_id: report.id,
        author: MessageAuthor::Municipality,
        staff_author: Some(user.id),
        staff_author_name: Some(user.display_name.clone()),
        body,
        created_at: Utc::now(),
    };
    let tenant = state.tenant(&report.municipality).await?;
    let subscription = state.store.subscription(&report.id).await?;
    let ctx = notify::context(state, &tenant);
    let jobs = mail_events::on_staff_message(
        &ctx,
        &tenant,
        &report,
        &message.id,
        &message.body,
        subscription.as_ref(),
    );
    let added = added_to(
        report.id,
        state.store.add_message(&report.municipality, message, jobs).await?,
    )?;
    state.mailer.wake();
    Ok(added)
}

/// A reply from the citizen.
pub async fn citizen_message(state: &AppState, report: &Report, req: NewMessage) -> ApiResult<Inserted<StaffMessage>> {
    let body = check_text("body", &req.body)?;
    let message = StaffMessage {
        id: req.id.unwrap_or_else(MessageId::new_random),
        report_id: report.id,
        author: MessageAuthor::Citizen,
        staff_author: None,
        staff_author_name: None,
        body,
        created_at: Utc::now(),
    };
    let tenant = state.tenant(&report.municipality).await?;
    let person = notify::assignee(state, report).await;
    let ctx = notify::context(state, &tenant);
    let jobs = mail_events::on_citizen_message(&ctx, &tenant, report, &message.id, &message.body, person.as_ref());
    let added = added_to(
        report.id,
        state.store.add_message(&report.municipality, message, jobs).await?,
    )?;
    state.mailer.wake();
    Ok(added)
}

/// An idempotency key reused on another report is a conflict, not a replay.
fn added_to(report: ReportId, inserted: Inserted<StaffMessage>) -> ApiResult<Inserted<StaffMessage>> {
    match &inserted {
        Inserted::Existing(m) if m.report_id != report => Err(ApiError::new(ErrorCode::Conflict)),
        _ => Ok(inserted),
    }
}

/// An internal note.
pub async fn note(
    state: &AppState,
    user: &StaffUser,
    id: &ReportId,
    req: NewNote,
) -> ApiResult<Inserted<InternalNote>> {
    let report = visible_report(state, user, id).await?;
    let body = check_text("body", &req.body)?;
    let note = InternalNote {
        id: req.id.unwrap_or_else(NoteId::new_random),
        report_id: report.id,
        author: user.id,
        author_name: user.display_name.clone(),
        body,
        created_at: Utc::now(),
    };
    let inserted = state.store.add_note(&report.municipality, note).await?;
    match &inserted {
        Inserted::Existing(n) if n.report_id != report.id => Err(ApiError::new(ErrorCode::Conflict)),
        _ => Ok(inserted),
    }
}

/// An update an authority reported on a report forwarded to it (Open311 polling, see
/// `forward::poll`): audited as the authority's, its description shown to the citizen
/// in the status history, and when the authority `closed` it, the report's move from
/// `forwarded` to `closed` with the description as public comment. Stored through
/// `store_change`, so the citizen's mail is the one a staff transition causes.
pub async fn apply_external_update(
    state: &AppState,
    report: &Report,
    authority: &augenmerk_domain::AuthorityId,
    status: &str,
    description: Option<&str>,
    closed: bool,
) -> ApiResult<Report> {
    let tenant = state.tenant(&report.municipality).await?;
    let now = Utc::now();
    let actor = Actor::Authority {
        authority: authority.clone(),
    };
    let comment = external_text(description);
    let mut next = report.clone();
    let mut update = entry(
        &next,
        now,
        &actor,
        AuditAction::ExternalUpdate {
            authority: authority.clone(),
            status: status.to_owned(),
            description: comment.clone(),
        },
    );
    update.public_comment = comment.clone();
    let mut audit = vec![update];
    let mut events = Vec::new();
    let to = if closed && report.status.can_move_to(Status::Closed) {
        audit.push(entry(
            &next,
            now,
            &actor,
            AuditAction::StatusChanged {
                from: report.status,
                to: Status::Closed,
                request: None,
                photos: Vec::new(),
            },
        ));
        Status::Closed
    } else {
        report.status
    };
    // A status-less update without words tells the citizen nothing: audit only.
    if to != report.status || comment.is_some() {
        events.push(PublicEvent::Status(PublicStatusChange {
            from: Some(report.status),
            to,
            comment: comment.clone(),
            at: now,
            photos: Vec::new(),
        }));
    }
    next.status = to;
    next.updated_at = now;
    let change = Change {
        before: report,
        audit,
        events,
        comment: comment.as_deref(),
        at: now,
    };
    store_change(state, &tenant, next.clone(), change).await?;
    Ok(next)
}

/// An authority's text as a public comment: what free text may not hold is dropped
/// (it comes from another server, not from a form that refused it), cut to the limit.
fn external_text(text: Option<&str>) -> Option<String> {
    let cleaned: String = text?
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| augenmerk_domain::text::is_allowed(*c))
        .take(augenmerk_domain::text::MAX_MESSAGE_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return None;
    }
    FreeText::parse("public_comment", trimmed)
        .ok()
        .map(FreeText::into_string)
}
