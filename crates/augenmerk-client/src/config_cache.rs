//! The cached public configuration of the municipalities: categories and questions for
//! guided intake offline, and their boundaries for finding the municipality of a place.
//!
//! A municipality here is an administration: an amtsfreie Gemeinde or Stadt, or an Amt
//! whose configuration lists its Gemeinden, each with its boundary. Administrations not
//! on the platform whose reports are mailed to them are cached alike.

use std::sync::{Arc, Mutex};

use rusqlite::{OptionalExtension, params};

use augenmerk_domain::public::{Delivery, MunicipalityConfig, MunicipalityInfo};
use augenmerk_domain::{Ags, GeoPoint};
use augenmerk_geo::{Boundaries, ConfigBoundaryError, PlaceError, Placed};

use crate::error::{ClientError, Result};
use crate::model::{CachedMunicipality, Located};
use crate::retry::with_retry;
use crate::{Client, time};

/// The server's tolerance around a boundary (GPS noise, a report from the shore).
pub const TOLERANCE_M: f64 = augenmerk_geo::DEFAULT_TOLERANCE_M;

/// Boundaries built from the cached configurations, rebuilt when they change.
#[derive(Default)]
pub struct BoundaryCache {
    built: Mutex<Option<(String, Arc<Boundaries>)>>,
}

impl Client {
    /// The cached municipalities (fetched by [`Client::sync`] or [`Client::refresh_configuration`]).
    pub fn municipalities(&self) -> Result<Vec<CachedMunicipality>> {
        self.db(|c| {
            let mut stmt = c.prepare("SELECT config FROM municipalities ORDER BY name")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for row in rows {
                let config: MunicipalityConfig = match serde_json::from_str(&row?) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "ignoring an unreadable cached configuration");
                        continue;
                    }
                };
                out.push(CachedMunicipality {
                    ags: config.ags.clone(),
                    name: config.name.clone(),
                    config,
                });
            }
            Ok(out)
        })
    }

    /// The cached configuration of one municipality.
    pub fn municipality(&self, ags: &Ags) -> Result<MunicipalityConfig> {
        let json: Option<String> = self.db(|c| {
            Ok(c.query_row(
                "SELECT config FROM municipalities WHERE ags = ?1",
                [ags.as_str()],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        let json = json.ok_or_else(|| ClientError::NotFound(format!("municipality {} (not cached)", ags.as_str())))?;
        serde_json::from_str(&json).map_err(|e| ClientError::NotFound(format!("municipality {}: {e}", ags.as_str())))
    }

    /// Which cached administration takes reports at a place (inside one of its Gemeinden,
    /// or within 500 m), and the Gemeinde it lies in; near a border also the neighbours
    /// the citizen may choose instead.
    pub fn locate(&self, point: GeoPoint) -> Result<Located> {
        let boundaries = self.boundaries()?;
        let invalid = || {
            ClientError::Invalid(vec![augenmerk_domain::error::FieldError::new(
                "location",
                "out_of_range",
            )])
        };
        let point = point.validated().map_err(|_| invalid())?;
        let candidates = augenmerk_geo::candidates(&boundaries, point, TOLERANCE_M).map_err(|e| match e {
            PlaceError::Outside { nearest, distance_m } => ClientError::OutsideMunicipalities {
                nearest: nearest.name,
                distance_m,
            },
            PlaceError::Invalid(_) => invalid(),
        })?;
        let mut candidates = candidates.into_iter();
        let first = candidates.next().ok_or_else(invalid)?;
        let mut located = self.located(first)?;
        // Only administrations that take reports are cached (see refresh_configuration).
        located.alternatives = candidates
            .filter_map(|p| self.located(p).ok())
            .filter(|l| l.config.delivery != Delivery::Refused)
            .collect();
        Ok(located)
    }

    /// A Gemeinde with its administration's cached configuration.
    fn located(&self, placed: Placed) -> Result<Located> {
        // A Gemeinde of an administration carries the administration's key.
        let Placed {
            administration,
            gemeinde,
            distance_m,
        } = placed;
        let config = self.municipality(&administration)?;
        Ok(Located {
            ags: administration,
            name: config.name.clone(),
            config,
            gemeinde: gemeinde.ags,
            gemeinde_name: gemeinde.name,
            distance_m,
            alternatives: Vec::new(),
        })
    }

    /// The boundaries of the cached administrations' Gemeinden (built as the web page
    /// builds them: [`augenmerk_geo::boundaries_from_configs`]), kept until a cached
    /// configuration changes.
    fn boundaries(&self) -> Result<Arc<Boundaries>> {
        // The versions of all cached configurations identify the boundary set.
        let key: String = self.db(|c| {
            Ok(c.query_row(
                "SELECT coalesce(group_concat(ags || ':' || version, ','), '') FROM (SELECT ags, version FROM municipalities ORDER BY ags)",
                [],
                |r| r.get(0),
            )?)
        })?;
        if key.is_empty() {
            return Err(ClientError::NoConfiguration);
        }
        let mut built = self.boundaries.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, b)) = built.as_ref()
            && *k == key
        {
            return Ok(b.clone());
        }
        let municipalities = self.municipalities()?;
        let boundaries = match augenmerk_geo::boundaries_from_configs(municipalities.iter().map(|m| &m.config)) {
            Ok(b) => Arc::new(b),
            Err(ConfigBoundaryError::NoBoundaries) => return Err(ClientError::NoConfiguration),
            Err(e) => {
                return Err(ClientError::Server(format!(
                    "the server sent an unusable boundary: {e}"
                )));
            }
        };
        *built = Some((key, boundaries.clone()));
        Ok(boundaries)
    }

    /// The municipalities whose staff log in on this server, by name, for the login form:
    /// the server's list, or, when it cannot be reached, the cached configurations of the
    /// administrations that work their reports here (those mailed to others have no staff).
    pub async fn staff_municipalities(&self) -> Result<Vec<MunicipalityInfo>> {
        // One attempt: the worker is waiting at the form, and the cache is a fine answer.
        let online = match self.api() {
            Ok(api) => api.municipalities().await.map_err(ClientError::from),
            Err(e) => Err(e),
        };
        let mut list = match online {
            Ok(list) => list,
            Err(e) => {
                tracing::info!(error = %e, "municipalities from the cache");
                self.municipalities()?
                    .into_iter()
                    .map(|m| MunicipalityInfo {
                        config_version: Some(m.config.version.clone()),
                        delivery: m.config.delivery.clone(),
                        ags: m.ags,
                        name: m.name,
                        active: true,
                    })
                    .collect()
            }
        };
        list.retain(|m| m.active && m.delivery == Delivery::Platform);
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    /// Fetches the configurations that changed since they were cached; returns how many.
    pub async fn refresh_configuration(&self) -> Result<usize> {
        let api = self.api()?;
        let policy = &self.options.retry;
        let list = with_retry(policy, || api.municipalities()).await?;
        let cached: Vec<(String, String)> = self.db(|c| {
            let mut stmt = c.prepare("SELECT ags, version FROM municipalities")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut fetched = 0;
        // Administrations that take reports: on the platform, or by mail (in the platform's
        // directory); a device reports there offline too.
        for info in list.iter().filter(|m| m.active) {
            let current = cached.iter().find(|(a, _)| a == info.ags.as_str()).map(|(_, v)| v);
            if current.is_some() && current == info.config_version.as_ref() {
                continue;
            }
            let config = with_retry(policy, || api.municipality_config(&info.ags)).await?;
            let json = serde_json::to_string(&config).map_err(|e| ClientError::Server(e.to_string()))?;
            self.db(|c| {
                c.execute(
                    "INSERT INTO municipalities (ags, name, version, config, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (ags) DO UPDATE SET name = excluded.name, version = excluded.version,
                         config = excluded.config, fetched_at = excluded.fetched_at",
                    params![
                        config.ags.as_str(),
                        config.name,
                        config.version,
                        json,
                        time::ts(&time::now())
                    ],
                )?;
                Ok(())
            })?;
            fetched += 1;
        }
        // A municipality the server no longer serves is dropped from the cache; reports
        // already queued for it stay and are answered by the server.
        let served: Vec<&str> = list.iter().filter(|m| m.active).map(|m| m.ags.as_str()).collect();
        self.db(|c| {
            let mut stmt = c.prepare("SELECT ags FROM municipalities")?;
            let all: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            for ags in all.iter().filter(|a| !served.contains(&a.as_str())) {
                c.execute("DELETE FROM municipalities WHERE ags = ?1", [ags])?;
            }
            Ok(())
        })?;
        Ok(fetched)
    }
}
