//! Reports matching an inbox query beyond one page of the store (Open311 lists, CSV
//! exports): the store's pages of 200 are walked from an offset up to a limit.

use chrono::Utc;

use augenmerk_domain::Ags;
use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::report::Report;
use augenmerk_domain::rules::AreaLookup;
use augenmerk_store::{StoreResult, Visibility};

use crate::state::{AppState, Tenant};

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

/// Most reports an area filter looks at (a municipality's reports in one area's bounding
/// box; beyond this the area's list is cut, which the total then says).
const MAX_AREA_SCAN: usize = 50_000;

/// Reports matching `query` that lie in its named area, all of them (paging ignored):
/// the store narrows to the area's bounding box, the polygon test runs here, since the
/// store knows no polygons. `None` when the query names no area.
pub async fn in_area(
    state: &AppState,
    tenant: &Tenant,
    ags: &Ags,
    query: &ReportQuery,
    visible_to: Option<&Visibility>,
) -> StoreResult<Option<Vec<Report>>> {
    let Some(area) = &query.area else {
        return Ok(None);
    };
    let Some(definition) = tenant.area_definitions.iter().find(|a| &a.id == area) else {
        // An unknown area contains nothing.
        return Ok(Some(Vec::new()));
    };
    let mut narrowed = query.clone();
    narrowed.area = None;
    if narrowed.bbox.is_none() {
        narrowed.bbox = geometry_bbox(&definition.geometry).map(|(a, b, c, d)| format!("{a},{b},{c},{d}"));
    }
    let candidates = matching_reports(state, ags, &narrowed, visible_to, 0, MAX_AREA_SCAN).await?;
    Ok(Some(
        candidates
            .into_iter()
            .filter(|r| tenant.contains(area, r.location))
            .collect(),
    ))
}

/// `min_lon, min_lat, max_lon, max_lat` of a GeoJSON geometry's coordinates.
pub fn geometry_bbox(geometry: &serde_json::Value) -> Option<(f64, f64, f64, f64)> {
    fn walk(v: &serde_json::Value, acc: &mut Option<(f64, f64, f64, f64)>) {
        let Some(items) = v.as_array() else { return };
        if let [lon, lat, ..] = items.as_slice()
            && let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64())
        {
            let b = acc.get_or_insert((lon, lat, lon, lat));
            *b = (b.0.min(lon), b.1.min(lat), b.2.max(lon), b.3.max(lat));
            return;
        }
        for item in items {
            walk(item, acc);
        }
    }
    let mut acc = None;
    walk(geometry.get("coordinates")?, &mut acc);
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounding_box_of_a_multipolygon() {
        let g = serde_json::json!({"type": "MultiPolygon", "coordinates": [
            [[[9.4, 54.7], [9.5, 54.7], [9.5, 54.8], [9.4, 54.7]]],
            [[[9.3, 54.75], [9.35, 54.9], [9.3, 54.75]]]
        ]});
        assert_eq!(geometry_bbox(&g), Some((9.3, 54.7, 9.5, 54.9)));
        assert_eq!(geometry_bbox(&serde_json::json!({"type": "Point"})), None);
    }
}
