//! What the server does, apart from how it is asked: intake with validation and
//! delegation, the handling of reports by staff, and the views each audience gets.

pub mod api_keys;
pub mod directory;
pub mod dry_run;
pub mod export;
pub mod handling;
pub mod intake;
pub mod listing;
pub mod mailed;
pub mod notify;
pub mod views;
