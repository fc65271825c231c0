//! What staff read about reports besides the reports themselves: the municipality's
//! reply templates filled in for one report, and the statistics over a period.

use chrono::{DateTime, Utc};

use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{KeyCount, Statistics};
use augenmerk_domain::templates::{ReplyTemplate, TemplateValues, render};
use augenmerk_domain::{Ags, CategoryId};
use augenmerk_store::Visibility;

use crate::error::ApiResult;
use crate::services::views;
use crate::state::{AppState, Tenant};

/// The municipality's reply templates with the report's values filled in (number,
/// category, status, address, dates in Berlin time, municipality, department).
pub fn reply_templates(tenant: &Tenant, report: &Report) -> Vec<ReplyTemplate> {
    let day = |t: &DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::Berlin)
            .format("%d.%m.%Y")
            .to_string()
    };
    let department = report
        .department
        .as_ref()
        .and_then(|d| tenant.departments.iter().find(|x| &x.id == d))
        .map(|d| d.name.clone())
        .unwrap_or_else(|| tenant.record.name.clone());
    let values = TemplateValues {
        values: vec![
            ("nummer", report.id.to_string().chars().take(8).collect()),
            ("kategorie", views::category_name(tenant, report)),
            ("status", report.status.label().de),
            (
                "adresse",
                report
                    .address_hint
                    .clone()
                    .unwrap_or_else(|| format!("{:.5}, {:.5}", report.location.lat, report.location.lon)),
            ),
            ("eingang", day(&report.received_at)),
            ("frist", report.due_at.as_ref().map(day).unwrap_or_else(|| "–".into())),
            ("gemeinde", tenant.record.name.clone()),
            ("abteilung", department),
        ],
    };
    tenant
        .record
        .settings
        .reply_templates
        .iter()
        .map(|t| ReplyTemplate {
            id: t.id.clone(),
            name: t.name.clone(),
            body: render(&t.body, &values),
        })
        .collect()
}

/// Reports per status, category, department and Gemeinde received in `from..=to` (only
/// those `visibility` allows), with names for the keys; median hours to the first
/// response and to resolution; overdue at `now`.
pub async fn statistics(
    state: &AppState,
    tenant: &Tenant,
    ags: &Ags,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    visibility: Option<&Visibility>,
    now: DateTime<Utc>,
) -> ApiResult<Statistics> {
    let raw = state.store.statistics(ags, from, to, visibility, now).await?;
    let category_name = |id: &str| {
        CategoryId::parse(id)
            .ok()
            .and_then(|c| tenant.record.categories.find(&c).map(|c| c.de.clone()))
            .unwrap_or_else(|| id.to_owned())
    };
    let department_name = |id: &Option<String>| match id {
        Some(d) => tenant
            .departments
            .iter()
            .find(|x| x.id.as_str() == d)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| d.clone()),
        None => "—".to_owned(),
    };
    let hours = |s: Option<f64>| s.map(|s| (s / 3600.0 * 100.0).round() / 100.0);
    Ok(Statistics {
        from,
        to,
        total: raw.total,
        by_status: raw.by_status,
        by_category: raw
            .by_category
            .iter()
            .map(|(k, n)| KeyCount {
                key: Some(k.clone()),
                name: category_name(k),
                count: *n,
            })
            .collect(),
        by_department: raw
            .by_department
            .iter()
            .map(|(k, n)| KeyCount {
                key: k.clone(),
                name: department_name(k),
                count: *n,
            })
            .collect(),
        by_gemeinde: raw
            .by_gemeinde
            .iter()
            .map(|(k, n)| KeyCount {
                key: Some(k.clone()),
                name: tenant
                    .gemeinden
                    .iter()
                    .find(|g| g.ags.as_str() == k)
                    .map(|g| g.name.clone())
                    .unwrap_or_else(|| k.clone()),
                count: *n,
            })
            .collect(),
        median_first_response_hours: hours(raw.median_first_response_secs),
        median_resolution_hours: hours(raw.median_resolution_secs),
        overdue: raw.overdue,
    })
}
