//! On-device anonymization of report photos for Augenmerk.
//!
//! A photo goes through four pure steps, each usable on its own:
//! [`decode::decode`] (bytes → upright RGB image + GPS, with limits),
//! [`Anonymizer::detect`] (image → face and plate boxes, found at full
//! resolution with tiled passes), [`blur::blur_boxes`] (image + boxes →
//! irreversibly obscured image) and [`encode::encode_jpeg`] (image →
//! downscaled JPEG without any metadata). [`Anonymizer`] holds the loaded
//! models (load once, share between threads) and runs the whole pipeline.

pub mod blur;
pub mod cancel;
pub mod decode;
#[cfg(feature = "detect")]
pub mod detect;
#[cfg(feature = "detect")]
mod domain;
pub mod encode;
pub mod error;
pub mod eval;
pub mod geometry;
pub mod metadata;
#[cfg(feature = "detect")]
pub mod models;
#[cfg(feature = "detect")]
mod pipeline;

pub use crate::blur::BlurOptions;
pub use crate::cancel::Cancel;
pub use crate::decode::{DecodeLimits, DecodeOptions, DecodedImage, InputFormat};
pub use crate::encode::EncodeOptions;
pub use crate::error::{AnonError, Result};
pub use crate::geometry::{BBox, Detection};
pub use crate::metadata::GpsInfo;
#[cfg(feature = "detect")]
pub use crate::{
    detect::{DetectConfig, DetectTimings, Detections, Kind},
    models::default_models_dir,
    pipeline::{Anonymized, Anonymizer, BlurredBox, Options, StageTimings, reencode},
};
