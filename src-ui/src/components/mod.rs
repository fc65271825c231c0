//! Pieces several pages use.

pub mod errors;
pub mod photo;
pub mod status;
