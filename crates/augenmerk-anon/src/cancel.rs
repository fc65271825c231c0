//! Stopping a run early: a deadline, a flag another thread raises, or both.
//!
//! A server anonymizes photos it did not choose; one crafted photo must not occupy a
//! worker thread for as long as it likes. The pipeline checks [`Cancel`] between its
//! stages and before every detector view (tile), so a run stops within one view's time
//! after the deadline, and the thread is free again, not merely abandoned.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

// std's `Instant` panics on wasm32-unknown-unknown; on native targets this is std's type.
use web_time::Instant;

use crate::error::{AnonError, Result};

/// When a run must give up. The default never does.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    deadline: Option<Instant>,
    flag: Option<Arc<AtomicBool>>,
}

impl Cancel {
    /// Gives up at `deadline`.
    pub fn at(deadline: Instant) -> Self {
        Cancel {
            deadline: Some(deadline),
            flag: None,
        }
    }

    /// Gives up `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Self::at(Instant::now() + budget)
    }

    /// Also gives up as soon as `flag` is set (e.g. the client went away).
    pub fn with_flag(mut self, flag: Arc<AtomicBool>) -> Self {
        self.flag = Some(flag);
        self
    }

    /// `Err(AnonError::Cancelled)` once the deadline has passed or the flag is set.
    pub fn check(&self) -> Result<()> {
        let late = self.deadline.is_some_and(|d| Instant::now() >= d);
        let raised = self.flag.as_ref().is_some_and(|f| f.load(Ordering::Relaxed));
        if late || raised {
            Err(AnonError::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        let same_flag = match (&self.flag, &other.flag) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.deadline == other.deadline && same_flag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_never_cancels_and_a_past_deadline_always_does() {
        assert!(Cancel::default().check().is_ok());
        assert!(Cancel::after(Duration::from_secs(60)).check().is_ok());
        assert!(matches!(Cancel::at(Instant::now()).check(), Err(AnonError::Cancelled)));
    }

    #[test]
    fn a_raised_flag_cancels() {
        let flag = Arc::new(AtomicBool::new(false));
        let c = Cancel::after(Duration::from_secs(60)).with_flag(flag.clone());
        assert!(c.check().is_ok());
        flag.store(true, Ordering::Relaxed);
        assert!(matches!(c.check(), Err(AnonError::Cancelled)));
    }
}
