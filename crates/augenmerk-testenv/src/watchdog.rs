//! Stopping servers when the test binary ends.
//!
//! The shared servers live in `static`s, which Rust never drops, and a test binary may
//! also be killed. So each server gets a watchdog: a detached shell that polls whether
//! the test process still exists and, once it is gone, runs the server's stop command.

use std::process::{Command, Stdio};

/// Runs `stop_command` (a shell command) once the current process has exited.
pub fn watch(stop_command: &str) -> std::io::Result<()> {
    let pid = std::process::id();
    let script = format!("while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop_command}");
    // `setsid` puts the shell in a session of its own: a Ctrl-C to the test run's
    // process group does not kill the watchdog before it has stopped the server.
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(())
}
