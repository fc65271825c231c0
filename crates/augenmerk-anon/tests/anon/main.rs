//! Integration tests of augenmerk-anon: recall on the development photos and
//! on 12-megapixel mosaics, metadata stripping and orientation, bad input,
//! re-detection on blurred output, and boxes obscured up to their edges in
//! the shrunk upload. Tests that run models need
//! `models/fetch.sh` to have run and fail with that hint when it has not.

mod bad_input;
mod exif_build;
mod metadata;
mod obscured;
mod reblur;
mod recall;
mod synth;

use std::sync::OnceLock;

use augenmerk_anon::Anonymizer;

/// One anonymizer for all tests: model plans are built once per shape.
pub fn anonymizer() -> &'static Anonymizer {
    static ANON: OnceLock<Anonymizer> = OnceLock::new();
    ANON.get_or_init(|| {
        let dir = synth::require_models();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Anonymizer::load(&dir, threads).unwrap_or_else(|e| panic!("{e}"))
    })
}
