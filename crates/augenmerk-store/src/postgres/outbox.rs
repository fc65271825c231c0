//! The outbox (mail and forwarding jobs), periodic schedules, citizens' mail
//! subscriptions and the reports forwarded by Open311.
//!
//! Several instances run workers at once: a job is claimed with a lease by one
//! `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`, so that two
//! workers never get the same job and neither waits for the other's rows.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::mail::{MailKind, RecentMails};
use augenmerk_domain::{Ags, AuthorityId, Language, ReportId};

use super::codec::{bad, found, get_id, get_id_opt, get_json, get_ts, get_ts_opt, json, parsed, text, text_opt, ts};
use crate::outbox::{
    ExternalRequest, Job, JobKind, JobOutcome, JobState, NewJob, NewSubscription, SubscriptionChange,
    SubscriptionRecord,
};
use crate::{StoreError, StoreResult};

/// Queues jobs; a `dedupe_key` that exists is skipped. Takes any client because the
/// report, message and mailed-report writes call it inside their transactions.
pub(crate) async fn insert_jobs(c: &impl GenericClient, jobs: &[NewJob], now: &DateTime<Utc>) -> StoreResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let stmt = c
        .prepare_cached(
            "INSERT INTO jobs (kind, ags, report_id, dedupe_key, tag, recipient, payload, created_at, run_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .await?;
    let created_at = ts(now);
    for j in jobs {
        c.execute(
            &stmt,
            &[
                &j.kind.as_str(),
                &j.municipality.as_str(),
                &j.report.map(|r| r.to_string()),
                &j.dedupe_key,
                &j.tag,
                &j.recipient,
                &json(&j.payload)?,
                &created_at,
                &ts(&j.run_at),
            ],
        )
        .await?;
    }
    Ok(())
}

const JOB_COLUMNS: &str = "id, kind, ags, report_id, tag, recipient, payload, attempts, state, last_error, \
                           created_at, run_at, done_at";

fn job_from_row(row: &Row) -> StoreResult<Job> {
    let attempts: i64 = row.try_get("attempts")?;
    Ok(Job {
        id: row.try_get("id")?,
        kind: parsed(row, "kind", |s| JobKind::parse(s).ok_or("unknown job kind"))?,
        municipality: get_id(row, "ags")?,
        report: get_id_opt(row, "report_id")?,
        tag: text_opt(row, "tag")?,
        recipient: text_opt(row, "recipient")?,
        payload: get_json(row, "payload")?,
        attempts: u32::try_from(attempts).map_err(|e| bad("attempts", e))?,
        state: parsed(row, "state", |s| JobState::parse(s).ok_or("unknown job state"))?,
        last_error: text_opt(row, "last_error")?,
        created_at: get_ts(row, "created_at")?,
        run_at: get_ts(row, "run_at")?,
        done_at: get_ts_opt(row, "done_at")?,
    })
}

/// Claims due jobs with a lease (what SQLite's claim sets: the lease only; `attempts`
/// counts when the attempt ends, in [`finish_job`]).
///
/// `SKIP LOCKED` passes over rows another instance is claiming right now; a row another
/// instance claimed and committed since this statement's snapshot is re-checked by
/// PostgreSQL against the `WHERE` once locked (READ COMMITTED), and its new lease
/// excludes it. So each due job goes to exactly one caller.
pub(crate) async fn claim_jobs(
    tx: &Transaction<'_>,
    now: &DateTime<Utc>,
    lease_until: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<Job>> {
    let stmt = tx
        .prepare_cached(&format!(
            "UPDATE jobs SET locked_until = $2
             WHERE id IN (SELECT id FROM jobs
                          WHERE state = 'pending' AND run_at <= $1
                            AND (locked_until IS NULL OR locked_until < $1)
                          ORDER BY run_at, id LIMIT $3
                          FOR UPDATE SKIP LOCKED)
             RETURNING {JOB_COLUMNS}"
        ))
        .await?;
    let rows = tx
        .query(&stmt, &[&ts(now), &ts(lease_until), &i64::from(limit)])
        .await?;
    let mut jobs = rows.iter().map(job_from_row).collect::<StoreResult<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Records the end of an attempt.
pub(crate) async fn finish_job(
    tx: &Transaction<'_>,
    id: i64,
    outcome: &JobOutcome,
    now: &DateTime<Utc>,
) -> StoreResult<()> {
    let changed = match outcome {
        JobOutcome::Done => {
            tx.execute(
                "UPDATE jobs SET state = 'done', attempts = attempts + 1, done_at = $2, locked_until = NULL,
                     last_error = NULL WHERE id = $1",
                &[&id, &ts(now)],
            )
            .await?
        }
        JobOutcome::Retry { at, error } => {
            tx.execute(
                "UPDATE jobs SET attempts = attempts + 1, run_at = $2, last_error = $3, locked_until = NULL
                 WHERE id = $1",
                &[&id, &ts(at), error],
            )
            .await?
        }
        JobOutcome::Failed { error } => {
            tx.execute(
                "UPDATE jobs SET state = 'failed', attempts = attempts + 1, done_at = $2, last_error = $3,
                     locked_until = NULL WHERE id = $1",
                &[&id, &ts(now), error],
            )
            .await?
        }
        JobOutcome::Suppressed { reason } => {
            tx.execute(
                "UPDATE jobs SET state = 'suppressed', done_at = $2, last_error = $3, locked_until = NULL
                 WHERE id = $1",
                &[&id, &ts(now), reason],
            )
            .await?
        }
    };
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The jobs about a report.
pub(crate) async fn report_jobs(c: &impl GenericClient, ags: &Ags, report: &ReportId) -> StoreResult<Vec<Job>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE report_id = $1 AND ags = $2 ORDER BY id"
        ))
        .await?;
    let rows = c.query(&stmt, &[&report.to_string(), &ags.as_str()]).await?;
    rows.iter().map(job_from_row).collect()
}

/// Mails delivered to an address since `since`.
/// Jobs waiting or given up, per kind and state.
pub(crate) async fn job_counts(c: &impl GenericClient) -> StoreResult<Vec<(String, String, u64)>> {
    let rows = c
        .query(
            "SELECT kind, state, count(*) AS n FROM jobs WHERE state IN ('pending', 'failed') GROUP BY kind, state",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.try_get("n")?;
            Ok((r.try_get("kind")?, r.try_get("state")?, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}

pub(crate) async fn mails_to_since(
    c: &impl GenericClient,
    recipient: &str,
    since: &DateTime<Utc>,
) -> StoreResult<RecentMails> {
    let stmt = c
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE tag IN ($3, $4)) AS receipts, count(*) AS all_mails FROM jobs
             WHERE recipient = $1 AND kind = 'mail' AND state = 'done' AND done_at >= $2",
        )
        .await?;
    let row = c
        .query_one(
            &stmt,
            &[
                &recipient,
                &ts(since),
                &MailKind::Receipt.as_str(),
                &MailKind::NewLink.as_str(),
            ],
        )
        .await?;
    let count = |column: &str| -> StoreResult<u32> {
        let n: i64 = row.try_get(column)?;
        u32::try_from(n).map_err(|e| bad(column, e))
    };
    Ok(RecentMails {
        receipts: count("receipts")?,
        all: count("all_mails")?,
    })
}

/// When a schedule runs next.
pub(crate) async fn next_run(c: &impl GenericClient, name: &str) -> StoreResult<Option<DateTime<Utc>>> {
    let stmt = c
        .prepare_cached("SELECT next_run FROM schedules WHERE name = $1")
        .await?;
    c.query_opt(&stmt, &[&name])
        .await?
        .map(|row| get_ts(&row, "next_run"))
        .transpose()
}

/// Sets a schedule's next run.
pub(crate) async fn set_schedule(tx: &Transaction<'_>, name: &str, next: &DateTime<Utc>) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO schedules (name, next_run) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET next_run = excluded.next_run",
        &[&name, &ts(next)],
    )
    .await?;
    Ok(())
}

/// Stores a new report's subscription (called by the report insert, in its transaction;
/// the report's id is new there, so the key cannot exist yet).
pub(crate) async fn insert_subscription(
    c: &impl GenericClient,
    report: &ReportId,
    ags: &Ags,
    sub: &NewSubscription,
    now: &DateTime<Utc>,
) -> StoreResult<()> {
    c.execute(
        "INSERT INTO report_subscriptions (report_id, ags, email, language, token, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &report.to_string(),
            &ags.as_str(),
            &sub.email,
            &sub.language.as_str(),
            &sub.token,
            &ts(now),
        ],
    )
    .await?;
    Ok(())
}

const SUBSCRIPTION_COLUMNS: &str = "report_id, ags, email, language, token, confirmed_at, unsubscribed_at";

fn subscription_from_row(row: &Row) -> StoreResult<SubscriptionRecord> {
    Ok(SubscriptionRecord {
        report: get_id(row, "report_id")?,
        municipality: get_id(row, "ags")?,
        email: text(row, "email")?,
        language: Language::from_tag(row.try_get::<_, &str>("language")?),
        token: text(row, "token")?,
        confirmed_at: get_ts_opt(row, "confirmed_at")?,
        unsubscribed_at: get_ts_opt(row, "unsubscribed_at")?,
    })
}

/// A report's subscription.
pub(crate) async fn subscription(c: &impl GenericClient, report: &ReportId) -> StoreResult<Option<SubscriptionRecord>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM report_subscriptions WHERE report_id = $1"
        ))
        .await?;
    c.query_opt(&stmt, &[&report.to_string()])
        .await?
        .map(|row| subscription_from_row(&row))
        .transpose()
}

/// The subscription behind a link.
pub(crate) async fn subscription_by_token(c: &impl GenericClient, token: &str) -> StoreResult<SubscriptionRecord> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM report_subscriptions WHERE token = $1"
        ))
        .await?;
    subscription_from_row(&found(c.query_opt(&stmt, &[&token]).await?)?)
}

/// Changes a subscription. Each change is one statement whose `coalesce` keeps the first
/// confirmation or unsubscription, so concurrent requests agree on it.
pub(crate) async fn change_subscription(
    tx: &Transaction<'_>,
    report: &ReportId,
    change: &SubscriptionChange,
    at: &DateTime<Utc>,
) -> StoreResult<()> {
    let id = report.to_string();
    let changed = match change {
        SubscriptionChange::Confirm => {
            tx.execute(
                "UPDATE report_subscriptions SET confirmed_at = coalesce(confirmed_at, $2) WHERE report_id = $1",
                &[&id, &ts(at)],
            )
            .await?
        }
        SubscriptionChange::Unsubscribe => {
            tx.execute(
                "UPDATE report_subscriptions SET unsubscribed_at = coalesce(unsubscribed_at, $2)
                 WHERE report_id = $1",
                &[&id, &ts(at)],
            )
            .await?
        }
        SubscriptionChange::Resubscribe => {
            tx.execute(
                "UPDATE report_subscriptions SET unsubscribed_at = NULL WHERE report_id = $1",
                &[&id],
            )
            .await?
        }
        SubscriptionChange::NewToken(hash) => {
            tx.execute(
                "UPDATE report_subscriptions SET token = $2 WHERE report_id = $1",
                &[&id, hash],
            )
            .await?
        }
    };
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records an authority's answer to a forwarding, with its audit entry.
pub(crate) async fn record_external(tx: &Transaction<'_>, r: &ExternalRequest, audit: &AuditEntry) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO external_requests (report_id, ags, authority, service_request_id, forwarded_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (report_id) DO UPDATE SET authority = excluded.authority,
             service_request_id = excluded.service_request_id, forwarded_at = excluded.forwarded_at,
             last_status = NULL, last_update_at = NULL",
        &[
            &r.report.to_string(),
            &r.municipality.as_str(),
            &r.authority.as_str(),
            &r.service_request_id,
            &ts(&r.forwarded_at),
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES ($1, $2, $3, $4, $5)",
        &[
            &audit.report_id.to_string(),
            &ts(&audit.at),
            &json(&audit.actor)?,
            &json(&audit.action)?,
            &audit.public_comment,
        ],
    )
    .await?;
    Ok(())
}

/// Forwarded reports still open at the authority.
pub(crate) async fn open_external_requests(
    c: &impl GenericClient,
    ags: &Ags,
    authority: &AuthorityId,
) -> StoreResult<Vec<ExternalRequest>> {
    let stmt = c
        .prepare_cached(
            "SELECT report_id, ags, authority, service_request_id, forwarded_at, last_status, last_update_at
             FROM external_requests WHERE ags = $1 AND authority = $2 AND coalesce(last_status, '') <> 'closed'
             ORDER BY forwarded_at",
        )
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str(), &authority.as_str()]).await?;
    rows.iter()
        .map(|row| {
            Ok(ExternalRequest {
                report: get_id(row, "report_id")?,
                municipality: get_id(row, "ags")?,
                authority: get_id(row, "authority")?,
                service_request_id: text(row, "service_request_id")?,
                forwarded_at: get_ts(row, "forwarded_at")?,
                last_status: text_opt(row, "last_status")?,
                last_update_at: get_ts_opt(row, "last_update_at")?,
            })
        })
        .collect()
}

/// Records the authority's latest status.
pub(crate) async fn update_external(
    tx: &Transaction<'_>,
    report: &ReportId,
    status: &str,
    at: &DateTime<Utc>,
    polled_at: &DateTime<Utc>,
) -> StoreResult<()> {
    let changed = tx
        .execute(
            "UPDATE external_requests SET last_status = $2, last_update_at = $3, polled_at = $4 WHERE report_id = $1",
            &[&report.to_string(), &status, &ts(at), &ts(polled_at)],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
