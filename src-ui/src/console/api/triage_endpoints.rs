//! The triage endpoints: saved inbox filters, bulk actions, inbox thumbnails.

use augenmerk_domain::triage::{BulkRequest, BulkResponse, NewSavedFilter, SavedFilter};

use super::{Api, encode};
use crate::backend::UiResult;

impl Api {
    /// The signed-in account's saved filters, oldest first.
    pub async fn saved_filters(&self) -> UiResult<Vec<SavedFilter>> {
        self.get("/staff/filters").await
    }

    /// Saves a filter under a name.
    pub async fn save_filter(&self, filter: &NewSavedFilter) -> UiResult<SavedFilter> {
        self.post("/staff/filters", filter).await
    }

    /// Deletes one of the account's saved filters.
    pub async fn delete_filter(&self, id: &str) -> UiResult<()> {
        self.delete(&format!("/staff/filters/{}", encode(id))).await
    }

    /// Applies an action to a selection of reports; the answer says per report.
    pub async fn bulk(&self, request: &BulkRequest) -> UiResult<BulkResponse> {
        self.post("/staff/reports/bulk", request).await
    }

    /// A photo's inbox thumbnail, as an object URL.
    pub async fn thumbnail(&self, hash: &str) -> UiResult<String> {
        self.object_url(&format!("/staff/thumbnails/{}", encode(hash)), "image/jpeg")
            .await
    }
}
