//! The sync decisions of an Augenmerk device, pure and wasm-safe.
//!
//! Both clients run this crate: the native one (`augenmerk-client`, SQLite and reqwest)
//! and the web page (IndexedDB and fetch). Each turns what its transport saw into an
//! [`Answer`], asks [`judge_photo_upload`] or [`judge_submit`] for a [`Verdict`], and applies
//! [`after_verdict`] to the report's [`EntryState`] in its own storage. [`to_send`] picks the
//! reports a flush sends, [`new_report`] builds the request from the user's draft, and
//! [`refusal_reason`] is the one wording of a refusal that the app, the command line and
//! the page show.
//!
//! Nothing here does I/O or reads a clock: the moment is a parameter, so each decision
//! is a row in a table test. Key terms: an *entry* is one report in a device's outbox; a
//! *round* is one attempt to submit it within a flush (a second round follows only after
//! the server said it lacks a photo).

mod answer;
mod draft;
mod outbox;

pub use answer::{
    Answer, SUBMIT_ROUNDS, Verdict, is_transient, judge_photo_upload, judge_request, judge_submit, needs_registration,
    refusal_reason,
};
pub use draft::{DraftError, Place, new_report, new_report_at};
pub use outbox::{EntryState, HasEntry, Next, after_verdict, to_send};
