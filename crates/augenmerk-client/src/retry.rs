//! Retrying a request: exponential backoff with full jitter, honouring `Retry-After`.
//!
//! Only transient failures are retried (no connection, 5xx, 429, a garbled answer); a
//! refusal (4xx) is final for that request. Jitter spreads the retries of many devices
//! that lost the network together, so they do not return in one wave.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::error::RemoteError;

/// How often and how patiently to retry one request within a sync run.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total (1: no retry).
    pub attempts: u32,
    /// Backoff before the second attempt; doubles each time.
    pub base: Duration,
    /// Longest backoff.
    pub cap: Duration,
    /// Longest wait a server's `Retry-After` may impose.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 6,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(15),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (counting from 0), without a server hint.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.cap);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }

    /// The wait after a failure: the server's `Retry-After` if given, else the backoff.
    pub fn delay(&self, attempt: u32, error: &RemoteError) -> Duration {
        match error.retry_after() {
            Some(d) => d.min(self.max_retry_after),
            None => self.backoff(attempt),
        }
    }
}

/// Runs `op` until it succeeds, fails for good, or the attempts are used up.
pub async fn with_retry<T, F, Fut>(policy: &RetryPolicy, op: F) -> Result<T, RemoteError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RemoteError>>,
{
    with_retry_if(policy, RemoteError::is_transient, op).await
}

/// [`with_retry`] for a request that only some transient failures may repeat (a sign-in:
/// see `login::retryable`).
pub async fn with_retry_if<T, F, Fut>(
    policy: &RetryPolicy,
    retryable: impl Fn(&RemoteError) -> bool,
    mut op: F,
) -> Result<T, RemoteError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RemoteError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) if retryable(&e) && attempt + 1 < policy.attempts => {
                let wait = policy.delay(attempt, &e);
                tracing::debug!(error = %e, ?wait, attempt, "retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Parses a `Retry-After` value: seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let p = RetryPolicy {
            attempts: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        };
        for attempt in 0..10 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(1));
            for _ in 0..50 {
                assert!(p.backoff(attempt) <= ceiling);
            }
        }
    }

    #[test]
    fn retry_after_wins_over_backoff_but_is_capped() {
        let p = RetryPolicy::default();
        let e = RemoteError::Status {
            status: 429,
            code: None,
            message: String::new(),
            details: Vec::new(),
            retry_after: Some(Duration::from_secs(7)),
        };
        assert_eq!(p.delay(0, &e), Duration::from_secs(7));
        let long = RemoteError::Status {
            status: 503,
            code: None,
            message: String::new(),
            details: Vec::new(),
            retry_after: Some(Duration::from_secs(100_000)),
        };
        assert_eq!(p.delay(0, &long), p.max_retry_after);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 12 "), Some(Duration::from_secs(12)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[tokio::test]
    async fn only_transient_failures_are_retried() {
        let p = RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(2),
            max_retry_after: Duration::from_millis(2),
        };
        let mut calls = 0;
        let r: Result<(), _> = with_retry(&p, || {
            calls += 1;
            async { Err(RemoteError::Network("down".into())) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls, 4);
        let mut calls = 0;
        let r: Result<(), _> = with_retry(&p, || {
            calls += 1;
            async {
                Err(RemoteError::Status {
                    status: 422,
                    code: Some("validation_failed".into()),
                    message: String::new(),
                    details: Vec::new(),
                    retry_after: None,
                })
            }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }
}
