//! Command-line front end of the anonymizer: `detect` prints boxes as JSON
//! lines, `blur` writes an anonymized JPEG, `eval` measures recall and
//! precision against an annotated folder. Errors use anyhow with the file
//! name as context; the library's messages say what to do.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use augenmerk_anon::eval::{Score, load_annotations};
use augenmerk_anon::{Anonymizer, BBox, DecodeOptions, Detection, Options, decode};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

/// Blur faces and licence plates in photos and strip their metadata.
#[derive(Parser, Debug)]
#[command(name = "augenmerk-anon", version)]
struct Cli {
    /// Folder with the ONNX models (default: $AUGENMERK_MODELS or the workspace's models/).
    #[arg(long, global = true, env = "AUGENMERK_MODELS")]
    models: Option<PathBuf>,
    /// Worker threads for the detectors (default: all cores).
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// Treat a corrupt EXIF block as absent instead of failing.
    #[arg(long, global = true)]
    lenient_exif: bool,
    #[command(flatten)]
    tuning: Tuning,
    #[command(subcommand)]
    command: Command,
}

/// Detector tuning; the defaults are what the tests measure.
#[derive(Args, Debug)]
struct Tuning {
    /// Finest scale of the face detector (1 = native pixels).
    #[arg(long, global = true)]
    face_scale: Option<f32>,
    /// Finest scale of the plate detector.
    #[arg(long, global = true)]
    plate_scale: Option<f32>,
    /// Finest scale of the text (plate fallback) detector.
    #[arg(long, global = true)]
    text_scale: Option<f32>,
    /// Largest side of the face tiles (multiple of 32).
    #[arg(long, global = true)]
    tile_size: Option<usize>,
    /// Largest side of the plate tiles (multiple of 32).
    #[arg(long, global = true)]
    plate_tile_size: Option<usize>,
    /// Overlap of neighbouring face tiles, in tile pixels.
    #[arg(long, global = true)]
    tile_overlap: Option<usize>,
    /// Overlap of neighbouring plate tiles, in tile pixels.
    #[arg(long, global = true)]
    plate_tile_overlap: Option<usize>,
    /// Side of the square overview (multiple of 32).
    #[arg(long, global = true)]
    overview_size: Option<usize>,
    /// Largest scale step between pyramid levels (faces, text).
    #[arg(long, global = true)]
    level_ratio: Option<f32>,
    /// Largest scale step between plate levels.
    #[arg(long, global = true)]
    plate_level_ratio: Option<f32>,
    /// Disable the text detector fallback for plates.
    #[arg(long, global = true)]
    no_text: bool,
    /// Face score threshold.
    #[arg(long, global = true)]
    face_threshold: Option<f32>,
    /// Plate score threshold.
    #[arg(long, global = true)]
    plate_threshold: Option<f32>,
    /// Overview heatmap value a face tile needs to run (negative: run all tiles).
    #[arg(long, global = true, allow_negative_numbers = true)]
    face_gate: Option<f32>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print one JSON line of face and plate boxes per image.
    Detect {
        /// Images (JPEG, PNG, WebP).
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Write an anonymized, metadata-free JPEG.
    Blur {
        /// Input image.
        input: PathBuf,
        /// Output JPEG.
        output: PathBuf,
        /// Extra box to obscure, `x1,y1,x2,y2` in upright input pixels (repeatable).
        #[arg(long = "box", value_parser = parse_box)]
        boxes: Vec<BBox>,
        /// Longest side of the output.
        #[arg(long, default_value_t = 2048)]
        long_edge: u32,
        /// JPEG quality (1–100).
        #[arg(long, default_value_t = 85)]
        quality: u8,
    },
    /// Recall and precision against DIR/boxes.json (images in DIR/images).
    Eval {
        /// Folder with boxes.json and images/.
        dir: PathBuf,
        /// IoU a detection needs to count as a hit.
        #[arg(long, default_value_t = 0.3)]
        iou: f32,
        /// Print every missed box to stderr.
        #[arg(long)]
        verbose: bool,
    },
}

fn parse_box(s: &str) -> Result<BBox, String> {
    let v: Vec<f32> = s
        .split(',')
        .map(|p| p.trim().parse::<f32>().map_err(|e| format!("{p:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let [x1, y1, x2, y2] = v[..] else {
        return Err(format!("expected x1,y1,x2,y2, got {s:?}"));
    };
    let b = BBox::new(x1, y1, x2, y2);
    if b.is_valid() {
        Ok(b)
    } else {
        Err(format!("box {s:?} needs x1 < x2 and y1 < y2"))
    }
}

#[derive(Serialize)]
struct DetectLine<'a> {
    file: &'a Path,
    width: u32,
    height: u32,
    faces: &'a [Detection],
    plates: &'a [Detection],
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("augenmerk-anon: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn options(cli: &Cli) -> Options {
    let mut o = Options {
        decode: DecodeOptions {
            lenient_exif: cli.lenient_exif,
            ..Default::default()
        },
        ..Default::default()
    };
    let t = &cli.tuning;
    let d = &mut o.detect;
    if let Some(v) = t.face_scale {
        d.face_scale = v;
    }
    if let Some(v) = t.plate_scale {
        d.plate_scale = v;
    }
    if let Some(v) = t.plate_tile_size {
        d.plate_tile_size = v;
    }
    if let Some(v) = t.tile_size {
        d.tile_size = v;
    }
    if let Some(v) = t.tile_overlap {
        d.tile_overlap = v;
    }
    if let Some(v) = t.plate_tile_overlap {
        d.plate_tile_overlap = v;
    }
    if let Some(v) = t.overview_size {
        d.overview_size = v;
    }
    if let Some(v) = t.level_ratio {
        d.max_level_ratio = v;
    }
    if let Some(v) = t.plate_level_ratio {
        d.plate_level_ratio = v;
    }
    if let Some(v) = t.text_scale {
        d.text_scale = v;
    }
    if let Some(v) = t.face_threshold {
        d.face_threshold = v;
    }
    if let Some(v) = t.plate_threshold {
        d.plate_threshold = v;
    }
    if let Some(v) = t.face_gate {
        d.face_gate = (v >= 0.0).then_some(v);
    }
    if t.no_text {
        d.text = None;
    }
    o
}

fn run(cli: Cli) -> Result<ExitCode> {
    let threads = cli
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let dir = cli.models.clone().unwrap_or_else(augenmerk_anon::default_models_dir);
    let anon = Anonymizer::load(&dir, threads).context("loading the models")?;
    let mut opts = options(&cli);
    opts.detect.validate()?;
    match cli.command {
        Command::Detect { images } => {
            let mut failed = false;
            for path in &images {
                match detect_one(&anon, path, &opts) {
                    Ok(line) => println!("{line}"),
                    Err(e) => {
                        failed = true;
                        eprintln!("augenmerk-anon: {}: {e:#}", path.display());
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Blur {
            input,
            output,
            boxes,
            long_edge,
            quality,
        } => {
            opts.encode.max_long_edge = long_edge;
            opts.encode.quality = quality;
            let bytes = std::fs::read(&input).with_context(|| format!("reading {}", input.display()))?;
            let t = Instant::now();
            let done = anon
                .anonymize(&bytes, &boxes, &opts)
                .with_context(|| format!("anonymizing {}", input.display()))?;
            let total_ms = t.elapsed().as_secs_f64() * 1000.0;
            std::fs::write(&output, &done.jpeg).with_context(|| format!("writing {}", output.display()))?;
            let report = serde_json::json!({
                "file": input,
                "output": output,
                "width": done.width,
                "height": done.height,
                "output_width": done.output_size.0,
                "output_height": done.output_size.1,
                "blurred": done.blurred,
                "gps": done.gps,
                "timings_ms": done.timings,
                "total_ms": total_ms,
            });
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { dir, iou, verbose } => {
            eval(&anon, &dir, iou, verbose, &opts)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn detect_one(anon: &Anonymizer, path: &Path, opts: &Options) -> Result<String> {
    let bytes = std::fs::read(path).context("reading")?;
    let decoded = decode::decode(&bytes, &opts.decode)?;
    let found = anon.detect(&decoded.image, &opts.detect)?;
    let line = DetectLine {
        file: path,
        width: decoded.image.width(),
        height: decoded.image.height(),
        faces: &found.faces,
        plates: &found.plates,
    };
    Ok(serde_json::to_string(&line)?)
}

fn eval(anon: &Anonymizer, dir: &Path, iou: f32, verbose: bool, opts: &Options) -> Result<()> {
    let entries = load_annotations(&dir.join("boxes.json"))?;
    if entries.is_empty() {
        bail!("{} lists no images", dir.join("boxes.json").display());
    }
    let (mut faces, mut plates) = (Score::default(), Score::default());
    let (mut tiles, mut tiles_run) = (0, 0);
    let t = Instant::now();
    for e in &entries {
        let path = dir.join("images").join(&e.file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let decoded = decode::decode(&bytes, &opts.decode).with_context(|| path.display().to_string())?;
        let (found, timings) = anon.detect_timed(&decoded.image, &opts.detect)?;
        tiles += timings.face_tiles;
        tiles_run += timings.face_tiles_run;
        let (f, p) = (
            Score::of(&e.faces, &found.faces, iou),
            Score::of(&e.plates, &found.plates, iou),
        );
        if verbose && (f.found < f.truths || p.found < p.truths) {
            eprintln!(
                "missed in {}: faces {}/{}, plates {}/{}",
                e.file, f.found, f.truths, p.found, p.truths
            );
        }
        faces.add(f);
        plates.add(p);
    }
    let summary = |s: &Score| {
        serde_json::json!({
            "recall": s.recall(), "precision": s.precision(),
            "truths": s.truths, "found": s.found, "detections": s.detections, "correct": s.correct,
        })
    };
    let report = serde_json::json!({
        "images": entries.len(), "iou": iou,
        "faces": summary(&faces), "plates": summary(&plates),
        "face_tiles": tiles, "face_tiles_run": tiles_run,
        "seconds": t.elapsed().as_secs_f64(),
    });
    println!("{report}");
    Ok(())
}
