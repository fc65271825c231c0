//! Reports matching an inbox query beyond one page of the store (Open311 lists, CSV
//! exports): the store's pages of 200 are walked from an offset up to a limit.

use chrono::Utc;

use augenmerk_domain::Ags;
use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::report::Report;
use augenmerk_store::{StoreResult, Visibility};

use crate::state::AppState;

/// The store's largest page.
const STORE_PAGE: usize = 200;

/// Up to `limit` reports matching `query` (its own paging ignored), after skipping `skip`.
pub async fn matching_reports(
    state: &AppState,
    ags: &Ags,
    query: &ReportQuery,
    visible_to: Option<&Visibility>,
    skip: usize,
    limit: usize,
) -> StoreResult<Vec<Report>> {
    let mut query = query.clone();
    let mut reports = Vec::new();
    let mut page = skip / STORE_PAGE + 1;
    let mut skip_in_page = skip % STORE_PAGE;
    let now = Utc::now();
    while reports.len() < limit {
        query.page = Some(u32::try_from(page).unwrap_or(u32::MAX));
        query.page_size = Some(STORE_PAGE as u32);
        let p = state.store.query_reports(ags, &query, visible_to, now).await?;
        let n = p.items.len();
        reports.extend(p.items.into_iter().skip(skip_in_page).take(limit - reports.len()));
        skip_in_page = 0;
        if n < STORE_PAGE {
            break;
        }
        page += 1;
    }
    Ok(reports)
}
