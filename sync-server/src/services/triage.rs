//! Triage in the staff inbox: the personal filters ("assigned to me", "my department"),
//! the inbox rows with their waiting citizens, saved filters, bulk actions and photo
//! thumbnails.
//!
//! A bulk action changes each report through the single-report service
//! ([`handling::update`], [`handling::transition`]), so every check, notification and
//! audit entry is the one a single action makes; one report's failure does not stop the
//! others, and the answer says per report what happened.

use chrono::Utc;

use augenmerk_anon::EncodeOptions;
use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{StaffReportSummary, StaffUser};
use augenmerk_domain::triage::{
    BulkOutcome, BulkRequest, BulkResponse, MAX_SAVED_FILTERS, NewSavedFilter, SavedFilter, SingleAction,
};
use augenmerk_domain::{BlobHash, SavedFilterId};

use crate::error::{ApiError, ApiResult};
use crate::services::{handling, views};
use crate::state::{AppState, Tenant};

/// Longest edge of an inbox thumbnail in pixels (twice the displayed size, for sharp
/// rendering on high-density screens).
pub const THUMBNAIL_EDGE: u32 = 160;

/// Resolves "me" in a query into the account's id and department; an account without a
/// department asking for "my department" is told so rather than shown everything.
pub fn for_user(mut query: ReportQuery, user: &StaffUser) -> ApiResult<ReportQuery> {
    if query.assigned_to_me.take() == Some(true) {
        query.assignee = Some(user.id);
    }
    if query.my_department.take() == Some(true) {
        match &user.department {
            Some(d) => query.department = Some(d.clone()),
            None => return Err(FieldError::new("my_department", "no_department").into()),
        }
    }
    Ok(query)
}

/// Inbox rows with since when each citizen waits for an answer.
pub async fn summaries(state: &AppState, tenant: &Tenant, reports: Vec<Report>) -> ApiResult<Vec<StaffReportSummary>> {
    let ids: Vec<_> = reports.iter().map(|r| r.id).collect();
    let waiting = state.store.awaiting_replies(&tenant.record.ags, &ids).await?;
    Ok(reports
        .into_iter()
        .map(|r| {
            let since = waiting.iter().find(|(id, _)| *id == r.id).map(|(_, t)| *t);
            StaffReportSummary {
                awaiting_reply_since: since,
                ..views::staff_summary(tenant, r)
            }
        })
        .collect())
}

/// Saves a filter of the account (at most [`MAX_SAVED_FILTERS`]).
pub async fn save_filter(state: &AppState, user: &StaffUser, new: NewSavedFilter) -> ApiResult<SavedFilter> {
    let (name, query) = new.parse()?;
    let existing = state.store.list_saved_filters(&user.municipality, &user.id).await?;
    if existing.len() >= MAX_SAVED_FILTERS {
        return Err(FieldError::new("name", "too_many_filters").into());
    }
    let filter = SavedFilter {
        id: SavedFilterId::new_random(),
        name,
        query,
        created_at: Utc::now(),
    };
    state
        .store
        .add_saved_filter(&user.municipality, &user.id, &filter)
        .await?;
    Ok(filter)
}

/// Applies a bulk action to each report in turn, as the single action would.
pub async fn bulk(state: &AppState, user: &StaffUser, req: BulkRequest) -> ApiResult<BulkResponse> {
    req.check()?;
    let action = req.action.single();
    let mut results = Vec::with_capacity(req.ids.len());
    for id in req.ids {
        let outcome = match &action {
            SingleAction::Update(u) => handling::update(state, user, &id, u.clone()).await.map(drop),
            SingleAction::Transition(t) => handling::transition(state, user, &id, t.clone()).await.map(drop),
        };
        results.push(match outcome {
            Ok(()) => BulkOutcome {
                id,
                ok: true,
                error: None,
            },
            Err(e) => {
                if e.code() == augenmerk_domain::ErrorCode::Internal {
                    tracing::warn!(report = %id, "bulk action failed on one report");
                }
                BulkOutcome {
                    id,
                    ok: false,
                    error: Some(e.body().clone()),
                }
            }
        });
    }
    Ok(BulkResponse::of(results))
}

/// A small JPEG of a photo the account's municipality may see, made from the stored
/// (anonymized) photo by the anonymizer's own downscaler and encoder.
pub async fn thumbnail(state: &AppState, user: &StaffUser, hash: &BlobHash) -> ApiResult<Vec<u8>> {
    if !state
        .store
        .blob_visible_to(hash, None, Some(&user.municipality))
        .await?
    {
        return Err(ApiError::not_found());
    }
    let bytes = state.blobs.get(hash).await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        let image = image::load_from_memory(&bytes).map_err(ApiError::internal)?.to_rgb8();
        augenmerk_anon::encode::encode_jpeg(
            image,
            &EncodeOptions {
                max_long_edge: THUMBNAIL_EDGE,
                quality: 80,
            },
        )
        .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}
