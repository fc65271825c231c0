//! Recall (and, reported, precision) of the detectors at IoU ≥ 0.3: on the
//! annotated development photos, and on 4000×3000 mosaics of them where the
//! faces and plates are as small as in a real 12-megapixel phone photo.

use augenmerk_anon::DetectConfig;
use augenmerk_anon::eval::Score;

use crate::anonymizer;
use crate::synth::{load_dev, test_mosaics};

const IOU: f32 = 0.3;

fn report(label: &str, faces: &Score, plates: &Score) {
    eprintln!(
        "{label}: faces recall {:.3} ({}/{}) precision {:.3} ({}/{}); \
         plates recall {:.3} ({}/{}) precision {:.3} ({}/{})",
        faces.recall(),
        faces.found,
        faces.truths,
        faces.precision(),
        faces.correct,
        faces.detections,
        plates.recall(),
        plates.found,
        plates.truths,
        plates.precision(),
        plates.correct,
        plates.detections,
    );
}

#[test]
fn dev_set_recall_at_least_98_percent() {
    let dev = load_dev();
    let cfg = DetectConfig::default();
    let (mut faces, mut plates) = (Score::default(), Score::default());
    for p in &dev {
        let found = anonymizer().detect(&p.image, &cfg).expect("detect");
        let (f, pl) = (
            Score::of(&p.entry.faces, &found.faces, IOU),
            Score::of(&p.entry.plates, &found.plates, IOU),
        );
        if f.found < f.truths || pl.found < pl.truths {
            eprintln!(
                "missed in {}: faces {}/{}, plates {}/{}",
                p.entry.file, f.found, f.truths, pl.found, pl.truths
            );
        }
        faces.add(f);
        plates.add(pl);
    }
    report("dev set", &faces, &plates);
    assert!(faces.recall() >= 0.98, "face recall {:.3} < 0.98", faces.recall());
    assert!(plates.recall() >= 0.98, "plate recall {:.3} < 0.98", plates.recall());
}

#[test]
fn mosaic_12mp_recall_at_least_95_percent() {
    // What the pipeline searches a 4000 px photo with for a 2048 px upload.
    let cfg = DetectConfig::default().for_output(2048.0 / 4000.0);
    let (mut faces, mut plates) = (Score::default(), Score::default());
    for (m, mosaic) in test_mosaics().into_iter().enumerate() {
        let found = anonymizer().detect(&mosaic.image, &cfg).expect("detect");
        let (f, p) = (
            Score::of(&mosaic.faces, &found.faces, IOU),
            Score::of(&mosaic.plates, &found.plates, IOU),
        );
        report(&format!("mosaic {m}"), &f, &p);
        faces.add(f);
        plates.add(p);
    }
    report("mosaics", &faces, &plates);
    assert!(
        faces.recall() >= 0.95,
        "face recall on mosaics {:.3} < 0.95",
        faces.recall()
    );
    assert!(
        plates.recall() >= 0.95,
        "plate recall on mosaics {:.3} < 0.95",
        plates.recall()
    );
}

/// Writes the mosaics of the test above as PNGs with a `boxes.json`, for tuning
/// with `augenmerk-anon eval DIR`: `AUGENMERK_MOSAIC_DIR=dir cargo test … -- --ignored`.
#[test]
#[ignore = "a tool for tuning, not a test"]
fn write_mosaics_for_tuning() {
    let Some(dir) = std::env::var_os("AUGENMERK_MOSAIC_DIR").map(std::path::PathBuf::from) else {
        return;
    };
    crate::synth::write_mosaics(&dir);
}
