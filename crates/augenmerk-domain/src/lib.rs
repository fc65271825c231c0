//! Augenmerk's domain and wire types.
//!
//! Everything the server, the offline client and the UI must agree on lives here:
//! typed ids, the category tree with its intake questions and answer validation,
//! reports and their process (status machine), the audit trail, messages and
//! internal notes, delegation rules and their evaluation, and the JSON shapes of
//! the native HTTP API. The crate does no I/O and builds for `wasm32-unknown-unknown`.
//!
//! Types that citizens and the public may receive live in [`public`]; types only
//! staff may receive (internal notes, audit actors, contact data) live in [`staff`].
//! No public type contains a staff type, so a note cannot reach a citizen by accident.

pub mod administration;
pub mod alerts;
pub mod api;
pub mod audit;
pub mod blur;
pub mod branding;
pub mod category;
pub mod credentials;
pub mod device;
pub mod duplicates;
pub mod error;
pub mod geo;
pub mod i18n;
pub mod ids;
pub mod mail;
pub mod overview;
pub mod privacy;
pub mod process;
pub mod public;
pub mod public_map;
pub mod publication;
pub mod report;
pub mod routing;
pub mod rules;
pub mod second_factor;
pub mod sessions;
pub mod sso;
pub mod staff;
pub mod templates;
pub mod text;
pub mod triage;

pub use category::{Category, CategoryTree, Question, QuestionKind};
pub use error::{ErrorBody, ErrorCode};
pub use geo::GeoPoint;
pub use i18n::{I18nText, Language};
pub use ids::*;
pub use process::Status;
pub use report::{Answer, Answers, Priority};
