//! Ports on 127.0.0.1 for programs that must be told theirs before they start.
//!
//! The sync server takes port 0 and says which port it got (see [`crate::server`]); prefer
//! that. Chromedriver, tauri-driver and aiosmtpd, and a server that must come back at an
//! address a client already knows, need a port up front: the only way to get one is to
//! bind port 0, read the port and let it go, and another process may take it before the
//! program binds it. [`free_port`] at least never hands out the same port twice in this
//! process, and [`start_on_free_port`] tries again on another port when the start fails.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Mutex;

/// A port on 127.0.0.1 that was free a moment ago and was not handed out before by this
/// process.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        // A poisoned lock only means another test panicked while holding it; the set is fine.
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if handed_out.get_or_insert_with(HashSet::new).insert(port) {
            return port;
        }
    }
}

/// How many ports [`start_on_free_port`] tries.
const ATTEMPTS: usize = 3;

/// Starts a program on a free port; `start` answers `Err` (why) when the program did not
/// come up there, e.g. because someone else took the port meanwhile, and is then tried
/// with another port.
pub fn start_on_free_port<T>(what: &str, mut start: impl FnMut(u16) -> Result<T, String>) -> T {
    let mut failures = Vec::new();
    for _ in 0..ATTEMPTS {
        let port = free_port();
        match start(port) {
            Ok(started) => return started,
            Err(why) => failures.push(format!("port {port}: {why}")),
        }
    }
    panic!("{what} did not start on {ATTEMPTS} ports:\n{}", failures.join("\n"))
}
