//! The real command line, photos and report drafts; the server processes and the staff
//! client for checking what arrived are the package's library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use augenmerk_tests::{MUERWIK, models_dir};
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// The `augenmerk` command line on one data directory.
pub struct Cli {
    /// Data directory.
    pub data: PathBuf,
    /// Server URL.
    pub server: String,
}

impl Cli {
    /// A command line for `data` talking to `server`.
    pub fn new(data: PathBuf, server: &str) -> Self {
        Self {
            data,
            server: server.to_owned(),
        }
    }

    /// The command, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_e2e-augenmerk"));
        cmd.arg("--server")
            .arg(&self.server)
            .arg("--data")
            .arg(&self.data)
            .arg("--retries")
            .arg("2")
            .args(args)
            .env("AUGENMERK_MODELS", models_dir())
            .env("XDG_CONFIG_HOME", self.data.with_extension("config"))
            .env_remove("AUGENMERK_PASSWORD")
            .env_remove("AUGENMERK_TOTP")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs and returns the output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    /// Runs with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self.command(args).spawn().expect("start e2e-augenmerk");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input.as_bytes());
        }
        child.wait_with_output().expect("wait for e2e-augenmerk")
    }

    /// Runs, asserts success, returns stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "augenmerk {args:?} failed: {}\nstdout: {}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs with `--json`, asserts success, parses stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("augenmerk {args:?} printed no JSON ({e}): {out}"))
    }

    /// Runs, asserts failure, returns stderr.
    #[track_caller]
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "augenmerk {args:?} should have failed; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `report` of a pothole in Mürwik (routed to Tiefbau), optionally with photos; returns its id.
    #[track_caller]
    pub fn report_pothole(&self, photos: &[&Path], description: &str) -> String {
        let (lat, lon) = (MUERWIK.0.to_string(), MUERWIK.1.to_string());
        let mut args: Vec<String> = vec!["report".into()];
        for p in photos {
            args.push("--photo".into());
            args.push(p.display().to_string());
        }
        for a in [
            "--lat",
            &lat,
            "--lon",
            &lon,
            "--category",
            "schlagloch",
            "--answer",
            "gefahr_akut=false",
            "--answer",
            "strassenart=gemeindestrasse",
            "--description",
            description,
        ] {
            args.push(a.to_owned());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&refs)["id"]
            .as_str()
            .expect("report prints its id")
            .to_owned()
    }

    /// The local reports (`list --json`).
    #[track_caller]
    pub fn list(&self) -> Vec<Value> {
        self.json(&["list"]).as_array().cloned().expect("list prints an array")
    }
}

/// A JPEG of coloured noise (distinct per seed), written to `path`.
pub fn write_jpeg(path: &Path, width: u32, height: u32, seed: u64) -> PathBuf {
    std::fs::write(path, jpeg(width, height, seed)).expect("write photo");
    path.to_owned()
}

/// A JPEG of coloured noise with a gradient.
pub fn jpeg(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    noise(width, height, seed)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode JPEG");
    out.into_inner()
}

/// Noise encoded the way the anonymizer encodes its output (no metadata at all).
pub fn anonymized_jpeg(width: u32, height: u32, seed: u64) -> Vec<u8> {
    augenmerk_anon::encode::encode_jpeg(noise(width, height, seed), &augenmerk_anon::EncodeOptions::default())
        .expect("encode JPEG")
}

fn noise(width: u32, height: u32, seed: u64) -> image::RgbImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x % 256) as u8 ^ rng.random::<u8>() >> 2,
            (y % 256) as u8,
            rng.random::<u8>(),
        ])
    })
}

/// SHA-256 hex of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A complete pothole report in Mürwik (number `n` moves it a little), with `photos`.
pub fn pothole_draft(n: u64, photos: Vec<augenmerk_domain::BlobHash>) -> augenmerk_client::ReportDraft {
    let mut answers = serde_json::Map::new();
    answers.insert("gefahr_akut".into(), false.into());
    augenmerk_client::ReportDraft {
        municipality: None,
        category: augenmerk_domain::CategoryId::parse("schlagloch").expect("category"),
        answers,
        description: format!("Schlagloch Nr. {n}"),
        location: augenmerk_domain::GeoPoint {
            lat: MUERWIK.0 + (n % 100) as f64 * 1e-5,
            lon: MUERWIK.1,
        },
        address_hint: None,
        photos,
        contact_email: None,
        consent: true,
        language: None,
        share_contact: false,
    }
}
