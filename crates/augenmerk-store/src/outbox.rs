//! Types of the transactional outbox (mails and forwardings), the citizens' mail
//! subscriptions and the reports forwarded to an authority's Open311 endpoint.
//!
//! A job is queued with the write that causes it ([`crate::ReportWrite::jobs`],
//! [`crate::Store::add_message`]) and claimed by a worker with a lease
//! ([`crate::Store::claim_jobs`]); see `docs/mail.md` for the whole design.

use chrono::{DateTime, Utc};

use augenmerk_domain::{Ags, AuthorityId, Language, ReportId};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Send a mail (the payload is the rendered mail).
    Mail,
    /// Forward a report to an authority's Open311 endpoint.
    Open311Forward,
}

impl JobKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Open311Forward => "open311_forward",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Mail, Self::Open311Forward].into_iter().find(|k| k.as_str() == s)
    }
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What it does.
    pub kind: JobKind,
    /// The municipality it belongs to.
    pub municipality: Ags,
    /// The report it is about, if any.
    pub report: Option<ReportId>,
    /// Queuing the same key again is a no-op (retried requests, a digest run twice).
    pub dedupe_key: String,
    /// For mails: the mail's kind (`receipt`, `routed`, …).
    pub tag: Option<String>,
    /// For mails: the address (lower-cased); for forwardings: the endpoint.
    pub recipient: Option<String>,
    /// What the worker needs, as JSON.
    pub payload: serde_json::Value,
    /// Not before.
    pub run_at: DateTime<Utc>,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting (first attempt or a retry at `run_at`).
    Pending,
    /// Delivered.
    Done,
    /// Given up.
    Failed,
    /// Not sent on purpose (abuse rule, unsubscribe).
    Suppressed,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Done, Self::Failed, Self::Suppressed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Its id (claim order).
    pub id: i64,
    /// What it does.
    pub kind: JobKind,
    /// The municipality.
    pub municipality: Ags,
    /// The report, if any.
    pub report: Option<ReportId>,
    /// The mail's kind.
    pub tag: Option<String>,
    /// The address or endpoint.
    pub recipient: Option<String>,
    /// The payload.
    pub payload: serde_json::Value,
    /// Attempts made before this claim.
    pub attempts: u32,
    /// State.
    pub state: JobState,
    /// The last error, or the reason it was suppressed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    /// When it was finished.
    pub done_at: Option<DateTime<Utc>>,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// Delivered (the SMTP server said 250, the endpoint answered 2xx).
    Done,
    /// Failed for now; try again at `at`.
    Retry {
        /// Next attempt.
        at: DateTime<Utc>,
        /// What went wrong.
        error: String,
    },
    /// Failed for good.
    Failed {
        /// What went wrong.
        error: String,
    },
    /// Not sent on purpose.
    Suppressed {
        /// Why.
        reason: String,
    },
}

/// A citizen's mail updates for a report, created with the report.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription {
    /// The address.
    pub email: String,
    /// The language mails are written in.
    pub language: Language,
    /// The status link's secret. Kept as it is (not hashed), because every later mail
    /// about the report carries the link again.
    pub token: String,
}

/// A stored subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionRecord {
    /// The report.
    pub report: ReportId,
    /// Its municipality.
    pub municipality: Ags,
    /// The address.
    pub email: String,
    /// The language.
    pub language: Language,
    /// The status link's secret.
    pub token: String,
    /// When the address was confirmed through the status link.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the citizen unsubscribed.
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

impl SubscriptionRecord {
    /// The state the mail decision needs.
    pub fn state(&self) -> augenmerk_domain::mail::Subscription {
        augenmerk_domain::mail::Subscription {
            confirmed: self.confirmed_at.is_some(),
            unsubscribed: self.unsubscribed_at.is_some(),
        }
    }
}

/// A change a citizen makes through the status link.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscriptionChange {
    /// The address is confirmed (first confirmation counts).
    Confirm,
    /// No more mails about this report.
    Unsubscribe,
    /// Mails again (after an unsubscribe).
    Resubscribe,
    /// The link is replaced: the old one stops working at once.
    NewToken(String),
}

/// A report forwarded to an authority's Open311 endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalRequest {
    /// Our report.
    pub report: ReportId,
    /// Our municipality.
    pub municipality: Ags,
    /// The authority.
    pub authority: AuthorityId,
    /// Their id.
    pub service_request_id: String,
    /// When they took it.
    pub forwarded_at: DateTime<Utc>,
    /// The last status they reported.
    pub last_status: Option<String>,
    /// The time of their last update we applied.
    pub last_update_at: Option<DateTime<Utc>>,
}
