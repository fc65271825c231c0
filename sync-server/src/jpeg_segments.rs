//! Rewriting a JPEG to the segments a decoder needs, byte for byte, without re-encoding.
//!
//! Re-encoding a photo the device already encoded would cost quality, so a JPEG upload
//! is walked segment by segment instead: quantisation and Huffman tables, frame and
//! scan headers, restart intervals and the entropy-coded data are copied unchanged;
//! every application segment (EXIF, XMP, IPTC, ICC, thumbnails, anything private) and
//! every comment is dropped, wherever it stands (also between the scans of a
//! progressive JPEG), and so is anything after the end-of-image marker. The only
//! application segments kept are those of a fixed size that tell decoders how to read
//! the pixels and can carry nothing else: a JFIF APP0 without thumbnail (14 bytes:
//! version and pixel density) and an Adobe APP14 (12 bytes: the colour transform). So
//! an ordinary encoder's output is kept byte for byte.
//!
//! Pure: bytes in, bytes out. The caller decodes the result to prove it is an image.

/// Why the bytes are not a JPEG we can rewrite.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    /// The file does not start with SOI.
    #[error("not a JPEG (no start-of-image marker)")]
    NotJpeg,
    /// A segment runs past the end, or the file ends before the end-of-image marker.
    #[error("the JPEG is truncated")]
    Truncated,
    /// Bytes where a marker must be.
    #[error("the JPEG's segment structure is broken at byte {0}")]
    Broken(usize),
    /// No frame or no scan: nothing to decode.
    #[error("the JPEG has no image data")]
    NoImage,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const COM: u8 = 0xFE;
const APP0: u8 = 0xE0;
const APP14: u8 = 0xEE;

fn is_app(marker: u8) -> bool {
    (0xE0..=0xEF).contains(&marker)
}

/// Markers that stand alone (no length): restarts and TEM.
fn is_standalone(marker: u8) -> bool {
    (0xD0..=0xD7).contains(&marker) || marker == 0x01
}

/// Start-of-frame markers (all coding processes), not DHT (C4), JPG (C8) or DAC (CC).
fn is_frame(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// An Adobe APP14 segment's payload: "Adobe", version, two flag words, transform.
fn is_plain_adobe(contents: &[u8]) -> bool {
    contents.len() == 12 && contents.starts_with(b"Adobe")
}

/// A JFIF APP0 payload without thumbnail: "JFIF\0", version, units, densities, 0 × 0.
fn is_plain_jfif(contents: &[u8]) -> bool {
    contents.len() == 14 && contents.starts_with(b"JFIF\0") && contents[12..] == [0, 0]
}

/// Whether a segment stays: everything but application segments and comments, and of
/// those only the fixed-size ones decoders need.
fn keeps(marker: u8, contents: &[u8]) -> bool {
    match marker {
        COM => false,
        APP0 => is_plain_jfif(contents),
        APP14 => is_plain_adobe(contents),
        m => !is_app(m),
    }
}

/// The JPEG reduced to what a decoder needs, and whether anything was removed.
pub fn strip(bytes: &[u8]) -> Result<(Vec<u8>, bool), SegmentError> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != SOI {
        return Err(SegmentError::NotJpeg);
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let (mut frame, mut scan) = (false, false);
    let mut i = 2;
    loop {
        // A marker: 0xFF, optional fill bytes 0xFF, the marker code.
        if i >= bytes.len() {
            return Err(SegmentError::Truncated);
        }
        if bytes[i] != 0xFF {
            return Err(SegmentError::Broken(i));
        }
        while i < bytes.len() && bytes[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = bytes.get(i) else {
            return Err(SegmentError::Truncated);
        };
        i += 1;
        if marker == EOI {
            out.extend_from_slice(&[0xFF, EOI]);
            break;
        }
        if marker == 0x00 || marker == SOI {
            return Err(SegmentError::Broken(i - 1));
        }
        if is_standalone(marker) {
            out.extend_from_slice(&[0xFF, marker]);
            continue;
        }
        let len_bytes = bytes.get(i..i + 2).ok_or(SegmentError::Truncated)?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 {
            return Err(SegmentError::Broken(i));
        }
        let end = i + len;
        let contents = bytes.get(i + 2..end).ok_or(SegmentError::Truncated)?;
        if keeps(marker, contents) {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&bytes[i..end]);
        }
        frame |= is_frame(marker);
        i = end;
        if marker == SOS {
            scan = true;
            // Entropy-coded data up to the next marker: a 0xFF there is always followed
            // by a stuffed 0x00 or a restart marker, which belong to the data.
            let start = i;
            while i + 1 < bytes.len() {
                if bytes[i] == 0xFF && bytes[i + 1] != 0x00 && !(0xD0..=0xD7).contains(&bytes[i + 1]) {
                    break;
                }
                i += 1;
            }
            if i + 1 >= bytes.len() {
                return Err(SegmentError::Truncated);
            }
            out.extend_from_slice(&bytes[start..i]);
        }
    }
    if !frame || !scan {
        return Err(SegmentError::NoImage);
    }
    let removed = out.len() != bytes.len();
    Ok((out, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 15, 99]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .expect("encode");
        out
    }

    fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(contents.len() + 2).expect("short").to_be_bytes());
        s.extend_from_slice(contents);
        s
    }

    fn markers(bytes: &[u8]) -> Vec<u8> {
        let (mut out, mut i) = (Vec::new(), 2);
        while i + 4 <= bytes.len() && bytes[i] == 0xFF {
            let m = bytes[i + 1];
            out.push(m);
            if m == SOS {
                break;
            }
            i += 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        }
        out
    }

    #[test]
    fn application_segments_comments_and_trailing_bytes_go_and_the_pixels_stay() {
        let clean = jpeg();
        let (plain, _) = strip(&clean).expect("plain");
        let mut dirty = clean[..2].to_vec();
        dirty.extend(segment(0xE1, b"Exif\0\0secret gps"));
        dirty.extend(segment(COM, b"private comment"));
        dirty.extend(segment(0xE9, &[7u8; 3000]));
        dirty.extend_from_slice(&clean[2..]);
        dirty.extend_from_slice(&[42u8; 5000]); // after EOI
        let (stripped, removed) = strip(&dirty).expect("stripped");
        assert!(removed);
        assert_eq!(stripped, plain);
        assert_eq!(markers(&stripped)[0], APP0, "the encoder's plain JFIF header stays");
        assert!(
            !markers(&stripped)
                .iter()
                .any(|m| (is_app(*m) && *m != APP0) || *m == COM)
        );
        let a = image::load_from_memory(&stripped).expect("decodes").to_rgb8();
        let b = image::load_from_memory(&clean).expect("decodes").to_rgb8();
        assert_eq!(a, b, "pixels unchanged");
    }

    #[test]
    fn an_ordinary_jpeg_is_kept_byte_for_byte() {
        let clean = jpeg();
        assert_eq!(strip(&clean), Ok((clean, false)));
    }

    #[test]
    fn a_jfif_header_with_a_thumbnail_goes() {
        let clean = jpeg();
        let (plain, _) = strip(&clean).expect("plain");
        let mut thumb = b"JFIF\0\x01\x02\0\0\x01\0\x01\x02\x01".to_vec();
        thumb.extend([9u8; 6]); // 2 x 1 RGB thumbnail
        let mut with = plain[..2].to_vec();
        with.extend(segment(APP0, &thumb));
        with.extend_from_slice(&plain[2 + 18..]);
        let (out, removed) = strip(&with).expect("stripped");
        assert!(removed);
        assert!(!markers(&out).contains(&APP0));
    }

    #[test]
    fn adobe_app14_is_kept_only_in_its_plain_form() {
        let clean = jpeg();
        let (plain, _) = strip(&clean).expect("plain");
        let mut with = plain[..2].to_vec();
        with.extend(segment(APP14, b"Adobe\0\x64\0\0\0\0\x01"));
        with.extend_from_slice(&plain[2..]);
        assert_eq!(strip(&with).expect("kept").0, with);
        let mut padded = plain[..2].to_vec();
        padded.extend(segment(APP14, b"Adobe\0\x64\0\0\0\0\x01 and more payload"));
        padded.extend_from_slice(&plain[2..]);
        assert_eq!(strip(&padded).expect("dropped").0, plain);
    }

    #[test]
    fn broken_and_truncated_files_are_refused() {
        let clean = jpeg();
        assert_eq!(strip(b"\x89PNG\r\n\x1a\n"), Err(SegmentError::NotJpeg));
        assert_eq!(strip(&clean[..clean.len() - 2]), Err(SegmentError::Truncated));
        assert_eq!(strip(&clean[..30]), Err(SegmentError::Truncated));
        let mut no_scan = clean[..2].to_vec();
        no_scan.extend_from_slice(&[0xFF, EOI]);
        assert_eq!(strip(&no_scan), Err(SegmentError::NoImage));
    }
}
