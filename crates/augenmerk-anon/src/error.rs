//! The one error type of the library. Messages say what went wrong in words a
//! user or an app developer can act on; the CLI adds the file name.

use std::path::PathBuf;

/// Everything that can go wrong while anonymizing a photo.
#[derive(Debug, thiserror::Error)]
pub enum AnonError {
    /// The input has no bytes at all.
    #[error("the file is empty: no image to anonymize")]
    Empty,
    /// A known image format that this library does not decode.
    #[error("unsupported image format {0}: convert the photo to JPEG, PNG or WebP first")]
    UnsupportedFormat(&'static str),
    /// Bytes that are no image format we know of.
    #[error("not an image: the data is neither JPEG, PNG nor WebP")]
    UnknownFormat,
    /// The header announces more pixels than the limits allow.
    #[error("image of {width}×{height} pixels exceeds the limit ({max_side} per side, {max_megapixels} megapixels)")]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Longest side allowed.
        max_side: u32,
        /// Pixel count allowed, in millions.
        max_megapixels: u32,
    },
    /// The decoder rejected the data (truncated, corrupt, or over the memory limit).
    #[error("could not decode the {format} image (truncated or corrupt?): {source}")]
    Decode {
        /// The format we tried.
        format: &'static str,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },
    /// The file ends before the image data does.
    #[error("the {0} file is truncated (incomplete download or copy?): its image data ends early")]
    Truncated(&'static str),
    /// The EXIF block exists but cannot be parsed, so its orientation is unknown.
    #[error(
        "the photo's EXIF metadata is corrupt ({0}); its orientation is unknown (use the lenient EXIF option to ignore it)"
    )]
    CorruptExif(String),
    /// A model file is not where it should be.
    #[error("model file {} not found: run models/fetch.sh (or set AUGENMERK_MODELS to the folder that holds the models)", .0.display())]
    ModelMissing(PathBuf),
    /// A model file exists but tract cannot load or plan it.
    #[error("could not load model {}: {message}", .path.display())]
    ModelLoad {
        /// Model file.
        path: PathBuf,
        /// tract's explanation.
        message: String,
    },
    /// Running a model failed.
    #[error("inference with {model} failed: {message}")]
    Inference {
        /// Model name.
        model: &'static str,
        /// tract's explanation.
        message: String,
    },
    /// A caller-supplied box is not a finite box with positive area.
    #[error("invalid box {0:?}: expected x1 < x2 and y1 < y2, all finite")]
    InvalidBox([f32; 4]),
    /// A configuration value is out of range.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// An annotation file for evaluation is missing or malformed.
    #[error("evaluation data: {0}")]
    Dataset(String),
    /// JPEG encoding failed.
    #[error("could not encode the JPEG: {0}")]
    Encode(#[source] image::ImageError),
    /// The run passed its deadline or was called off ([`crate::Cancel`]).
    #[error("anonymization was stopped: it ran out of time or was cancelled")]
    Cancelled,
}

/// Result alias of this crate.
pub type Result<T, E = AnonError> = std::result::Result<T, E>;
