//! Integration tests of augenmerk-geo on the real Schleswig-Holstein and
//! Flensburg data in `data/geo/`, plus small synthetic collections for the
//! edge cases (overlaps, ties, holes, malformed input).

#![allow(clippy::unwrap_used)]

mod areas;
mod boundaries;
mod helpers;
mod import;
