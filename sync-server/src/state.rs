//! Shared state of the running server: storage, photo store, settings, the statewide
//! boundary index and a cache of each municipality's configuration.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use augenmerk_domain::api::{AreaDefinition, DirectoryEntry};
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::public::GemeindeInfo;
use augenmerk_domain::rules::{AreaLookup, Rule, RuleEnv, RuleEvaluation, RuleInput, evaluate};
use augenmerk_domain::staff::Department;
use augenmerk_domain::{Ags, AreaId, GeoPoint};
use augenmerk_geo::{Areas, Boundaries, GeoError, Location, MunicipalityRef, Shape};
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
    /// Counts the drops of [`AppState::tenants`]: a configuration loaded while a change
    /// was being saved is not cached (it may be the old one).
    pub tenants_generation: Arc<std::sync::atomic::AtomicU64>,
    /// Rate limits (login, device registration, reports, uploads, Open311).
    pub limits: Arc<RateLimits>,
    /// Mail transport and the outbox worker's bell.
    pub mailer: Arc<crate::mail::Mailer>,
    /// Server-side anonymization of photos that come without it.
    pub anonymizer: Arc<crate::anonymize::ServerAnonymizer>,
    /// When this instance last recorded each device's activity (for device expiry), so
    /// that a device's requests cause at most one write an hour.
    pub seen_devices: Arc<std::sync::Mutex<HashMap<augenmerk_domain::DeviceId, chrono::DateTime<chrono::Utc>>>>,
    /// Set when the instance was asked to stop: `/readyz` answers 503 from then on, so a
    /// load balancer sends no new requests while the ones in flight finish.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// Address search and reverse geocoding (`geocoder_url`), if configured.
    pub geocoding: Arc<crate::geocode::Geocoding>,
    /// Prometheus metrics (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// Devices remembered in [`AppState::seen_devices`] before the map is cleared.
const SEEN_DEVICES_MAX: usize = 100_000;

impl AppState {
    /// Records that a device made a request (its registration expires after the
    /// retention policy's days without one).
    pub async fn device_seen(&self, device: &augenmerk_domain::DeviceId) {
        let now = chrono::Utc::now();
        {
            let Ok(mut seen) = self.seen_devices.lock() else {
                return;
            };
            if seen
                .get(device)
                .is_some_and(|at| now - *at < chrono::Duration::hours(1))
            {
                return;
            }
            if seen.len() >= SEEN_DEVICES_MAX {
                seen.clear();
            }
            seen.insert(*device, now);
        }
        if let Err(e) = self.store.touch_device(device, now).await {
            tracing::warn!(error = %e, "could not record a device's activity");
        }
    }
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
    /// The Gemeinden it serves, by AGS (one for an amtsfreie Gemeinde; an Amt's from the
    /// boundary import), without their boundaries.
    pub gemeinden: Vec<GemeindeInfo>,
    /// When this copy was last found current (see [`AppState::tenant`]).
    pub checked_at: std::sync::Mutex<std::time::Instant>,
}

/// How long a cached configuration is used before its version is compared with the
/// database's: another instance may have changed it (each change bumps the version).
const TENANT_RECHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// Where a report at a place goes.
pub enum Destination {
    /// A tenant on this platform.
    Tenant(Arc<Tenant>),
    /// An administration from the directory, by e-mail.
    Mail(DirectoryEntry),
}

/// The Gemeinde a point lies in, with the administration that serves it.
#[derive(Debug, Clone)]
pub struct Place {
    /// The Gemeinde (eight digits).
    pub gemeinde: Ags,
    /// Its name.
    pub name: String,
    /// The administration's key (nine digits), if the boundary data names one.
    pub administration: Option<Ags>,
    /// 0 inside; else metres outside the boundary (within the tolerance).
    pub distance_m: f64,
}

impl AreaLookup for Tenant {
    fn contains(&self, area: &AreaId, point: GeoPoint) -> bool {
        self.areas.contains(area, point)
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
        self.areas.containing(point).into_iter().map(|a| a.id).collect()
    }
}

/// Builds the boundary index from stored boundaries.
pub fn build_boundaries(records: &[BoundaryRecord]) -> Result<Boundaries, GeoError> {
    let municipalities = records
        .iter()
        .map(|b| {
            let shape = Shape::from_geojson(&b.geometry).map_err(|problem| GeoError::InvalidMunicipality {
                ags: b.ags.to_string(),
                problem,
            })?;
            let municipality = MunicipalityRef {
                ags: b.ags.clone(),
                name: b.name.clone(),
                administration: b.administration.clone(),
            };
            Ok((municipality, shape))
        })
        .collect::<Result<Vec<_>, GeoError>>()?;
    Boundaries::from_municipalities(municipalities)
}

/// Builds the area index of a municipality.
pub fn build_areas(definitions: &[AreaDefinition]) -> Result<Areas, GeoError> {
    let areas = definitions
        .iter()
        .map(|d| {
            let shape = Shape::from_geojson_value(&d.geometry).map_err(|problem| GeoError::InvalidArea {
                id: d.id.to_string(),
                problem,
            })?;
            Ok((d.id.clone(), d.name.as_str(), shape))
        })
        .collect::<Result<Vec<_>, GeoError>>()?;
    Areas::from_features(areas)
}

impl AppState {
    /// Loads a municipality's configuration (cached until it changes). A change made on
    /// this instance drops the copy at once ([`AppState::invalidate`]); one made by
    /// another instance is noticed within `TENANT_RECHECK` (2 s) by the version number.
    pub async fn tenant(&self, ags: &Ags) -> ApiResult<Arc<Tenant>> {
        let cached = self.tenants.read().unwrap_or_else(|p| p.into_inner()).get(ags).cloned();
        let generation = self.tenants_generation.load(std::sync::atomic::Ordering::SeqCst);
        let mut fresh_record = None;
        if let Some(t) = cached {
            let checked_at = *t.checked_at.lock().unwrap_or_else(|p| p.into_inner());
            if checked_at.elapsed() < TENANT_RECHECK {
                return Ok(t);
            }
            let record = self.store.get_municipality(ags).await?;
            if record.config_version == t.record.config_version {
                *t.checked_at.lock().unwrap_or_else(|p| p.into_inner()) = std::time::Instant::now();
                return Ok(t);
            }
            fresh_record = Some(record);
        }
        let record = match fresh_record {
            Some(r) => r,
            None => self.store.get_municipality(ags).await?,
        };
        let rules = self.store.get_rules(ags).await?;
        let departments = self.store.list_departments(ags).await?;
        let area_definitions = self.store.list_areas(ags).await?;
        let areas = build_areas(&area_definitions).map_err(ApiError::internal)?;
        let gemeinden = self
            .gemeinden_of(ags)
            .into_iter()
            .map(|(ags, name)| GemeindeInfo {
                ags,
                name,
                boundary: None,
            })
            .collect();
        let tenant = Arc::new(Tenant {
            record,
            rules,
            departments,
            areas,
            area_definitions,
            gemeinden,
            checked_at: std::sync::Mutex::new(std::time::Instant::now()),
        });
        let mut tenants = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        // A change saved while this one loaded (another task's request, or the mail
        // worker's round) may have dropped the entry after the load read the old
        // configuration: then this copy is used once and not kept.
        if self.tenants_generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            tenants.insert(ags.clone(), tenant.clone());
        }
        Ok(tenant)
    }

    /// Drops the cached configuration of a municipality after a change.
    pub fn invalidate(&self, ags: &Ags) {
        let mut tenants = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        self.tenants_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tenants.remove(ags);
    }

    /// Reloads the boundary index from storage (after an import).
    pub async fn reload_boundaries(&self) -> anyhow::Result<usize> {
        let records = self.store.list_boundaries().await?;
        let index = build_boundaries(&records)?;
        let n = index.len();
        *self.boundaries.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
        // An Amt's Gemeinden come from the boundaries: cached tenants may have changed.
        let mut tenants = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        self.tenants_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tenants.clear();
        Ok(n)
    }

    /// The statewide boundary index as it is now.
    pub fn boundary_index(&self) -> Arc<Boundaries> {
        self.boundaries.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The Gemeinden an administration key stands for, by AGS: the Gemeinde itself for
    /// eight digits, the Gemeinden the boundary data assigns to it for nine.
    pub fn gemeinden_of(&self, key: &Ags) -> Vec<(Ags, String)> {
        let index = self.boundary_index();
        let found: Vec<&augenmerk_geo::Municipality> = if key.is_gemeinde() {
            index.get(key).into_iter().collect()
        } else {
            index.served_by(key).collect()
        };
        found
            .into_iter()
            .map(|m| (m.ags().clone(), m.name().to_owned()))
            .collect()
    }

    /// The Gemeinde a point lies in, or a 422 that names the nearest one.
    pub fn place(&self, point: GeoPoint) -> ApiResult<Place> {
        let (m, distance_m) = self.responsible(point)?;
        Ok(Place {
            gemeinde: m.ags,
            name: m.name,
            administration: m.administration,
            distance_m,
        })
    }

    /// Where reports from a Gemeinde go: a tenant keyed by the Gemeinde itself, else one
    /// keyed by its administration (an Amt), else the directory entry of its
    /// administration (or of the Gemeinde), else nowhere.
    pub async fn destination(&self, place: &Place) -> ApiResult<Option<Destination>> {
        let keys: Vec<&Ags> = std::iter::once(&place.gemeinde)
            .chain(place.administration.as_ref())
            .collect();
        for key in &keys {
            match self.tenant(key).await {
                Ok(t) => return Ok(Some(Destination::Tenant(t))),
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        for key in keys.iter().rev() {
            match self.store.get_directory(key).await {
                Ok(entry) => return Ok(Some(Destination::Mail(entry))),
                Err(augenmerk_store::StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// Finds the municipality responsible for a point, within the configured tolerance.
    pub fn locate(&self, point: GeoPoint) -> ApiResult<Location> {
        let (p, index) = self.point_and_boundaries(point)?;
        index.locate(p, self.settings.tolerance_m).map_err(ApiError::internal)
    }

    /// A point checked for range, and the boundaries as they are now.
    fn point_and_boundaries(&self, point: GeoPoint) -> ApiResult<(GeoPoint, Arc<Boundaries>)> {
        let p = point.validated().map_err(|_| {
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
        Ok((p, index))
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
            Location::Outside { nearest, distance_m } => Err(self.outside(&nearest, distance_m)),
        }
    }

    /// The Gemeinden a report at a point may be filed under ([`augenmerk_geo::candidates`]):
    /// its own first, then neighbours within the tolerance; or the 422 of [`Self::responsible`].
    pub fn candidates(&self, point: GeoPoint) -> ApiResult<Vec<Place>> {
        let (p, index) = self.point_and_boundaries(point)?;
        match augenmerk_geo::candidates(&index, p, self.settings.tolerance_m) {
            Ok(all) => Ok(all
                .into_iter()
                .map(|c| Place {
                    gemeinde: c.gemeinde.ags,
                    name: c.gemeinde.name,
                    administration: c.gemeinde.administration,
                    distance_m: c.distance_m,
                })
                .collect()),
            Err(augenmerk_geo::PlaceError::Outside { nearest, distance_m }) => Err(self.outside(&nearest, distance_m)),
            Err(augenmerk_geo::PlaceError::Invalid(e)) => Err(ApiError::internal(e)),
        }
    }

    /// The refusal of a place farther than the tolerance from every Gemeinde.
    fn outside(&self, nearest: &MunicipalityRef, distance_m: f64) -> ApiError {
        ApiError::new(ErrorCode::OutsideServiceArea).context(serde_json::json!({
            "nearest": { "ags": nearest.ags.as_str(), "name": nearest.name },
            "distance_m": distance_m.round(),
            "tolerance_m": self.settings.tolerance_m,
        }))
    }

    /// The tenant that takes reports at a point, with the point's Gemeinde, or a 422 that
    /// names the nearest Gemeinde or says that nobody here takes reports from it.
    pub async fn responsible_tenant(&self, point: GeoPoint) -> ApiResult<(Arc<Tenant>, Place)> {
        let place = self.place(point)?;
        match self.destination(&place).await? {
            Some(Destination::Tenant(t)) => Ok((t, place)),
            _ => Err(not_served(&place)),
        }
    }
}

/// The refusal of a report from a Gemeinde that no tenant and no directory entry serves.
pub fn not_served(place: &Place) -> ApiError {
    ApiError::new(ErrorCode::OutsideServiceArea).context(serde_json::json!({
        "responsible": { "ags": place.gemeinde.as_str(), "name": place.name },
        "reason": "municipality does not take reports on this server",
    }))
}
