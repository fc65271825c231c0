//! Finding the municipality of a place without network, as the app does: the page keeps
//! the public configurations of the municipalities that take reports (with their
//! Gemeinden's boundaries) in IndexedDB, fetched from the same endpoints as the app's
//! client (`GET /api/v1/municipalities`, then `…/{ags}/config` for each that changed), and
//! answers a lookup the server could not take with the app's computation
//! ([`augenmerk_geo::Responsibilities`]).
//!
//! The configurations are fetched when the page starts and then at most every
//! [`REFRESH_EVERY`] (they change rarely and hold boundaries, which are large), never for
//! a single lookup. The lookup built from them stays in memory until a configuration the
//! page keeps changes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{DateTime, Utc};

use augenmerk_domain::GeoPoint;
use augenmerk_domain::error::{ErrorBody, ErrorCode};
use augenmerk_domain::public::{MunicipalityConfig, MunicipalityInfo, Responsibility};
use augenmerk_geo::{DEFAULT_TOLERANCE_M, PlaceError, Responsibilities};

use super::WebBackend;
use super::store::{CONFIG_PREFIX, Store};
use super::transport::{API, get};
use crate::backend::{UiError, UiResult};

/// How long fetched configurations count as current.
const REFRESH_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(6);
/// Meta key: when the configurations were last fetched (RFC 3339).
const REFRESHED_AT: &str = "configs-refreshed-at";

thread_local! {
    /// The lookup built from the stored configurations (the page has one thread).
    static BUILT: RefCell<Option<Rc<Responsibilities>>> = const { RefCell::new(None) };
}

/// Drops the built lookup: a stored configuration changed.
pub(super) fn forget_built() {
    BUILT.with(|b| *b.borrow_mut() = None);
}

impl WebBackend {
    /// Fetches the configurations if they were not fetched for [`REFRESH_EVERY`]; a failure
    /// (no network) leaves it to the next try.
    pub(super) async fn refresh_configs_if_due(&self) {
        let Ok(store) = self.store().await else { return };
        let last: Option<DateTime<Utc>> = store.meta(REFRESHED_AT).await;
        if last.is_some_and(|at| Utc::now() - at < REFRESH_EVERY) {
            return;
        }
        if self.refresh_configs(&store).await.is_ok() {
            let _ = store.set_meta(REFRESHED_AT, &Utc::now()).await;
        }
    }

    /// Fetches the configurations that changed since they were stored and forgets those of
    /// municipalities the server no longer serves (as the app's `refresh_configuration`).
    async fn refresh_configs(&self, store: &Store) -> UiResult<()> {
        let list: Vec<MunicipalityInfo> = Self::json(get(&format!("{API}/municipalities"))).await?;
        let stored: HashMap<String, String> = store
            .configs()
            .await
            .map_err(UiError::unexpected)?
            .into_iter()
            .map(|c| (c.ags.as_str().to_owned(), c.version))
            .collect();
        let mut changed = false;
        // Administrations that take reports: on the platform, or by mail.
        let served: Vec<&MunicipalityInfo> = list.iter().filter(|m| m.active).collect();
        for info in &served {
            let current = stored.get(info.ags.as_str());
            if current.is_some() && current == info.config_version.as_ref() {
                continue;
            }
            let config: MunicipalityConfig =
                Self::json(get(&format!("{API}/municipalities/{}/config", info.ags.as_str()))).await?;
            store
                .set_meta(&format!("{CONFIG_PREFIX}{}", config.ags.as_str()), &config)
                .await
                .map_err(UiError::unexpected)?;
            changed = true;
        }
        let gone: Vec<String> = stored
            .keys()
            .filter(|ags| !served.iter().any(|m| m.ags.as_str() == ags.as_str()))
            .map(|ags| format!("{CONFIG_PREFIX}{ags}"))
            .collect();
        if !gone.is_empty() {
            store.forget_meta(&gone).await.map_err(UiError::unexpected)?;
            changed = true;
        }
        if changed {
            forget_built();
        }
        Ok(())
    }

    /// Who takes reports at a place, from the stored configurations, after the server
    /// could not be asked (`offline`, which is returned when nothing is stored).
    pub(super) async fn locate_offline(&self, lat: f64, lon: f64, offline: UiError) -> UiResult<Responsibility> {
        let Ok(point) = GeoPoint::parse(lat, lon) else {
            return Err(offline);
        };
        let Some(lookup) = self.built().await else {
            return Err(offline);
        };
        match lookup.locate(point, DEFAULT_TOLERANCE_M) {
            Ok(answer) => Ok(answer),
            // What the server answers for such a place.
            Err(PlaceError::Outside { nearest, distance_m }) => Err(ErrorBody::new(ErrorCode::OutsideServiceArea)
                .with_context(serde_json::json!({
                    "nearest": { "ags": nearest.ags.as_str(), "name": nearest.name },
                    "distance_m": distance_m,
                    "tolerance_m": DEFAULT_TOLERANCE_M,
                }))
                .into()),
            // Not for a point that parsed and the fixed tolerance.
            Err(PlaceError::Invalid(_)) => Err(offline),
        }
    }

    /// The lookup from the stored configurations, built once per set of them.
    async fn built(&self) -> Option<Rc<Responsibilities>> {
        if let Some(built) = BUILT.with(|b| b.borrow().clone()) {
            return Some(built);
        }
        let configs = self.store().await.ok()?.configs().await.ok()?;
        let built = Rc::new(Responsibilities::from_configs(&configs).ok()?);
        BUILT.with(|b| *b.borrow_mut() = Some(built.clone()));
        Some(built)
    }
}
