//! Pieces several pages use.

pub mod answers;
pub mod confirm;
pub mod errors;
pub mod legal;
pub mod photo;
pub mod status;
pub mod thread;
