//! The one erasure path. Retention, a citizen's withdrawal, erasure by device, by
//! e-mail address and by staff all end here: the store removes the personal data in a
//! transaction and audits it, then the photo files that nothing refers to any more are
//! deleted, then the database is scrubbed so the old text is not left in free pages.

use std::collections::BTreeMap;

use augenmerk_domain::audit::Actor;
use augenmerk_domain::privacy::{ErasureReason, ErasureScope, answers_without_free_text};
use augenmerk_domain::report::Email;
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};
use augenmerk_store::{Erasure, ErasureTarget, StoreError};
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::state::AppState;

/// Who asks, why and when: everything of an erasure but its reports.
#[derive(Debug, Clone)]
pub struct Request {
    /// What is removed.
    pub scope: ErasureScope,
    /// Why.
    pub reason: ErasureReason,
    /// Who.
    pub actor: Actor,
    /// The written request's reference (staff requests).
    pub reference: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Erases reports of one municipality; returns how many changed. Does not scrub (the
/// caller does, once, after a batch).
pub async fn erase_reports(state: &AppState, ags: &Ags, ids: &[ReportId], request: &Request) -> Result<u32, ApiError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut targets = Vec::with_capacity(ids.len());
    if request.scope == ErasureScope::Content {
        // Which answers are free text is a question of the category tree.
        let tenant = state.tenant(ags).await?;
        let tree = &tenant.record.categories;
        for id in ids {
            match state.store.get_report(ags, id).await {
                Ok(r) => targets.push(ErasureTarget {
                    answers: answers_without_free_text(tree, &r.category, &r.answers),
                    id: *id,
                }),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
    } else {
        targets.extend(ids.iter().map(|id| ErasureTarget {
            id: *id,
            answers: Default::default(),
        }));
    }
    let erased = state
        .store
        .erase_reports(
            ags,
            targets,
            Erasure {
                scope: request.scope,
                reason: request.reason,
                actor: request.actor.clone(),
                reference: request.reference.clone(),
                at: request.at,
            },
        )
        .await?;
    delete_photos(state, &erased.orphaned_photos).await?;
    Ok(erased.reports)
}

/// Deletes photo files, then forgets them in the database. A file that cannot be
/// deleted keeps its row, so the next run of the unused-photo sweep tries again.
pub async fn delete_photos(state: &AppState, hashes: &[BlobHash]) -> Result<(), ApiError> {
    let mut deleted = Vec::with_capacity(hashes.len());
    for hash in hashes {
        match state.blobs.delete(hash).await {
            Ok(()) => deleted.push(hash.clone()),
            Err(e) => tracing::warn!(%hash, error = %e, "could not delete a photo file; tried again later"),
        }
    }
    if !deleted.is_empty() {
        state.store.forget_blobs(&deleted).await?;
    }
    Ok(())
}

/// Withdraws a report that is still `received` (409 once someone handles it).
pub async fn withdraw(state: &AppState, ags: &Ags, id: &ReportId, actor: Actor) -> Result<(), ApiError> {
    let erased = match state.store.withdraw_report(ags, id, actor, Utc::now()).await {
        Err(StoreError::Conflict) => {
            return Err(ApiError::new(augenmerk_domain::ErrorCode::IllegalTransition)
                .context(serde_json::json!({ "reason": "already_handled" })));
        }
        other => other?,
    };
    delete_photos(state, &erased.orphaned_photos).await?;
    Ok(state.store.scrub().await?)
}

/// Erases everything a device sent (all municipalities), and the device registration.
pub async fn erase_device(state: &AppState, device: &DeviceId) -> Result<u32, ApiError> {
    let request = Request {
        scope: ErasureScope::Content,
        reason: ErasureReason::CitizenRequest,
        actor: Actor::Citizen { device: Some(*device) },
        reference: None,
        at: Utc::now(),
    };
    let mut by_municipality: BTreeMap<Ags, Vec<ReportId>> = BTreeMap::new();
    for r in state.store.device_reports(device).await? {
        by_municipality.entry(r.municipality.clone()).or_default().push(r.id);
    }
    let mut count = 0;
    for (ags, ids) in &by_municipality {
        count += erase_reports(state, ags, ids, &request).await?;
    }
    let mailed = state.store.erase_mailed(Some(device), None).await?;
    delete_photos(state, &mailed.orphaned_photos).await?;
    state.store.delete_device(device).await?;
    state.store.scrub().await?;
    Ok(count + mailed.reports)
}

/// Erases everything sent with an address: in one municipality (staff requests) or in
/// all (the citizen confirmed the address by a link).
pub async fn erase_email(
    state: &AppState,
    only: Option<&Ags>,
    email: &Email,
    request: &Request,
) -> Result<u32, ApiError> {
    let mut by_municipality: BTreeMap<Ags, Vec<ReportId>> = BTreeMap::new();
    for (ags, candidate) in state.store.reports_by_email(only, email).await? {
        by_municipality.entry(ags).or_default().push(candidate.id);
    }
    let mut count = 0;
    for (ags, ids) in &by_municipality {
        count += erase_reports(state, ags, ids, request).await?;
    }
    if only.is_none() {
        let mailed = state.store.erase_mailed(None, Some(email)).await?;
        delete_photos(state, &mailed.orphaned_photos).await?;
        count += mailed.reports;
        // Alerts of the public map are the address's too (they name no report).
        let alerts = state.store.delete_alerts_of(email.as_str()).await?;
        if alerts > 0 {
            tracing::info!(alerts, "alert subscriptions of an erased address deleted");
        }
    }
    state.store.scrub().await?;
    Ok(count)
}
