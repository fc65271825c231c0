//! Offline geo lookups for Augenmerk, with no I/O and no platform code, so the
//! same answers come out of the sync server, the offline client and the UI (wasm).
//!
//! Two lookups, both built from GeoJSON text in WGS84 (EPSG:4326):
//!
//! - [`Boundaries`]: the municipalities (Gemeinden) of a region, keyed by their
//!   [`Ags`](augenmerk_domain::Ags). [`Boundaries::locate`] answers which municipality is responsible
//!   for a reported point: the one containing it, else the nearest one within a
//!   tolerance (boundary data leaves water out, e.g. harbours and the Förde),
//!   else "outside", naming the nearest municipality and its distance.
//! - [`Areas`]: named areas of a municipality (Stadtteile, districts, a park),
//!   keyed by an [`AreaId`](augenmerk_domain::AreaId), that delegation rules refer
//!   to ("area condition").
//! - [`Responsibilities`]: who takes reports at a point, from the municipalities'
//!   cached configurations, as the server answers it (the offline app and web page).
//!
//! Keys, points and boxes are the domain's types ([`augenmerk_domain::Ags`],
//! [`augenmerk_domain::AreaId`], [`GeoPoint`], [`BoundingBox`]), so that callers
//! never convert between two spellings of one concept; geometry is parsed once
//! into a [`Shape`].
//!
//! Key terms: a *point* is a [`GeoPoint`], checked by the lookups; *distance* is the great-circle
//! distance in metres on a sphere of geo's `Haversine` radius (GRS80 mean
//! radius), measured to the closest point of a polygon's boundary. Containment
//! is tested in the plane of longitude/latitude and includes the boundary.

mod alert_area;
mod areas;
mod boundaries;
mod error;
mod import;
mod index;
mod responsibility;
mod sphere;

pub use alert_area::alert_area_contains;
pub use areas::{Area, AreaKeys, AreaRef, Areas};
pub use augenmerk_domain::GeoPoint;
pub use augenmerk_domain::geo::BoundingBox;
pub use boundaries::{Boundaries, BoundaryKeys, DEFAULT_TOLERANCE_M, Location, Municipality, MunicipalityRef};
pub use error::{FeatureProblem, GeoError};
pub use index::Shape;
pub use responsibility::{
    ConfigBoundaryError, PlaceError, Placed, Responsibilities, boundaries_from_configs, candidates, place,
};
