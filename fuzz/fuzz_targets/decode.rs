//! Fuzzes the untrusted-input path: format sniffing, decoding under limits,
//! EXIF parsing (orientation and GPS) and orientation. Any panic, overflow or
//! allocation beyond libFuzzer's limit is a bug; errors are fine.
#![no_main]

use augenmerk_anon::decode::{DecodeLimits, DecodeOptions, decode};
use augenmerk_anon::metadata::read_exif;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Smaller limits than the app's keep each run fast; the code paths are
    // the same.
    let options = DecodeOptions {
        limits: DecodeLimits { max_side: 4096, max_megapixels: 4, max_alloc: 64 * 1024 * 1024 },
        lenient_exif: data.first().is_some_and(|b| b & 1 == 1),
    };
    let _ = decode(data, &options);
    let _ = read_exif(data, false);
});
