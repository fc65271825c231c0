//! Child processes that are killed with everything they started, and waiting for a
//! program to answer on its port.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A child process in its own process group; the whole group is killed when dropped
/// (chromedriver's Chromium processes must not outlive a failed test).
pub struct Group {
    child: Child,
}

impl Group {
    /// Starts `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Self> {
        cmd.process_group(0).spawn().map(|child| Self { child })
    }

    /// The process's piped stdout (once).
    pub fn stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Asks the process (not its group) to stop, as a service manager or container
    /// engine does: SIGTERM.
    pub fn terminate(&self) {
        let pid = self.child.id();
        if pid > 1 {
            let _ = Command::new("kill")
                .args(["-s", "TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // The whole group the child leads (negative pid). `--` is essential: without it,
        // procps-ng 4.0's `kill -KILL -<pgid>` sends kill(-1, SIGKILL), killing every
        // process of the user (checked with strace on Debian 12).
        let pid = self.child.id();
        if pid > 1 {
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `GET /<path>` on the port answers 200 (blocking, no runtime needed).
pub fn answers_200(port: u16, path: &str) -> bool {
    let probe = || -> std::io::Result<bool> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf)?;
        Ok(&buf[9..12] == b"200")
    };
    probe().unwrap_or(false)
}

/// How long a program may take to answer on its port.
const UP: Duration = Duration::from_secs(90);

/// Waits (up to 90 s) until `GET /<path>` on the port answers 200; panics naming the log.
pub fn wait_for_200(port: u16, path: &str, what: &str, log: &Path) {
    let deadline = Instant::now() + UP;
    while Instant::now() < deadline {
        if answers_200(port, path) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} on port {port} did not come up; see {}", log.display());
}

/// Waits (up to 90 s) until `GET /<path>` on the port answers 200 while `process` runs;
/// `Err` when it ended first (it could not bind the port, say) or did not answer in time.
pub fn wait_for_200_from(process: &mut Group, port: u16, path: &str) -> Result<(), String> {
    let deadline = Instant::now() + UP;
    while Instant::now() < deadline {
        if answers_200(port, path) {
            return Ok(());
        }
        if let Some(status) = process.exited() {
            return Err(format!("it exited ({status})"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("no answer within {UP:?}"))
}
