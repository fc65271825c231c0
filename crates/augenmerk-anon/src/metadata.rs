//! Reading the EXIF block of a photo: the orientation (which way is up) and
//! the GPS position. The position is handed to the caller as the report's
//! location suggestion; it never travels inside the output file, which carries
//! no metadata at all (see [`crate::encode`]).

use std::io::Cursor;

use exif::{In, Reader, Tag, Value};
use serde::Serialize;

use crate::error::{AnonError, Result};

/// GPS data from a photo's EXIF block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpsInfo {
    /// Latitude in degrees, north positive.
    pub latitude: f64,
    /// Longitude in degrees, east positive.
    pub longitude: f64,
    /// Altitude in metres above sea level, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub altitude: Option<f64>,
    /// Horizontal positioning error in metres, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// UTC time of the fix as `YYYY-MM-DDTHH:MM:SSZ`, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// What the EXIF block tells us.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExifInfo {
    /// EXIF orientation 1–8 (1 when absent or out of range).
    pub orientation: u8,
    /// GPS position, if the photo has a valid one.
    pub gps: Option<GpsInfo>,
}

/// Reads orientation and GPS from the container (`JPEG`, `PNG`, `WebP`).
///
/// A missing EXIF block is not an error. A block that exists but cannot be
/// parsed is an error unless `lenient`, because then the orientation of the
/// pixels is unknown; with `lenient` it is treated as absent.
pub fn read_exif(bytes: &[u8], lenient: bool) -> Result<ExifInfo> {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    let exif = match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return Ok(ExifInfo::default_upright()),
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, errors) = partial.into_inner();
            if !lenient {
                let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
                return Err(AnonError::CorruptExif(first));
            }
            exif
        }
        Err(e) if lenient => {
            let _ = e;
            return Ok(ExifInfo::default_upright());
        }
        Err(e) => return Err(AnonError::CorruptExif(e.to_string())),
    };
    let orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .map_or(1, |o| o as u8);
    Ok(ExifInfo {
        orientation,
        gps: gps_from(&exif),
    })
}

impl ExifInfo {
    fn default_upright() -> Self {
        ExifInfo {
            orientation: 1,
            gps: None,
        }
    }
}

fn rationals(exif: &exif::Exif, tag: Tag) -> Option<Vec<f64>> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => Some(v.iter().map(|r| r.to_f64()).collect()),
        Value::SRational(v) => Some(v.iter().map(|r| r.to_f64()).collect()),
        _ => None,
    }
}

fn ascii(exif: &exif::Exif, tag: Tag) -> Option<String> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(v) => v.first().map(|s| String::from_utf8_lossy(s).trim().to_owned()),
        _ => None,
    }
}

/// Degrees, minutes, seconds to decimal degrees; rejects NaN (0/0 rationals).
fn dms(v: &[f64]) -> Option<f64> {
    let deg = *v.first()?;
    let min = v.get(1).copied().unwrap_or(0.0);
    let sec = v.get(2).copied().unwrap_or(0.0);
    let d = deg + min / 60.0 + sec / 3600.0;
    d.is_finite().then_some(d)
}

fn gps_from(exif: &exif::Exif) -> Option<GpsInfo> {
    let mut lat = dms(&rationals(exif, Tag::GPSLatitude)?)?;
    let mut lon = dms(&rationals(exif, Tag::GPSLongitude)?)?;
    if ascii(exif, Tag::GPSLatitudeRef).is_some_and(|r| r.eq_ignore_ascii_case("S")) {
        lat = -lat;
    }
    if ascii(exif, Tag::GPSLongitudeRef).is_some_and(|r| r.eq_ignore_ascii_case("W")) {
        lon = -lon;
    }
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    let altitude = rationals(exif, Tag::GPSAltitude)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite())
        .map(|a| {
            let below = exif
                .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
                == Some(1);
            if below { -a } else { a }
        });
    let accuracy = rationals(exif, Tag::GPSHPositioningError)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite() && *a >= 0.0);
    let timestamp = gps_timestamp(exif);
    Some(GpsInfo {
        latitude: lat,
        longitude: lon,
        altitude,
        accuracy,
        timestamp,
    })
}

/// Combines GPSDateStamp (`YYYY:MM:DD`) and GPSTimeStamp (h, m, s rationals).
fn gps_timestamp(exif: &exif::Exif) -> Option<String> {
    let date = ascii(exif, Tag::GPSDateStamp)?;
    let parts: Vec<u32> = date
        .split([':', '-'])
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [y, mo, d] = parts[..] else { return None };
    let t = rationals(exif, Tag::GPSTimeStamp)?;
    let (h, mi, s) = (*t.first()?, *t.get(1)?, *t.get(2)?);
    let ok = (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && (0.0..24.0).contains(&h)
        && (0.0..60.0).contains(&mi)
        && (0.0..61.0).contains(&s);
    ok.then(|| {
        format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
            h as u32, mi as u32, s as u32
        )
    })
}
