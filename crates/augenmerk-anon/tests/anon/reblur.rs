//! After anonymization the detectors must not find the blurred faces and
//! plates again: the blur leaves nothing recognisable.

use augenmerk_anon::{DetectConfig, EncodeOptions, Options};

use crate::anonymizer;
use crate::synth::load_dev;

#[test]
fn blurred_faces_and_plates_are_not_found_again() {
    let dev = load_dev();
    let cfg = DetectConfig::default();
    // Keep the input size so that boxes compare directly.
    let opts = Options {
        encode: EncodeOptions {
            max_long_edge: 100_000,
            quality: 90,
        },
        ..Default::default()
    };
    let mut checked = 0;
    for p in dev.iter().step_by(4) {
        let mut png = std::io::Cursor::new(Vec::new());
        p.image.write_to(&mut png, image::ImageFormat::Png).expect("encode");
        let done = anonymizer().anonymize(png.get_ref(), &[], &opts).expect("anonymize");
        let out = image::load_from_memory(&done.jpeg).expect("decode output").to_rgb8();
        assert_eq!(out.dimensions(), p.image.dimensions());
        let again = anonymizer().detect(&out, &cfg).expect("detect");
        let blurred: Vec<_> = done.blurred.iter().map(|b| b.bbox).collect();
        for truth in p.entry.faces.iter().chain(&p.entry.plates) {
            // Only boxes the pipeline obscured: misses are the recall test's job.
            if !blurred
                .iter()
                .any(|b| b.iou(truth) >= 0.3 || b.containment(truth) > 0.9)
            {
                continue;
            }
            checked += 1;
            for d in again.faces.iter().chain(&again.plates) {
                assert!(
                    d.bbox.iou(truth) < 0.3,
                    "{}: blurred object {truth:?} found again as {d:?}",
                    p.entry.file
                );
            }
        }
    }
    assert!(checked >= 20, "only {checked} blurred objects checked");
}
