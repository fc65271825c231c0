//! Turning untrusted bytes into an upright RGB image: format sniffing, decoding
//! with limits on dimensions and memory, EXIF orientation and GPS. Only JPEG,
//! PNG and WebP are decoded; every other format gets an error that names it.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::{AnonError, Result};
use crate::metadata::{GpsInfo, read_exif};

/// The formats we decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// PNG.
    Png,
    /// WebP (lossy or lossless).
    Webp,
}

impl InputFormat {
    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Jpeg => "JPEG",
            InputFormat::Png => "PNG",
            InputFormat::Webp => "WebP",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            InputFormat::Jpeg => ImageFormat::Jpeg,
            InputFormat::Png => ImageFormat::Png,
            InputFormat::Webp => ImageFormat::WebP,
        }
    }
}

/// Limits that keep a hostile or absurd file from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeLimits {
    /// Longest side accepted, in pixels.
    pub max_side: u32,
    /// Most pixels accepted, in millions.
    pub max_megapixels: u32,
    /// Most bytes the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        // 50 MP covers today's phone sensors (up to 8192 × 6144); RGB8 of
        // that is 150 MB, within the 256 MiB allocation cap.
        DecodeLimits {
            max_side: 12_000,
            max_megapixels: 50,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// Options for [`decode`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DecodeOptions {
    /// Size and memory limits.
    pub limits: DecodeLimits,
    /// Treat a corrupt EXIF block as absent instead of failing.
    pub lenient_exif: bool,
}

/// An upright RGB image with what its metadata told us.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    /// Pixels, already rotated/flipped by the EXIF orientation.
    pub image: RgbImage,
    /// The container format.
    pub format: InputFormat,
    /// The EXIF orientation that was applied (1 = none).
    pub orientation: u8,
    /// GPS position from EXIF, if any.
    pub gps: Option<GpsInfo>,
}

/// Recognises the container from its first bytes; names formats we refuse.
pub fn sniff_format(bytes: &[u8]) -> Result<InputFormat> {
    if bytes.is_empty() {
        return Err(AnonError::Empty);
    }
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(InputFormat::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(InputFormat::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(InputFormat::Webp);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Err(AnonError::UnsupportedFormat(match &bytes[8..12] {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => "HEIC/HEIF",
            b"crx " => "Canon CR3 raw",
            _ => "ISO-BMFF (MP4/MOV/HEIF family)",
        }));
    }
    let other = if starts(b"GIF87a") || starts(b"GIF89a") {
        "GIF"
    } else if starts(b"BM") {
        "BMP"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "TIFF (or camera raw)"
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0CJXL \r\n\x87\n") {
        "JPEG XL"
    } else if starts(b"8BPS") {
        "Photoshop PSD"
    } else if starts(b"%PDF") {
        "PDF"
    } else if starts(b"qoif") {
        "QOI"
    } else if starts(&[0, 0, 1, 0]) {
        "ICO"
    } else {
        return Err(AnonError::UnknownFormat);
    };
    Err(AnonError::UnsupportedFormat(other))
}

/// Decodes untrusted bytes into an upright RGB image plus its GPS data.
///
/// Dimensions are checked from the header before any pixel buffer is
/// allocated, and the decoder runs under an allocation limit.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<DecodedImage> {
    let format = sniff_format(bytes)?;
    let err = |source| AnonError::Decode {
        format: format.name(),
        source,
    };
    if format == InputFormat::Jpeg && !jpeg_is_complete(bytes) {
        // The JPEG decoder fills a cut-off scan with grey instead of failing;
        // a half photo must not pass as a whole one.
        return Err(AnonError::Truncated(format.name()));
    }

    let lim = options.limits;
    let mut limits = Limits::default();
    limits.max_image_width = Some(lim.max_side);
    limits.max_image_height = Some(lim.max_side);
    limits.max_alloc = Some(lim.max_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| match (e, png_dimensions(bytes)) {
        // The PNG decoder checks the header against the limits itself.
        (image::ImageError::Limits(_), Some((width, height))) => AnonError::TooLarge {
            width,
            height,
            max_side: lim.max_side,
            max_megapixels: lim.max_megapixels,
        },
        (other, _) => err(other),
    })?;
    let (width, height) = decoder.dimensions();
    let too_large = || AnonError::TooLarge {
        width,
        height,
        max_side: lim.max_side,
        max_megapixels: lim.max_megapixels,
    };
    if width > lim.max_side
        || height > lim.max_side
        || u64::from(width) * u64::from(height) > u64::from(lim.max_megapixels) * 1_000_000
    {
        return Err(too_large());
    }
    if width == 0 || height == 0 {
        return Err(AnonError::Decode {
            format: format.name(),
            source: image::ImageError::Limits(image::error::LimitError::from_kind(
                image::error::LimitErrorKind::DimensionError,
            )),
        });
    }
    let dynamic = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(),
        other => err(other),
    })?;

    // EXIF after the pixels: a truncated file is reported as a decode error,
    // not as bad metadata.
    let exif = read_exif(bytes, options.lenient_exif)?;
    let image = orient(dynamic.into_rgb8(), exif.orientation);
    Ok(DecodedImage {
        image,
        format,
        orientation: exif.orientation,
        gps: exif.gps,
    })
}

/// Width and height from a PNG's IHDR chunk, for the error message.
fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((be(16), be(20)))
}

/// True when the JPEG's segments are intact up to the first scan and an
/// end-of-image marker follows it. Inside entropy-coded data a 0xFF byte is
/// always stuffed (0xFF00) or a restart/next marker, so 0xFFD9 there is the
/// real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            // Fill byte before a marker.
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if len < 2 {
            return false;
        }
        let end = i + 2 + len;
        if marker == 0xDA {
            return end <= bytes.len() && bytes[end..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        i = end;
    }
    false
}

/// Applies an EXIF orientation (1–8) to the pixels; other values are ignored.
pub fn orient(image: RgbImage, orientation: u8) -> RgbImage {
    match Orientation::from_exif(orientation) {
        Some(Orientation::NoTransforms) | None => image,
        Some(o) => {
            let mut d = DynamicImage::ImageRgb8(image);
            d.apply_orientation(o);
            d.into_rgb8()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_names_refused_formats() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert!(matches!(
            sniff_format(heic),
            Err(AnonError::UnsupportedFormat("HEIC/HEIF"))
        ));
        assert!(matches!(
            sniff_format(b"GIF89a...."),
            Err(AnonError::UnsupportedFormat("GIF"))
        ));
        assert!(matches!(sniff_format(b""), Err(AnonError::Empty)));
        assert!(matches!(sniff_format(b"hello world"), Err(AnonError::UnknownFormat)));
    }

    #[test]
    fn jpeg_completeness_needs_an_end_marker_after_the_scan() {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&RgbImage::new(16, 16))
            .expect("encode");
        assert!(jpeg_is_complete(&jpeg));
        assert!(!jpeg_is_complete(&jpeg[..jpeg.len() - 2]));
        assert!(!jpeg_is_complete(&jpeg[..40]));
    }

    #[test]
    fn heic_error_message_names_the_format() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let msg = decode(heic, &DecodeOptions::default()).err().map(|e| e.to_string());
        assert!(msg.is_some_and(|m| m.contains("HEIC")));
    }
}
