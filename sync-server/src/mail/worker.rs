//! The background worker: claims due jobs from the outbox with a lease, delivers each,
//! and records the outcome; runs the periodic work (digest, Open311 polling) between.
//!
//! Delivery is at least once: the sent mark is written after the SMTP server's 250. A
//! server that dies between the two leaves the job leased; when the lease runs out the
//! job is sent again, with the same Message-ID (see `docs/mail.md`).

use std::time::Duration;

use chrono::{DateTime, Utc};

use augenmerk_domain::mail;
use augenmerk_store::{Job, JobKind, JobOutcome};

use super::compose::OutgoingMail;
use super::transport::{AttachedPhoto, TransportError, build_message};
use crate::state::AppState;

/// Jobs claimed per round.
const BATCH: u32 = 16;

/// Starts the worker; it runs until the runtime stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let poll = Duration::from_secs(state.settings.mail.poll_seconds.max(1));
        loop {
            let now = Utc::now();
            if let Err(e) = super::digest::run_due(&state, now).await {
                tracing::warn!(error = %e, "daily digest failed; tried again on the next round");
            }
            if let Err(e) = super::alerts::run_due(&state, now).await {
                tracing::warn!(error = %e, "e-mail alerts failed; tried again on the next round");
            }
            if let Err(e) = crate::forward::poll::run_due(&state, now).await {
                tracing::warn!(error = %e, "polling authorities' Open311 endpoints failed");
            }
            let worked = match run_once(&state).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox round failed");
                    0
                }
            };
            if worked == 0 {
                tokio::select! {
                    _ = state.mailer.woken() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
        }
    })
}

/// Claims and runs the due jobs once; returns how many ran.
pub async fn run_once(state: &AppState) -> Result<usize, augenmerk_store::StoreError> {
    let now = Utc::now();
    let lease = now + chrono::Duration::seconds(state.settings.mail.lease_seconds.max(1));
    let jobs = state.store.claim_jobs(now, lease, BATCH).await?;
    let n = jobs.len();
    for job in jobs {
        let outcome = run_job(state, &job).await;
        if let JobOutcome::Retry { error, .. } | JobOutcome::Failed { error } = &outcome {
            tracing::warn!(job = job.id, kind = job.kind.as_str(), %error, "delivery failed");
        }
        let name = match &outcome {
            JobOutcome::Done => "done",
            JobOutcome::Retry { .. } => "retry",
            JobOutcome::Failed { .. } => "failed",
            JobOutcome::Suppressed { .. } => "suppressed",
        };
        state.metrics.job_finished(job.kind.as_str(), name);
        state.store.finish_job(job.id, outcome, Utc::now()).await?;
    }
    Ok(n)
}

async fn run_job(state: &AppState, job: &Job) -> JobOutcome {
    let result = match job.kind {
        JobKind::Mail => send_mail(state, job).await,
        JobKind::Open311Forward => crate::forward::open311::deliver(state, job).await,
    };
    match result {
        Ok(outcome) => outcome,
        Err(Failure::Permanent(error)) => JobOutcome::Failed { error },
        Err(Failure::Transient(error)) => {
            let mail = &state.settings.mail;
            retry(
                job.attempts + 1,
                mail.max_attempts,
                mail.retry_base_seconds,
                Utc::now(),
                error,
            )
        }
    }
}

/// Why an attempt failed.
#[derive(Debug)]
pub enum Failure {
    /// Trying again will not help.
    Permanent(String),
    /// Try again later.
    Transient(String),
}

impl From<TransportError> for Failure {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Permanent(s) => Self::Permanent(s),
            // Unusable settings may be fixed by the operator: keep retrying.
            TransportError::Settings(s) | TransportError::Transient(s) => Self::Transient(s),
        }
    }
}

impl From<augenmerk_store::StoreError> for Failure {
    fn from(e: augenmerk_store::StoreError) -> Self {
        Self::Transient(format!("storage: {e}"))
    }
}

/// The next attempt after `attempts` failed ones: `base` seconds, doubling, at most 6 h;
/// given up after `max_attempts`.
pub fn retry(attempts: u32, max_attempts: u32, base: i64, now: DateTime<Utc>, error: String) -> JobOutcome {
    if attempts >= max_attempts {
        return JobOutcome::Failed { error };
    }
    let secs = base
        .max(1)
        .saturating_mul(1i64 << attempts.saturating_sub(1).min(20))
        .min(6 * 3600);
    JobOutcome::Retry {
        at: now + chrono::Duration::seconds(secs),
        error,
    }
}

async fn send_mail(state: &AppState, job: &Job) -> Result<JobOutcome, Failure> {
    let mail: OutgoingMail = serde_json::from_value(job.payload.clone())
        .map_err(|e| Failure::Permanent(format!("unreadable mail in the outbox: {e}")))?;
    if let Some(reason) = suppressed(state, &mail).await? {
        return Ok(JobOutcome::Suppressed { reason });
    }
    let mut photos = Vec::new();
    for (i, hash) in mail.attachments.iter().enumerate() {
        let photo = crate::blobs::photo_file(state, hash, i + 1)
            .await
            .map_err(Failure::Transient)?;
        photos.push(AttachedPhoto {
            name: photo.name,
            content_type: photo.content_type,
            bytes: photo.bytes.to_vec(),
        });
    }
    let message = build_message(&mail, &state.settings.mail.from, photos)?;
    state.mailer.transport.send(message).await?;
    crate::fault::after_send();
    Ok(JobOutcome::Done)
}

/// Applies the abuse rule to a citizen mail (staff and authority mails always go).
async fn suppressed(state: &AppState, mail: &OutgoingMail) -> Result<Option<String>, Failure> {
    if mail.kind == mail::MailKind::Alert {
        // An unsubscribe counts even for a round's mail queued before it.
        let confirmed = match mail.alert.as_deref() {
            Some(token) => match state.store.alert_by_token(token).await {
                Ok(a) => a.confirmed_at.is_some(),
                Err(augenmerk_store::StoreError::NotFound) => false,
                Err(e) => return Err(e.into()),
            },
            None => false,
        };
        return Ok((!confirmed).then(|| mail::Suppressed::Unsubscribed.as_str().to_owned()));
    }
    if !mail.kind.to_citizen() {
        return Ok(None);
    }
    let Some(report) = mail.report else {
        return Err(Failure::Permanent("a citizen mail without its report".into()));
    };
    let Some(subscription) = state.store.subscription(&report).await? else {
        return Ok(Some("no_subscription".into()));
    };
    let since = Utc::now() - chrono::Duration::hours(24);
    let recent = state
        .store
        .mails_to_since(&subscription.email.to_lowercase(), since)
        .await?;
    Ok(mail::decide(
        mail.kind,
        subscription.state(),
        recent,
        state.settings.mail.citizen_limits,
    )
    .err()
    .map(|s| s.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours_and_gives_up() {
        let now = Utc::now();
        let wait = |attempts| match retry(attempts, 12, 30, now, "x".into()) {
            JobOutcome::Retry { at, .. } => (at - now).num_seconds(),
            _ => -1,
        };
        assert_eq!(wait(1), 30);
        assert_eq!(wait(2), 60);
        assert_eq!(wait(5), 480);
        assert_eq!(wait(11), 6 * 3600);
        assert_eq!(wait(12), -1);
    }
}
