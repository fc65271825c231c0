//! The process a report goes through, as a state machine.
//!
//! ```text
//! received → assigned → in_progress → resolved | rejected | forwarded | duplicate → closed
//!                                        ↑   │
//!                                        └───┘ reopen (resolved → in_progress)
//! ```
//! Steps may be skipped forwards (a report can be resolved straight from `received`),
//! never backwards except by reopening a resolved report.

use serde::{Deserialize, Serialize};

/// The status of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Arrived, not yet routed to anyone.
    Received,
    /// Routed to a department or person.
    Assigned,
    /// Someone works on it.
    InProgress,
    /// Fixed.
    Resolved,
    /// Not a matter for the municipality, or not actionable.
    Rejected,
    /// Handed to an external authority (LBV.SH, Kreis, Autobahn GmbH, …).
    Forwarded,
    /// Already reported; follows another report.
    Duplicate,
    /// Done; nothing more happens.
    Closed,
}

impl Status {
    /// Every status, in process order.
    pub const ALL: [Status; 8] = [
        Self::Received,
        Self::Assigned,
        Self::InProgress,
        Self::Resolved,
        Self::Rejected,
        Self::Forwarded,
        Self::Duplicate,
        Self::Closed,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Forwarded => "forwarded",
            Self::Duplicate => "duplicate",
            Self::Closed => "closed",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the municipality still has work to do (Open311 `open`).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Assigned | Self::InProgress)
    }

    /// The statuses a report may move to from this one.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Received => &[Assigned, InProgress, Resolved, Rejected, Forwarded, Duplicate],
            Assigned => &[InProgress, Resolved, Rejected, Forwarded, Duplicate],
            InProgress => &[Resolved, Rejected, Forwarded, Duplicate],
            Resolved => &[Closed, InProgress],
            Rejected | Forwarded | Duplicate => &[Closed],
            Closed => &[],
        }
    }

    /// The status as citizens read it, in German and English.
    pub fn label(self) -> crate::i18n::I18nText {
        use Status::*;
        let (de, en) = match self {
            Received => ("Eingegangen", "Received"),
            Assigned => ("Zugewiesen", "Assigned"),
            InProgress => ("In Bearbeitung", "In progress"),
            Resolved => ("Erledigt", "Resolved"),
            Rejected => ("Abgelehnt", "Rejected"),
            Forwarded => ("Weitergeleitet", "Forwarded"),
            Duplicate => ("Doppelt gemeldet", "Duplicate"),
            Closed => ("Abgeschlossen", "Closed"),
        };
        crate::i18n::I18nText::new(de, en)
    }

    /// Whether moving to `to` is a legal step.
    pub fn can_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }

    /// Whether moving to this status needs a target besides the comment: the authority a
    /// report is forwarded to, or the original of a duplicate (the server refuses the step
    /// without it).
    pub fn needs_target(self) -> bool {
        matches!(self, Self::Forwarded | Self::Duplicate)
    }

    /// The legal next statuses that need no target: what a field worker's device offers,
    /// queues offline and accepts (it has no authorities or other reports to choose from).
    pub fn next_without_target(self) -> impl Iterator<Item = Status> {
        self.next().iter().copied().filter(|s| !s.needs_target())
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    #[test]
    fn the_full_table() {
        // (from, to, legal) for every pair: the process is small enough to spell out.
        let legal: &[(Status, Status)] = &[
            (Received, Assigned),
            (Received, InProgress),
            (Received, Resolved),
            (Received, Rejected),
            (Received, Forwarded),
            (Received, Duplicate),
            (Assigned, InProgress),
            (Assigned, Resolved),
            (Assigned, Rejected),
            (Assigned, Forwarded),
            (Assigned, Duplicate),
            (InProgress, Resolved),
            (InProgress, Rejected),
            (InProgress, Forwarded),
            (InProgress, Duplicate),
            (Resolved, Closed),
            (Resolved, InProgress),
            (Rejected, Closed),
            (Forwarded, Closed),
            (Duplicate, Closed),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(from.can_move_to(to), legal.contains(&(from, to)), "{from} → {to}");
            }
        }
    }

    #[test]
    fn the_field_is_offered_every_step_without_a_target() {
        // Issue 21: the app offered "forwarded" and "duplicate" and then refused them.
        assert_eq!(
            InProgress.next_without_target().collect::<Vec<_>>(),
            [Resolved, Rejected]
        );
        assert_eq!(
            Received.next_without_target().collect::<Vec<_>>(),
            [Assigned, InProgress, Resolved, Rejected]
        );
        for from in Status::ALL {
            for to in from.next_without_target() {
                assert!(from.can_move_to(to) && !to.needs_target(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).ok(), Some(format!("\"{}\"", s.as_str())));
        }
    }
}
