//! Where things are: the workspace, its models, this package's binaries and Cargo's
//! folder for test files.
//!
//! Cargo tells integration tests where the package's binaries are (`CARGO_BIN_EXE_<name>`)
//! and where to put files (`CARGO_TARGET_TMPDIR`) only when it compiles them, not when it
//! compiles this library; both are found from the running test's own path instead.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lies in the workspace")
        .to_owned()
}

/// The anonymizer's models in the workspace.
pub fn models_dir() -> PathBuf {
    workspace().join("models")
}

/// The folder of the running profile (`<target>/debug`): a test or benchmark runs from
/// its `deps` folder, and Cargo puts the package's binaries one level up.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the path of the running test");
    exe.parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("{} does not lie in a Cargo target folder", exe.display()))
        .to_owned()
}

/// A binary of this package (`e2e-server`, `e2e-augenmerk`, `e2e-app`), built by Cargo
/// for the test that runs.
pub fn bin(name: &str) -> PathBuf {
    let path = profile_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: Cargo builds it for this package's tests (for e2e-app: --features app)",
        path.display()
    );
    path
}

/// Cargo's folder for files of tests (`<target>/tmp`, as `CARGO_TARGET_TMPDIR`).
pub fn target_tmpdir() -> PathBuf {
    let profile = profile_dir();
    let dir = profile.parent().unwrap_or(&profile).join("tmp");
    std::fs::create_dir_all(&dir).expect("the target's tmp folder");
    dir
}
