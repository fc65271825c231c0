//! Shared state of the running server: storage, photo store, settings, the statewide
//! boundary index and a cache of each municipality's configuration.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use augenmerk_domain::api::AreaDefinition;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::rules::{AreaLookup, Rule, RuleEnv, RuleEvaluation, RuleInput, evaluate};
use augenmerk_domain::staff::Department;
use augenmerk_domain::{Ags, AreaId, GeoPoint};
use augenmerk_geo::{Areas, Boundaries, LatLon, Location, MunicipalityRef};
use augenmerk_store::{BoundaryRecord, MunicipalityRecord, Store};

use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::limits::RateLimits;

/// Everything handlers need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Photo bytes.
    pub blobs: Arc<dyn BlobStore>,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Statewide boundaries.
    pub boundaries: Arc<RwLock<Arc<Boundaries>>>,
    /// Municipality configurations, loaded on first use and dropped on change.
    pub tenants: Arc<RwLock<HashMap<Ags, Arc<Tenant>>>>,
    /// Rate limits (login, device registration, reports, uploads, Open311).
    pub limits: Arc<RateLimits>,
    /// Mail transport and the outbox worker's bell.
    pub mailer: Arc<crate::mail::Mailer>,
    /// Server-side anonymization of photos that come without it.
    pub anonymizer: Arc<crate::anonymize::ServerAnonymizer>,
}

/// A municipality's configuration as the request path needs it.
pub struct Tenant {
    /// The stored record (tree, settings).
    pub record: MunicipalityRecord,
    /// Ordered delegation rules.
    pub rules: Vec<Rule>,
    /// Departments.
    pub departments: Vec<Department>,
    /// Named areas, indexed.
    pub areas: Areas,
    /// The area definitions as stored.
    pub area_definitions: Vec<AreaDefinition>,
}

impl AreaLookup for Tenant {
    fn contains(&self, area: &AreaId, point: GeoPoint) -> bool {
        match (
            augenmerk_geo::AreaId::parse(area.as_str()),
            LatLon::new(point.lat, point.lon),
        ) {
            (Ok(id), Ok(p)) => self.areas.contains(&id, p),
            _ => false,
        }
    }
}

impl Tenant {
    /// Evaluates the municipality's rules (or `rules` being tried instead) for a report's facts.
    pub fn evaluate(&self, rules: Option<&[Rule]>, input: &RuleInput<'_>) -> RuleEvaluation {
        let env = RuleEnv {
            tree: &self.record.categories,
            areas: self,
            working_hours: &self.record.settings.working_hours,
        };
        evaluate(rules.unwrap_or(&self.rules), input, &env)
    }

    /// The areas a point lies in.
    pub fn areas_at(&self, point: GeoPoint) -> Vec<AreaId> {
        let Ok(p) = LatLon::new(point.lat, point.lon) else {
            return Vec::new();
        };
        self.areas
            .containing(p)
            .into_iter()
            .filter_map(|a| AreaId::parse(a.id.as_str()).ok())
            .collect()
    }
}

/// Builds the boundary index from stored boundaries.
pub fn build_boundaries(records: &[BoundaryRecord]) -> Result<Boundaries, augenmerk_geo::GeoError> {
    let features: Vec<serde_json::Value> = records
        .iter()
        .map(|b| {
            let geometry: serde_json::Value = serde_json::from_str(&b.geometry).unwrap_or(serde_json::Value::Null);
            serde_json::json!({
                "type": "Feature",
                "properties": { "AGS": b.ags.as_str(), "GEN": b.name },
                "geometry": geometry,
            })
        })
        .collect();
    let collection = serde_json::json!({ "type": "FeatureCollection", "features": features });
    Boundaries::from_geojson(&collection.to_string())
}

/// Builds the area index of a municipality.
pub fn build_areas(definitions: &[AreaDefinition]) -> Result<Areas, augenmerk_geo::GeoError> {
    let mut areas = Areas::new();
    for d in definitions {
        let id = augenmerk_geo::AreaId::parse(d.id.as_str())?;
        areas.insert(id, &d.name, &d.geometry.to_string())?;
    }
    Ok(areas)
}

impl AppState {
    /// Loads a municipality's configuration (cached until it changes).
    pub async fn tenant(&self, ags: &Ags) -> ApiResult<Arc<Tenant>> {
        if let Some(t) = self.tenants.read().unwrap_or_else(|p| p.into_inner()).get(ags) {
            return Ok(t.clone());
        }
        let record = self.store.get_municipality(ags).await?;
        let rules = self.store.get_rules(ags).await?;
        let departments = self.store.list_departments(ags).await?;
        let area_definitions = self.store.list_areas(ags).await?;
        let areas = build_areas(&area_definitions).map_err(ApiError::internal)?;
        let tenant = Arc::new(Tenant {
            record,
            rules,
            departments,
            areas,
            area_definitions,
        });
        self.tenants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(ags.clone(), tenant.clone());
        Ok(tenant)
    }

    /// Drops the cached configuration of a municipality after a change.
    pub fn invalidate(&self, ags: &Ags) {
        self.tenants.write().unwrap_or_else(|p| p.into_inner()).remove(ags);
    }

    /// Reloads the boundary index from storage (after an import).
    pub async fn reload_boundaries(&self) -> anyhow::Result<usize> {
        let records = self.store.list_boundaries().await?;
        let index = build_boundaries(&records)?;
        let n = index.len();
        *self.boundaries.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
        Ok(n)
    }

    /// Finds the municipality responsible for a point, within the configured tolerance.
    pub fn locate(&self, point: GeoPoint) -> ApiResult<Location> {
        let p = LatLon::new(point.lat, point.lon).map_err(|_| {
            ApiError::validation(vec![augenmerk_domain::error::FieldError::new(
                "location",
                "out_of_range",
            )])
        })?;
        let index = self
            .boundaries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        index.locate(p, self.settings.tolerance_m).map_err(ApiError::internal)
    }

    /// The municipality responsible for a point (whether or not it takes reports here) and
    /// how far outside its boundary the point lies, or a 422 that names the nearest one.
    pub fn responsible(&self, point: GeoPoint) -> ApiResult<(MunicipalityRef, f64)> {
        match self.locate(point)? {
            Location::Inside { municipality } => Ok((municipality, 0.0)),
            Location::WithinTolerance {
                municipality,
                distance_m,
            } => Ok((municipality, distance_m)),
            Location::Outside { nearest, distance_m } => {
                Err(ApiError::new(ErrorCode::OutsideServiceArea).context(serde_json::json!({
                    "nearest": { "ags": nearest.ags.as_str(), "name": nearest.name },
                    "distance_m": distance_m.round(),
                    "tolerance_m": self.settings.tolerance_m,
                })))
            }
        }
    }

    /// The municipality that takes reports at a point, or a 422 that names the nearest one.
    pub async fn responsible_tenant(&self, point: GeoPoint) -> ApiResult<(Arc<Tenant>, f64)> {
        let (m, distance) = self.responsible(point)?;
        let ags = Ags::parse(m.ags.as_str()).map_err(ApiError::internal)?;
        match self.tenant(&ags).await {
            Ok(t) => Ok((t, distance)),
            Err(e) if e.code() == ErrorCode::NotFound => {
                Err(ApiError::new(ErrorCode::OutsideServiceArea).context(serde_json::json!({
                    "responsible": { "ags": ags.as_str(), "name": m.name },
                    "reason": "municipality does not take reports on this server",
                })))
            }
            Err(e) => Err(e),
        }
    }
}
