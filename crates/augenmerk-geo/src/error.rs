//! Errors of this crate: invalid input points and rejected GeoJSON imports.
//!
//! An import is all or nothing: a feature without its key property or with a
//! geometry other than Polygon/MultiPolygon rejects the whole import, naming the
//! feature, because a silently skipped municipality would misroute reports.

use thiserror::Error;

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum GeoError {
    /// A coordinate is NaN/infinite, or latitude/longitude lies outside ±90°/±180°.
    #[error("invalid coordinate (lat {lat}, lon {lon}): latitude must lie within ±90° and longitude within ±180°")]
    InvalidCoordinate {
        /// The latitude given.
        lat: f64,
        /// The longitude given.
        lon: f64,
    },
    /// The tolerance passed to a lookup is negative, NaN or infinite.
    #[error("invalid tolerance {tolerance_m} m: pass a finite distance of 0 m or more")]
    InvalidTolerance {
        /// The tolerance given, in metres.
        tolerance_m: f64,
    },
    /// The text is not GeoJSON, or not the kind of GeoJSON object expected.
    #[error("invalid GeoJSON: {message}")]
    InvalidGeoJson {
        /// What the parser or this crate objected to.
        message: String,
    },
    /// The FeatureCollection has no features.
    #[error("the FeatureCollection has no features: import at least one polygon")]
    NoFeatures,
    /// One feature of an imported FeatureCollection is unusable.
    #[error("feature #{index} (counting from 0): {problem}")]
    InvalidFeature {
        /// Position of the feature in the collection, from 0.
        index: usize,
        /// What is wrong with it.
        problem: FeatureProblem,
    },
    /// An area added with [`crate::Areas::insert`] or [`crate::Areas::from_features`] is unusable.
    #[error("area {id:?}: {problem}")]
    InvalidArea {
        /// The id of the area.
        id: String,
        /// What is wrong with it.
        problem: FeatureProblem,
    },
    /// A municipality given to [`crate::Boundaries::from_municipalities`] is unusable.
    #[error("municipality {ags}: {problem}")]
    InvalidMunicipality {
        /// The key of the municipality.
        ags: String,
        /// What is wrong with it.
        problem: FeatureProblem,
    },
}

/// What is wrong with one imported feature or area.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FeatureProblem {
    /// A required property is missing or null.
    #[error("property {0:?} is missing or null")]
    MissingProperty(String),
    /// A property has the wrong JSON type.
    #[error("property {key:?} must be {expected}, found {found}")]
    WrongPropertyType {
        /// The property name.
        key: String,
        /// What was expected.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A property is present but its value is unusable.
    #[error("property {key:?}: {message}")]
    InvalidProperty {
        /// The property name.
        key: String,
        /// Why the value was rejected.
        message: String,
    },
    /// Two features share the same key.
    #[error("key {0:?} occurs more than once; keys must be unique")]
    DuplicateKey(String),
    /// The feature has no geometry.
    #[error("the feature has no geometry")]
    MissingGeometry,
    /// The geometry is not a Polygon or MultiPolygon.
    #[error("geometry type {0} is not supported: use Polygon or MultiPolygon")]
    UnsupportedGeometry(String),
    /// The geometry has no polygon or a polygon without rings.
    #[error("the geometry is empty")]
    EmptyGeometry,
    /// A polygon ring has fewer than four positions.
    #[error("a polygon ring has {0} positions, but needs at least 4 (closed)")]
    RingTooShort(usize),
    /// A position has fewer than two ordinates.
    #[error("a position has {0} ordinate(s), but needs longitude and latitude")]
    PositionTooShort(usize),
    /// A position is not a WGS84 longitude/latitude pair.
    #[error("position [{x}, {y}] is not a WGS84 [longitude, latitude]: is the data in EPSG:4326?")]
    NotWgs84 {
        /// First ordinate (longitude).
        x: f64,
        /// Second ordinate (latitude).
        y: f64,
    },
    /// The geometry text is not a GeoJSON geometry.
    #[error("not a GeoJSON geometry: {0}")]
    Unparsable(String),
}
