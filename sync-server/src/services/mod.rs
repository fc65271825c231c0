//! What the server does, apart from how it is asked: intake with validation and
//! delegation, the handling of reports by staff, the views each audience gets, and the
//! rules of configuration (categories, departments, rules, areas, settings), staff
//! accounts and new municipalities. Routes, the CLI and the demo all call in here; the
//! rules that need no I/O live in `augenmerk-domain`.

pub mod accounts;
pub mod api_keys;
pub mod border;
pub mod boundary;
pub mod config;
pub mod directory;
pub mod dry_run;
pub mod duplicates;
pub mod export;
pub mod handling;
pub mod intake;
pub mod listing;
pub mod mailed;
pub mod municipalities;
pub mod notify;
pub mod open_data;
pub mod overview;
pub mod public_map;
pub mod reporting;
pub mod triage;
pub mod views;
