//! A report's state in a device's outbox, and how a verdict moves it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use augenmerk_domain::ReportId;

use crate::answer::Verdict;

/// Where a report in the outbox stands. Stored by the web page (serde, tagged by `state`);
/// the native client keeps the same facts in its `reports` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryState {
    /// Waiting to be sent.
    Queued {
        /// Attempts that failed so far (for display and support; no limit).
        attempts: u32,
        /// Why the last attempt failed, as the platform words it ("network: …").
        last_error: Option<String>,
    },
    /// The server refused it for good; kept with the reason until the user corrects
    /// or discards it, never sent again.
    Refused {
        /// [`crate::refusal_reason`] of the server's answer.
        reason: String,
    },
}

impl EntryState {
    /// A report just queued.
    pub fn new_queued() -> Self {
        Self::Queued {
            attempts: 0,
            last_error: None,
        }
    }

    /// Whether a flush sends it.
    pub fn is_queued(&self) -> bool {
        matches!(self, Self::Queued { .. })
    }

    /// The same state with the platform's wording of why the last attempt failed
    /// (a refused entry keeps its reason).
    #[must_use]
    pub fn with_error(self, error: impl Into<String>) -> Self {
        match self {
            Self::Queued { attempts, .. } => Self::Queued {
                attempts,
                last_error: Some(error.into()),
            },
            refused @ Self::Refused { .. } => refused,
        }
    }
}

/// What the platform does with the entry after a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// The server has it: remove it from the outbox (the native client keeps it as a
    /// sent report, with the server's answer).
    Remove,
    /// Store this state; a `Queued` one waits for the next flush (the platform may put its
    /// own wording of the failure in with [`EntryState::with_error`]).
    Keep(EntryState),
    /// Forget the device's registration, register again, and send the entry again in
    /// the same flush. The failed attempt is counted like [`Verdict::RetryLater`]'s:
    /// keep `state` if registering fails.
    ReRegisterThenRetry {
        /// The entry with the failed attempt counted.
        state: EntryState,
    },
    /// Mark the report's photos as not on the server, upload them again and submit once
    /// more (round 1) in the same flush; the entry itself does not change.
    UploadPhotosThenRetry,
}

/// The pure transition of an outbox entry after a verdict on it.
pub fn after_verdict(state: &EntryState, v: &Verdict) -> Next {
    let attempted = || match state {
        EntryState::Queued { attempts, last_error } => EntryState::Queued {
            attempts: attempts.saturating_add(1),
            last_error: last_error.clone(),
        },
        refused @ EntryState::Refused { .. } => refused.clone(),
    };
    match v {
        // Whatever the entry's state was: the server has the report.
        Verdict::Accepted => Next::Remove,
        // A refused entry is never sent; a stray verdict leaves it as the user saw it.
        _ if !state.is_queued() => Next::Keep(state.clone()),
        Verdict::RetryLater { .. } => Next::Keep(attempted()),
        Verdict::RegisterAgain => Next::ReRegisterThenRetry { state: attempted() },
        Verdict::UploadPhotosAgain => Next::UploadPhotosThenRetry,
        Verdict::Refused { reason } => Next::Keep(EntryState::Refused { reason: reason.clone() }),
    }
}

/// What the outbox knows of an entry, for [`to_send`].
pub trait HasEntry {
    /// The report's id (ties of `created_at` are sent in id order).
    fn entry_id(&self) -> ReportId;
    /// When the report was made on the device.
    fn created_at(&self) -> DateTime<Utc>;
    /// Its state.
    fn entry_state(&self) -> &EntryState;
}

/// The entries a flush sends, in order: only queued ones (a refused report waits for the
/// user, not for the network), oldest first, ties by id, so that reports reach the
/// server in the order they were made on every platform.
pub fn to_send<T: HasEntry>(entries: &[T]) -> Vec<&T> {
    let mut out: Vec<&T> = entries.iter().filter(|e| e.entry_state().is_queued()).collect();
    out.sort_by_key(|e| (e.created_at(), e.entry_id()));
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    fn queued(attempts: u32, last_error: Option<&str>) -> EntryState {
        EntryState::Queued {
            attempts,
            last_error: last_error.map(str::to_owned),
        }
    }

    fn refused(reason: &str) -> EntryState {
        EntryState::Refused { reason: reason.into() }
    }

    #[test]
    fn outbox_transitions() {
        let later = Verdict::RetryLater { after: None };
        let busy = Verdict::RetryLater {
            after: Some(Duration::from_secs(30)),
        };
        let no = Verdict::Refused {
            reason: "Kategorie unbekannt (unknown_category)".into(),
        };
        let rows: Vec<(EntryState, Verdict, Next)> = vec![
            (queued(0, None), Verdict::Accepted, Next::Remove),
            (queued(3, Some("network: cut")), Verdict::Accepted, Next::Remove),
            (queued(0, None), later.clone(), Next::Keep(queued(1, None))),
            (queued(1, Some("network")), busy, Next::Keep(queued(2, Some("network")))),
            (
                queued(0, None),
                Verdict::RegisterAgain,
                Next::ReRegisterThenRetry { state: queued(1, None) },
            ),
            (queued(2, None), Verdict::UploadPhotosAgain, Next::UploadPhotosThenRetry),
            (
                queued(4, Some("network")),
                no.clone(),
                Next::Keep(refused("Kategorie unbekannt (unknown_category)")),
            ),
            // A refused entry stays as the user saw it.
            (refused("alt"), later, Next::Keep(refused("alt"))),
            (refused("alt"), no, Next::Keep(refused("alt"))),
            (refused("alt"), Verdict::RegisterAgain, Next::Keep(refused("alt"))),
            (refused("alt"), Verdict::UploadPhotosAgain, Next::Keep(refused("alt"))),
            (refused("alt"), Verdict::Accepted, Next::Remove),
        ];
        for (state, verdict, expected) in rows {
            assert_eq!(after_verdict(&state, &verdict), expected, "{state:?} + {verdict:?}");
        }
    }

    #[test]
    fn attempts_do_not_overflow() {
        assert_eq!(
            after_verdict(&queued(u32::MAX, None), &Verdict::RetryLater { after: None }),
            Next::Keep(queued(u32::MAX, None))
        );
    }

    #[test]
    fn with_error_words_queued_entries_only() {
        assert_eq!(
            queued(2, None).with_error("network: cut"),
            queued(2, Some("network: cut"))
        );
        assert_eq!(refused("Grund").with_error("network"), refused("Grund"));
    }

    #[test]
    fn entry_state_is_stored_tagged() -> Result<(), serde_json::Error> {
        let json = serde_json::to_value(queued(1, Some("network")))?;
        assert_eq!(
            json,
            serde_json::json!({"state": "queued", "attempts": 1, "last_error": "network"})
        );
        let back: EntryState = serde_json::from_value(serde_json::json!({"state": "refused", "reason": "r"}))?;
        assert_eq!(back, refused("r"));
        Ok(())
    }

    struct Entry {
        id: ReportId,
        at: DateTime<Utc>,
        state: EntryState,
    }

    impl HasEntry for Entry {
        fn entry_id(&self) -> ReportId {
            self.id
        }
        fn created_at(&self) -> DateTime<Utc> {
            self.at
        }
        fn entry_state(&self) -> &EntryState {
            &self.state
        }
    }

    #[test]
    fn to_send_skips_refused_and_orders_by_time_then_id() -> Result<(), augenmerk_domain::error::FieldError> {
        let id = |s: &str| s.parse::<ReportId>();
        let at = |s: u32| Utc.with_ymd_and_hms(2026, 5, 1, 10, 0, s).single().unwrap_or_default();
        let entries = vec![
            Entry {
                id: id("00000000-0000-4000-8000-000000000003")?,
                at: at(2),
                state: queued(0, None),
            },
            // Refused: waits for the user, is never sent again (the page re-sent these).
            Entry {
                id: id("00000000-0000-4000-8000-000000000001")?,
                at: at(0),
                state: refused("Kategorie unbekannt (unknown_category)"),
            },
            Entry {
                id: id("00000000-0000-4000-8000-000000000005")?,
                at: at(1),
                state: queued(2, Some("network")),
            },
            Entry {
                id: id("00000000-0000-4000-8000-000000000004")?,
                at: at(1),
                state: queued(0, None),
            },
        ];
        let sent: Vec<String> = to_send(&entries).iter().map(|e| e.id.to_string()).collect();
        assert_eq!(
            sent,
            [
                "00000000-0000-4000-8000-000000000004",
                "00000000-0000-4000-8000-000000000005",
                "00000000-0000-4000-8000-000000000003",
            ]
        );
        let none: Vec<Entry> = Vec::new();
        assert!(to_send(&none).is_empty());
        Ok(())
    }
}
