//! The overview endpoints: the platform operator's figures per municipality, the open
//! and overdue cases per department, and changing the photo hosts of an Open311 key.

use augenmerk_domain::overview::{ApiKeyMediaHosts, DepartmentWorkload, TenantOverview};
use augenmerk_domain::staff::ApiKeyInfo;

use super::{Api, encode};
use crate::backend::UiResult;

impl Api {
    /// Every municipality on the platform with its figures (platform admins).
    pub async fn platform_overview(&self) -> UiResult<Vec<TenantOverview>> {
        self.get("/admin/overview").await
    }

    /// Open and overdue cases per department, now.
    pub async fn department_workload(&self) -> UiResult<Vec<DepartmentWorkload>> {
        self.get("/staff/stats/departments").await
    }

    /// Replaces the allowed photo hosts of an Open311 API key.
    pub async fn set_api_key_hosts(&self, id: &str, media_hosts: Vec<String>) -> UiResult<ApiKeyInfo> {
        self.put(
            &format!("/staff/config/api-keys/{}/media-hosts", encode(id)),
            &ApiKeyMediaHosts { media_hosts },
        )
        .await
    }
}
