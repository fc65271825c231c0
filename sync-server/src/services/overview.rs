//! "Now" figures for overviews: the platform operator's table of all municipalities, and
//! the open and overdue cases of one municipality per department (the SLA view). The
//! store counts; this module attaches names and orders the rows.

use chrono::{DateTime, Duration, Utc};

use augenmerk_domain::Status;
use augenmerk_domain::overview::{DepartmentWorkload, RECENT_DAYS, TenantFigures, TenantOverview};
use augenmerk_domain::staff::Department;
use augenmerk_store::{Visibility, WorkloadRow};

use crate::error::ApiResult;
use crate::state::AppState;

/// Every municipality on the platform with its figures, by name.
pub async fn platform(state: &AppState, now: DateTime<Utc>) -> ApiResult<Vec<TenantOverview>> {
    let figures = state
        .store
        .tenant_figures(now - Duration::days(RECENT_DAYS), now)
        .await?;
    let tenants = state.store.list_municipalities().await?;
    let mut rows: Vec<TenantOverview> = tenants
        .into_iter()
        .map(|t| {
            let f = figures
                .iter()
                .find(|(ags, _)| *ags == t.ags)
                .map(|(_, f)| f.clone())
                .unwrap_or_default();
            overview_row(t.ags, t.name, f)
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.ags.as_str().cmp(b.ags.as_str())));
    Ok(rows)
}

fn overview_row(ags: augenmerk_domain::Ags, name: String, f: TenantFigures) -> TenantOverview {
    TenantOverview {
        ags,
        name,
        users: f.users,
        open: f.open,
        overdue: f.overdue,
        recent: f.recent,
        last_activity: f.last_activity,
        failed_deliveries: f.failed_deliveries,
    }
}

/// The open and overdue cases of a municipality per department (those `visible_to` may
/// see), most overdue first.
pub async fn departments(
    state: &AppState,
    ags: &augenmerk_domain::Ags,
    visible_to: Option<&Visibility>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<DepartmentWorkload>> {
    let rows = state.store.department_workload(ags, visible_to, now).await?;
    let tenant = state.tenant(ags).await?;
    Ok(workload(&tenant.departments, &rows))
}

/// Groups `(department, status, count, overdue)` rows per department: every open status
/// listed (zero included), departments without open cases left out; most overdue, then
/// most open first, then by name.
pub fn workload(departments: &[Department], rows: &[WorkloadRow]) -> Vec<DepartmentWorkload> {
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let mut out: Vec<DepartmentWorkload> = Vec::new();
    for (department, status, n, late) in rows {
        let i = match out.iter().position(|w| w.department == *department) {
            Some(i) => i,
            None => {
                let name = match department {
                    Some(d) => departments
                        .iter()
                        .find(|x| x.id.as_str() == d)
                        .map_or_else(|| d.clone(), |x| x.name.clone()),
                    None => "—".to_owned(),
                };
                out.push(DepartmentWorkload {
                    department: department.clone(),
                    name,
                    by_status: open.iter().map(|s| (*s, 0)).collect(),
                    open: 0,
                    overdue: 0,
                });
                out.len() - 1
            }
        };
        let w = &mut out[i];
        if let Some(entry) = w.by_status.iter_mut().find(|(s, _)| s == status) {
            entry.1 += n;
        }
        w.open += n;
        w.overdue += late;
    }
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.open.cmp(&a.open))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use augenmerk_domain::DepartmentId;

    fn department(id: &str, name: &str) -> Department {
        Department {
            id: DepartmentId::parse(id).expect("id"),
            name: name.into(),
            email: None,
        }
    }

    #[test]
    fn workload_groups_per_department_with_every_open_status() {
        let deps = [department("bauhof", "Bauhof"), department("gruen", "Grünflächen")];
        let rows = [
            (Some("bauhof".to_owned()), Status::Received, 2, 1),
            (Some("gruen".to_owned()), Status::InProgress, 3, 0),
            (Some("bauhof".to_owned()), Status::Assigned, 1, 1),
            (None, Status::Received, 1, 0),
        ];
        let w = workload(&deps, &rows);
        let names: Vec<&str> = w.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            names,
            ["Bauhof", "Grünflächen", "—"],
            "most overdue first, then most open"
        );
        assert_eq!((w[0].open, w[0].overdue), (3, 2));
        assert_eq!(w[0].by_status.len(), 3, "every open status");
        assert!(w[0].by_status.contains(&(Status::InProgress, 0)));
        assert_eq!(w[2].department, None);
    }
}
