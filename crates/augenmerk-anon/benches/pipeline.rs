//! Benchmark of the whole pipeline (decode → detect → blur → encode) on
//! 12-megapixel JPEGs, with a per-stage breakdown. Not a test: run through
//! `scripts/bench-anon.sh`, which also measures the decode+encode floor and
//! deface on the same photos and prints the ratios. One process per
//! measurement, so that `/usr/bin/time -v` sees its peak memory.
//!
//! Usage (after `cargo bench --no-run`):
//!   pipeline make-photos OUT_DIR [COUNT]
//!   pipeline run full|floor THREADS FILE...
//!   pipeline models [HxW...]          (each model alone per input size)
//!   pipeline plan-phases SIZE...      (where building a plan goes, per model)
//!   pipeline write-mosaics DIR        (the recall test's mosaics, for `augenmerk-anon eval DIR`)

#[path = "../tests/anon/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::time::Instant;

use augenmerk_anon::{Anonymizer, Options, reencode};
use image::codecs::jpeg::JpegEncoder;

fn main() {
    // `cargo bench` appends `--bench`; ignore it.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let result = match args.first().map(String::as_str) {
        Some("make-photos") if args.len() >= 2 => {
            let count = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(2);
            make_photos(Path::new(&args[1]), count)
        }
        Some("run") if args.len() >= 4 => {
            let threads: usize = args[2].parse().unwrap_or(1);
            let files: Vec<PathBuf> = args[3..].iter().map(PathBuf::from).collect();
            run(&args[1], threads, &files)
        }
        Some("models") => time_models(&args[1..]),
        Some("plan-phases") => plan_phases(&args[1..]),
        Some("write-mosaics") if args.len() >= 2 => {
            synth::write_mosaics(Path::new(&args[1]));
            Ok(())
        }
        _ => Err(
            "usage: pipeline make-photos OUT_DIR [COUNT] | pipeline run full|floor THREADS FILE... \
             | pipeline models [HxW...] | pipeline plan-phases SIZE... | pipeline write-mosaics DIR"
                .into(),
        ),
    };
    if let Err(e) = result {
        eprintln!("pipeline bench: {e}");
        std::process::exit(1);
    }
}

/// Writes `count` 4000×3000 JPEGs (quality 92, like a phone) built from the
/// development photos, plus a boxes.json with their ground truth.
fn make_photos(out: &Path, count: usize) -> Result<(), String> {
    std::fs::create_dir_all(out.join("images")).map_err(|e| e.to_string())?;
    let dev = synth::load_dev();
    let faces: Vec<&synth::DevPhoto> = dev.iter().filter(|p| !p.entry.faces.is_empty()).collect();
    let plates: Vec<&synth::DevPhoto> = dev.iter().filter(|p| !p.entry.plates.is_empty()).collect();
    let mut rng = synth::Rng::new(2026);
    let mut truth = Vec::new();
    for i in 0..count {
        // Alternate faces and plates so each photo holds both kinds.
        let mut chosen = Vec::new();
        for k in 0..20 {
            let pool = if k % 2 == 0 { &faces } else { &plates };
            chosen.push(pool[(i * 20 + k) % pool.len()]);
        }
        let m = synth::mosaic(&chosen, 4000, 3000, 5, 4, (0.8, 1.2), &mut rng);
        let name = format!("photo12mp_{i}.jpg");
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 92)
            .encode_image(&m.image)
            .map_err(|e| e.to_string())?;
        std::fs::write(out.join("images").join(&name), &bytes).map_err(|e| e.to_string())?;
        truth.push(serde_json::json!({"file": name, "faces": m.faces, "plates": m.plates}));
        println!("{}", out.join("images").join(&name).display());
    }
    let json = serde_json::to_string(&truth).map_err(|e| e.to_string())?;
    std::fs::write(out.join("boxes.json"), json).map_err(|e| e.to_string())
}

fn run(mode: &str, threads: usize, files: &[PathBuf]) -> Result<(), String> {
    let opts = Options::default();
    let t = Instant::now();
    let anon = if mode == "full" {
        Some(Anonymizer::load(&synth::require_models(), threads).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let t = Instant::now();
        let (timings, boxes) = match &anon {
            Some(a) => {
                let done = a.anonymize(&bytes, &[], &opts).map_err(|e| e.to_string())?;
                if std::env::var_os("XX_AGAIN").is_some() {
                    for _ in 0..3 {
                        let again = reencode(&bytes, &opts).map_err(|e| e.to_string())?.1;
                        eprintln!("again: decode {:.0} encode {:.0}", again.decode_ms, again.encode_ms);
                    }
                }
                (done.timings, done.blurred.len())
            }
            None => (reencode(&bytes, &opts).map_err(|e| e.to_string())?.1, 0),
        };
        let total = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{}",
            serde_json::json!({
                "file": f, "mode": mode, "threads": threads, "load_ms": load_ms,
                "total_ms": total, "stages_ms": timings, "boxes": boxes,
            })
        );
    }
    Ok(())
}

/// Times each model alone at the given input sizes (`640` or `384x768`,
/// height first; default 320, 640, 1024): plan building, then per run with a
/// warm plan, also per megapixel of input.
fn time_models(sizes: &[String]) -> Result<(), String> {
    use augenmerk_anon::models::OnnxModel;
    use tract_onnx::prelude::*;
    let dir = synth::require_models();
    for (name, file) in [
        ("centerface", "centerface.onnx"),
        ("clp_det", "clp_det.onnx"),
        ("text", "ch_mul_v2_c_det.onnx"),
    ] {
        let m = OnnxModel::load(name, &dir.join(file)).map_err(|e| e.to_string())?;
        let defaults = ["320", "640", "1024"].map(String::from);
        for size in if sizes.is_empty() { &defaults[..] } else { sizes } {
            let (h, w) = match size.split_once('x') {
                Some((h, w)) => (h.parse(), w.parse()),
                None => (size.parse(), size.parse()),
            };
            let (h, w): (usize, usize) = (h.map_err(|_| "bad size")?, w.map_err(|_| "bad size")?);
            let input = || Tensor::zero::<f32>(&[1, 3, h, w]).map_err(|e| e.to_string());
            let t = Instant::now();
            m.prepare(h, w).map_err(|e| e.to_string())?;
            let plan = t.elapsed().as_secs_f64() * 1000.0;
            m.run(input()?).map_err(|e| e.to_string())?;
            let t = Instant::now();
            let n = 3;
            for _ in 0..n {
                m.run(input()?).map_err(|e| e.to_string())?;
            }
            let per = t.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
            let per_mpx = per / (h * w) as f64 * 1e6;
            println!("{name} {h}x{w}: plan {plan:.0} ms, then {per:.0} ms/run, {per_mpx:.0} ms/Mpx");
        }
    }
    Ok(())
}

/// Where building a tract plan goes, per model and square input size (`448`):
/// reading the ONNX file, typing it for the size, decluttering, optimising.
/// Decluttering is most of it (CenterFace: 32 of 50 ms), and it is per shape:
/// typing a model once with symbolic sizes made it slower, not faster.
fn plan_phases(sizes: &[String]) -> Result<(), String> {
    use tract_onnx::prelude::*;
    let dir = synth::require_models();
    let err = |e: TractError| e.to_string();
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    for file in ["centerface.onnx", "clp_det.onnx", "ch_mul_v2_c_det.onnx"] {
        let t = Instant::now();
        let mut proto = onnx().model_for_path(dir.join(file)).map_err(err)?;
        for i in 0..proto.output_outlets().map_err(err)?.len() {
            proto.set_output_fact(i, InferenceFact::default()).map_err(err)?;
        }
        let read = ms(t);
        for size in sizes {
            let n: usize = size.parse().map_err(|_| format!("bad size {size}"))?;
            let t = Instant::now();
            let typed = proto
                .clone()
                .with_input_fact(0, f32::fact([1, 3, n, n]).into())
                .and_then(|m| m.into_typed())
                .map_err(err)?;
            let typing = ms(t);
            let t = Instant::now();
            let decluttered = typed.into_decluttered().map_err(err)?;
            let declutter = ms(t);
            let t = Instant::now();
            decluttered
                .into_optimized()
                .and_then(|m| m.into_runnable())
                .map_err(err)?;
            let optimise = ms(t);
            println!(
                "{file} {n}x{n}: read {read:.0} ms, typing {typing:.0} ms, declutter {declutter:.0} ms, optimise {optimise:.0} ms"
            );
        }
    }
    Ok(())
}
