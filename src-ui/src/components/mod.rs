//! Pieces several pages use.

pub mod answers;
pub mod errors;
pub mod photo;
pub mod status;
