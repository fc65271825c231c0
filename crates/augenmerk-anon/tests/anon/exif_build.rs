//! Hand-built EXIF blocks (little-endian TIFF) and JPEGs that carry them, for
//! the orientation, GPS and corrupt-metadata tests.

use image::RgbImage;
use img_parts::jpeg::Jpeg;
use img_parts::{Bytes, ImageEXIF};

const BYTE: u16 = 1;
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    data: Vec<u8>,
}

fn rationals(values: &[(u32, u32)]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|(n, d)| [n.to_le_bytes(), d.to_le_bytes()].concat())
        .collect()
}

/// Writes one IFD at `offset`; values over 4 bytes go right after it.
fn ifd(entries: &[Entry], offset: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut extra = Vec::new();
    let data_start = offset + 2 + 12 * entries.len() as u32 + 4;
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for e in entries {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.kind.to_le_bytes());
        out.extend_from_slice(&e.count.to_le_bytes());
        if e.data.len() <= 4 {
            let mut v = e.data.clone();
            v.resize(4, 0);
            out.extend_from_slice(&v);
        } else {
            out.extend_from_slice(&(data_start + extra.len() as u32).to_le_bytes());
            extra.extend_from_slice(&e.data);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&extra);
    out
}

/// GPS test position: 52°31'12.5" N, 13°24'36" W, 34.5 m, ±4 m, 2026-05-17 10:20:30 UTC.
pub const GPS_LAT: f64 = 52.0 + 31.0 / 60.0 + 12.5 / 3600.0;
/// Longitude of the test position (west, so negative).
pub const GPS_LON: f64 = -(13.0 + 24.0 / 60.0 + 36.0 / 3600.0);

/// A TIFF block with an orientation and, optionally, a GPS IFD.
pub fn exif_tiff(orientation: u16, with_gps: bool) -> Vec<u8> {
    let mut ifd0 = vec![Entry {
        tag: 0x0112,
        kind: SHORT,
        count: 1,
        data: orientation.to_le_bytes().to_vec(),
    }];
    if with_gps {
        ifd0.push(Entry {
            tag: 0x8825,
            kind: LONG,
            count: 1,
            data: vec![0; 4],
        });
    }
    let ifd0_len = ifd(&ifd0, 8).len() as u32;
    let gps_offset = 8 + ifd0_len;
    if with_gps {
        ifd0[1].data = gps_offset.to_le_bytes().to_vec();
    }
    let mut tiff = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    tiff.extend(ifd(&ifd0, 8));
    if with_gps {
        let gps = vec![
            Entry {
                tag: 0x0000,
                kind: BYTE,
                count: 4,
                data: vec![2, 3, 0, 0],
            },
            Entry {
                tag: 0x0001,
                kind: ASCII,
                count: 2,
                data: b"N\0".to_vec(),
            },
            Entry {
                tag: 0x0002,
                kind: RATIONAL,
                count: 3,
                data: rationals(&[(52, 1), (31, 1), (125, 10)]),
            },
            Entry {
                tag: 0x0003,
                kind: ASCII,
                count: 2,
                data: b"W\0".to_vec(),
            },
            Entry {
                tag: 0x0004,
                kind: RATIONAL,
                count: 3,
                data: rationals(&[(13, 1), (24, 1), (36, 1)]),
            },
            Entry {
                tag: 0x0005,
                kind: BYTE,
                count: 1,
                data: vec![0],
            },
            Entry {
                tag: 0x0006,
                kind: RATIONAL,
                count: 1,
                data: rationals(&[(345, 10)]),
            },
            Entry {
                tag: 0x0007,
                kind: RATIONAL,
                count: 3,
                data: rationals(&[(10, 1), (20, 1), (30, 1)]),
            },
            Entry {
                tag: 0x001D,
                kind: ASCII,
                count: 11,
                data: b"2026:05:17\0".to_vec(),
            },
            Entry {
                tag: 0x001F,
                kind: RATIONAL,
                count: 1,
                data: rationals(&[(4, 1)]),
            },
        ];
        tiff.extend(ifd(&gps, gps_offset));
    }
    tiff
}

/// Encodes `image` as JPEG and inserts `tiff` as its EXIF (APP1) block.
pub fn jpeg_with_exif(image: &RgbImage, tiff: Vec<u8>) -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 95)
        .encode_image(image)
        .expect("encode test JPEG");
    let mut jpeg = Jpeg::from_bytes(Bytes::from(plain)).expect("parse test JPEG");
    jpeg.set_exif(Some(Bytes::from(tiff)));
    jpeg.encoder().bytes().to_vec()
}
