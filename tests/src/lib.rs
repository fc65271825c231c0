//! The harness the integration tests in `tests/` share: the sync server as a process,
//! staff and citizen sessions on its API, the browser and the app under WebDriver, the
//! test photo, the citizen's steps on the page, the receipt mail, free ports, and the
//! chaos proxy of the flaky-network tests.
//!
//! Each test binary (api, client, web, console, app) uses what it needs; the API tests
//! start the server in-process instead (tests/api/helpers.rs).

pub mod app;
pub mod backend;
pub mod browser;
pub mod chaos;
pub mod citizen;
pub mod nominatim;
pub mod oidc;
pub mod paths;
pub mod photo;
pub mod ports;
pub mod process;
pub mod receipt;
pub mod server;
pub mod staff;
pub mod steps;
pub mod totp;

pub use browser::{Browser, SIZES, SLOW};
pub use paths::{bin, models_dir, target_tmpdir, workspace};
pub use ports::free_port;
pub use process::Group;
pub use server::{Server, ServerSetup};
pub use staff::Staff;

/// Password of the demo accounts in the test servers.
pub const PASSWORD: &str = "augenmerk-test-passwort";
/// Flensburg's AGS.
pub const FLENSBURG: &str = "01001000";
/// A residential street in Flensburg-Mürwik (a pothole on a municipal street goes to Tiefbau).
pub const MUERWIK: (f64, f64) = (54.8100, 9.4800);
/// Denmark, far outside every municipality served.
pub const DENMARK: (f64, f64) = (55.0, 9.5);
