//! The duplicates endpoints: the likely originals of a case and merging it into one.

use augenmerk_domain::duplicates::{MergeRequest, MergeResponse};
use augenmerk_domain::staff::StaffReportSummary;

use super::{Api, encode};
use crate::backend::UiResult;

impl Api {
    /// The likely originals of a case, likeliest first.
    pub async fn duplicate_suggestions(&self, id: &str) -> UiResult<Vec<StaffReportSummary>> {
        self.get(&format!("/staff/reports/{}/duplicates", encode(id))).await
    }

    /// Merges the case `id` into the original named in the request.
    pub async fn merge_report(&self, id: &str, request: &MergeRequest) -> UiResult<MergeResponse> {
        self.post(&format!("/staff/reports/{}/merge", encode(id)), request)
            .await
    }
}
