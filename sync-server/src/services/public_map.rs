//! The public map, list and detail of reports (issue 20), and staff's publication choice.
//!
//! Every report shown here went through [`augenmerk_domain::public::publish`], the one
//! publication policy; the store has left out what is never public. A viewport is
//! clustered by the store in SQL (see `augenmerk_store::public_map`): cells with more than
//! one report become clusters at the cell's centre, cells with one report are read in full
//! and shown as the report (at its grid position).

use chrono::Utc;

use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::public::{PublishedReport, publish};
use augenmerk_domain::public_map::{
    MapCluster, PublicFilter, PublicHistoryEntry, PublicMap, PublicMapReport, PublicQuery, PublicReportDetail,
    PublicReportList, Publication, UNCLUSTERED_MAX, cell_size,
};
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{Ags, ReportId};
use augenmerk_store::PublicRow;

use crate::error::{ApiError, ApiResult};
use crate::services::handling;
use crate::state::{AppState, Tenant};

/// The filter of a public request: one municipality (404 if it is unknown or does not
/// publish), or all that publish.
pub async fn filter(state: &AppState, q: &PublicQuery) -> ApiResult<PublicFilter> {
    let mut filter = q.filter()?;
    match &filter.ags {
        Some(ags) => {
            let tenant = state.tenant(ags).await?;
            if !tenant.record.settings.public.enabled {
                return Err(ApiError::not_found());
            }
        }
        None => {
            filter.hidden = state
                .store
                .list_municipalities()
                .await?
                .into_iter()
                .filter(|m| !m.settings.public.enabled)
                .map(|m| m.ags)
                .collect();
        }
    }
    Ok(filter)
}

/// The report as the public map shows it, or `None` where the policy withholds it.
async fn published(state: &AppState, row: &PublicRow) -> ApiResult<Option<(std::sync::Arc<Tenant>, PublishedReport)>> {
    let r = &row.report;
    let tenant = state.tenant(&r.municipality).await?;
    let history = state.store.list_status_changes(&r.municipality, &r.id).await?;
    Ok(publish(r, &history, &tenant.record.settings, &row.publication).map(|p| (tenant, p)))
}

/// The department it is with, or the authority it went to.
fn handled_by(tenant: &Tenant, row: &PublicRow) -> Option<String> {
    let r = &row.report;
    if let Some(id) = &r.forwarded_to {
        let name = tenant.record.settings.authorities.iter().find(|a| &a.id == id);
        return Some(name.map_or_else(|| id.to_string(), |a| a.name.clone()));
    }
    let d = r.department.as_ref()?;
    tenant.departments.iter().find(|x| &x.id == d).map(|x| x.name.clone())
}

fn map_report(tenant: &Tenant, row: &PublicRow, p: &PublishedReport) -> PublicMapReport {
    let v = &p.report;
    let category_name = tenant.record.categories.find(&v.category).map_or_else(
        || augenmerk_domain::i18n::I18nText::new(v.category.as_str(), v.category.as_str()),
        |c| c.name(),
    );
    PublicMapReport {
        id: v.id,
        municipality: v.municipality.clone(),
        municipality_name: tenant.record.name.clone(),
        category: v.category.clone(),
        category_name,
        status: v.status,
        location: v.location,
        exact: p.exact,
        received_at: v.received_at,
        updated_at: v.updated_at,
        handled_by: handled_by(tenant, row),
        comments: u32::try_from(v.history.iter().filter(|c| c.comment.is_some()).count()).unwrap_or(u32::MAX),
    }
}

pub(crate) async fn map_reports(state: &AppState, rows: &[PublicRow]) -> ApiResult<Vec<PublicMapReport>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some((tenant, p)) = published(state, row).await? {
            out.push(map_report(&tenant, row, &p));
        }
    }
    Ok(out)
}

/// `GET /api/v1/public/reports`: clusters and single reports of a viewport.
pub async fn map(state: &AppState, q: &PublicQuery) -> ApiResult<PublicMap> {
    let filter = filter(state, q).await?;
    let (bbox, zoom) = q.viewport()?;
    let centre = f64::midpoint(bbox.min_lat, bbox.max_lat);
    let (dlat, dlon) = cell_size(zoom, centre);
    let cells = state.store.public_cells(&filter, &bbox, (dlat, dlon)).await?;
    let total: u64 = cells.iter().map(|c| c.count).sum();
    if total <= UNCLUSTERED_MAX {
        let limit = u32::try_from(UNCLUSTERED_MAX).unwrap_or(u32::MAX);
        let (rows, _) = state.store.public_reports(&filter, Some(&bbox), &[], 0, limit).await?;
        return Ok(PublicMap {
            clusters: Vec::new(),
            reports: map_reports(state, &rows).await?,
            total,
        });
    }
    let mut clusters = Vec::new();
    let mut singles = Vec::new();
    for c in &cells {
        if c.count > 1 {
            // The cell's centre, not the reports' mean: that would be a position of the
            // reports finer than the grid.
            #[allow(clippy::cast_precision_loss)] // cell numbers are far below 2^52
            clusters.push(MapCluster {
                lat: (c.row as f64 + 0.5) * dlat,
                lon: (c.col as f64 + 0.5) * dlon,
                count: c.count,
            });
        } else {
            singles.push(c.sample);
        }
    }
    let mut reports = Vec::new();
    for chunk in singles.chunks(500) {
        let (rows, _) = state
            .store
            .public_reports(&filter, None, chunk, 0, u32::try_from(chunk.len()).unwrap_or(500))
            .await?;
        reports.extend(map_reports(state, &rows).await?);
    }
    Ok(PublicMap {
        clusters,
        reports,
        total,
    })
}

/// `GET /api/v1/public/reports/list`: newest first.
pub async fn list(state: &AppState, q: &PublicQuery) -> ApiResult<PublicReportList> {
    let filter = filter(state, q).await?;
    let (page, page_size) = q.paging();
    let offset = u64::from(page - 1) * u64::from(page_size);
    let (rows, total) = state
        .store
        .public_reports(&filter, None, &[], offset, page_size)
        .await?;
    Ok(PublicReportList {
        items: map_reports(state, &rows).await?,
        total,
        page,
        page_size,
    })
}

/// The published report with its policy's verdict; 404 for anything not public.
pub async fn published_report(
    state: &AppState,
    id: &ReportId,
) -> ApiResult<(std::sync::Arc<Tenant>, PublicRow, PublishedReport)> {
    let filter = filter(state, &PublicQuery::default()).await?;
    let (rows, _) = state.store.public_reports(&filter, None, &[*id], 0, 1).await?;
    let row = rows.into_iter().next().ok_or_else(ApiError::not_found)?;
    let (tenant, p) = published(state, &row).await?.ok_or_else(ApiError::not_found)?;
    Ok((tenant, row, p))
}

/// `GET /api/v1/public/reports/{id}`.
pub async fn detail(state: &AppState, id: &ReportId) -> ApiResult<PublicReportDetail> {
    let (tenant, row, p) = published_report(state, id).await?;
    Ok(PublicReportDetail {
        report: map_report(&tenant, &row, &p),
        history: p
            .report
            .history
            .iter()
            .map(|c| PublicHistoryEntry {
                to: c.to,
                at: c.at,
                comment: c.comment.clone(),
            })
            .collect(),
        description: p.report.description.clone(),
        address_hint: p.report.address_hint.clone(),
        photos: p
            .photos
            .iter()
            .map(|h| format!("/api/v1/public/reports/{id}/photos/{h}"))
            .collect(),
    })
}

/// `PUT /api/v1/staff/reports/{id}/publication`: sets and audits staff's choice.
pub async fn set_publication(
    state: &AppState,
    user: &StaffUser,
    id: &ReportId,
    publication: Publication,
) -> ApiResult<Publication> {
    let report = handling::visible_report(state, user, id).await?;
    let audit = AuditEntry {
        report_id: report.id,
        at: Utc::now(),
        actor: Actor::Staff {
            user: user.id,
            name: user.display_name.clone(),
        },
        action: AuditAction::PublicationChanged {
            exact: publication.exact,
            approved: publication.approved,
        },
        public_comment: None,
    };
    state
        .store
        .set_publication(&report.municipality, &report.id, publication, audit)
        .await?;
    Ok(publication)
}

/// Staff's current choice (for the staff detail).
pub async fn publication(state: &AppState, ags: &Ags, id: &ReportId) -> ApiResult<Publication> {
    Ok(state.store.get_publication(ags, id).await?)
}
