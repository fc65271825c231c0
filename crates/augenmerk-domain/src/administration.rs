//! Administrations as citizens and devices see them: which administration serves a
//! Gemeinde, where reports from there go, and how the place is named. Re-exported from
//! [`crate::public`], whose responses carry them.

use serde::{Deserialize, Serialize};

use crate::ids::Ags;

/// An administration: an amtsfreie Gemeinde or Stadt, or an Amt with its Gemeinden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdministrationRef {
    /// The key reports are filed under: the tenant's key, or the directory's.
    pub key: Ags,
    /// Its name, e.g. "Amt Langballig".
    pub name: String,
    /// Whether it serves several Gemeinden (an Amt): then citizens see "Gemeinde (Amt …)".
    pub serves_several: bool,
}

/// Where reports from a place go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivery {
    /// The administration works its reports on this platform.
    #[default]
    Platform,
    /// The administration is not on the platform: reports are mailed to it.
    Mail {
        /// Its name, for "goes by e-mail to …".
        to: String,
    },
    /// Nobody takes reports from here.
    Refused,
}

/// A Gemeinde of an administration, with its boundary for finding it offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GemeindeInfo {
    /// AGS (eight digits).
    pub ags: Ags,
    /// Name.
    pub name: String,
    /// Boundary as a GeoJSON geometry.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<serde_json::Value>,
}

/// How a citizen names the place of a report: "Wees (Amt Langballig)", or just
/// "Flensburg" where the administration is the Gemeinde itself.
pub fn place_name(gemeinde: &str, administration: Option<&str>) -> String {
    match administration {
        Some(a) if !a.is_empty() && a != gemeinde => format!("{gemeinde} ({a})"),
        _ => gemeinde.to_owned(),
    }
}
