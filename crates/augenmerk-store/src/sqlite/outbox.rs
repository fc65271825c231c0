//! The outbox (mail and forwarding jobs), periodic schedules, citizens' mail
//! subscriptions and the reports forwarded by Open311.
//!
//! Claiming is one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`: on SQLite the
//! single writer makes it atomic; the PostgreSQL backend will add `FOR UPDATE SKIP
//! LOCKED` to the inner select, with the same shape.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::mail::{MailKind, RecentMails};
use augenmerk_domain::{Ags, AuthorityId, Language, ReportId};

use super::codec::{get_id, get_id_opt, get_json, get_ts, get_ts_opt, json, parsed, ts};
use crate::outbox::{
    ExternalRequest, Job, JobKind, JobOutcome, JobState, NewJob, NewSubscription, SubscriptionChange,
    SubscriptionRecord,
};
use crate::{StoreError, StoreResult};

/// Queues jobs; a `dedupe_key` that exists is skipped.
pub(crate) fn insert_jobs(conn: &Connection, jobs: &[NewJob], now: &DateTime<Utc>) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO jobs (kind, ags, report_id, dedupe_key, tag, recipient, payload, created_at, run_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (dedupe_key) DO NOTHING",
    )?;
    for j in jobs {
        stmt.execute(params![
            j.kind.as_str(),
            j.municipality.as_str(),
            j.report.map(|r| r.to_string()),
            j.dedupe_key,
            j.tag,
            j.recipient,
            json(&j.payload)?,
            ts(now),
            ts(&j.run_at),
        ])?;
    }
    Ok(())
}

const JOB_COLUMNS: &str = "id, kind, ags, report_id, tag, recipient, payload, attempts, state, last_error, \
                           created_at, run_at, done_at";

fn job_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Job> {
    Ok(Job {
        id: row.get("id")?,
        kind: parsed(row, "kind", |s| JobKind::parse(s).ok_or("unknown job kind"))?,
        municipality: get_id(row, "ags")?,
        report: get_id_opt(row, "report_id")?,
        tag: row.get("tag")?,
        recipient: row.get("recipient")?,
        payload: get_json(row, "payload")?,
        attempts: row.get("attempts")?,
        state: parsed(row, "state", |s| JobState::parse(s).ok_or("unknown job state"))?,
        last_error: row.get("last_error")?,
        created_at: get_ts(row, "created_at")?,
        run_at: get_ts(row, "run_at")?,
        done_at: get_ts_opt(row, "done_at")?,
    })
}

/// Claims due jobs with a lease.
pub(crate) fn claim_jobs(
    conn: &Connection,
    now: &DateTime<Utc>,
    lease_until: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<Job>> {
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE jobs SET locked_until = ?2
         WHERE id IN (SELECT id FROM jobs
                      WHERE state = 'pending' AND run_at <= ?1 AND (locked_until IS NULL OR locked_until < ?1)
                      ORDER BY run_at, id LIMIT ?3)
         RETURNING {JOB_COLUMNS}"
    ))?;
    let mut jobs = stmt
        .query_map(params![ts(now), ts(lease_until), limit], job_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Records the end of an attempt.
pub(crate) fn finish_job(conn: &Connection, id: i64, outcome: &JobOutcome, now: &DateTime<Utc>) -> StoreResult<()> {
    let changed = match outcome {
        JobOutcome::Done => conn
            .prepare_cached(
                "UPDATE jobs SET state = 'done', attempts = attempts + 1, done_at = ?2, locked_until = NULL,
                     last_error = NULL WHERE id = ?1",
            )?
            .execute(params![id, ts(now)])?,
        JobOutcome::Retry { at, error } => conn
            .prepare_cached(
                "UPDATE jobs SET attempts = attempts + 1, run_at = ?2, last_error = ?3, locked_until = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id, ts(at), error])?,
        JobOutcome::Failed { error } => conn
            .prepare_cached(
                "UPDATE jobs SET state = 'failed', attempts = attempts + 1, done_at = ?2, last_error = ?3,
                     locked_until = NULL WHERE id = ?1",
            )?
            .execute(params![id, ts(now), error])?,
        JobOutcome::Suppressed { reason } => conn
            .prepare_cached(
                "UPDATE jobs SET state = 'suppressed', done_at = ?2, last_error = ?3, locked_until = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id, ts(now), reason])?,
    };
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The jobs about a report.
pub(crate) fn report_jobs(conn: &Connection, ags: &Ags, report: &ReportId) -> StoreResult<Vec<Job>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE report_id = ?1 AND ags = ?2 ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![report.to_string(), ags.as_str()], job_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Mails delivered to an address since `since`.
pub(crate) fn mails_to_since(conn: &Connection, recipient: &str, since: &DateTime<Utc>) -> StoreResult<RecentMails> {
    let (receipts, all) = conn
        .prepare_cached(
            "SELECT coalesce(sum(tag IN (?3, ?4)), 0), count(*) FROM jobs
             WHERE recipient = ?1 AND kind = 'mail' AND state = 'done' AND done_at >= ?2",
        )?
        .query_row(
            params![
                recipient,
                ts(since),
                MailKind::Receipt.as_str(),
                MailKind::NewLink.as_str()
            ],
            |r| Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?)),
        )?;
    Ok(RecentMails { receipts, all })
}

/// Jobs waiting or given up, per kind and state.
pub(crate) fn job_counts(conn: &Connection) -> StoreResult<Vec<(String, String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, state, count(*) FROM jobs WHERE state IN ('pending', 'failed') GROUP BY kind, state",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, state, n) = row?;
        out.push((kind, state, u64::try_from(n).unwrap_or(0)));
    }
    Ok(out)
}

/// When a schedule runs next.
pub(crate) fn next_run(conn: &Connection, name: &str) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(conn
        .prepare_cached("SELECT next_run FROM schedules WHERE name = ?1")?
        .query_row([name], |r| get_ts(r, "next_run"))
        .optional()?)
}

/// Sets a schedule's next run.
pub(crate) fn set_schedule(conn: &Connection, name: &str, next: &DateTime<Utc>) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO schedules (name, next_run) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET next_run = excluded.next_run",
    )?
    .execute(params![name, ts(next)])?;
    Ok(())
}

/// Stores a new report's subscription.
pub(crate) fn insert_subscription(
    conn: &Connection,
    report: &ReportId,
    ags: &Ags,
    sub: &NewSubscription,
    now: &DateTime<Utc>,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO report_subscriptions (report_id, ags, email, language, token, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        report.to_string(),
        ags.as_str(),
        sub.email,
        sub.language.as_str(),
        sub.token,
        ts(now)
    ])?;
    Ok(())
}

const SUBSCRIPTION_COLUMNS: &str = "report_id, ags, email, language, token, confirmed_at, unsubscribed_at";

fn subscription_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SubscriptionRecord> {
    Ok(SubscriptionRecord {
        report: get_id(row, "report_id")?,
        municipality: get_id(row, "ags")?,
        email: row.get("email")?,
        language: Language::from_tag(&row.get::<_, String>("language")?),
        token: row.get("token")?,
        confirmed_at: get_ts_opt(row, "confirmed_at")?,
        unsubscribed_at: get_ts_opt(row, "unsubscribed_at")?,
    })
}

/// A report's subscription.
pub(crate) fn subscription(conn: &Connection, report: &ReportId) -> StoreResult<Option<SubscriptionRecord>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM report_subscriptions WHERE report_id = ?1"
        ))?
        .query_row([report.to_string()], subscription_from_row)
        .optional()?)
}

/// The subscription behind a link.
pub(crate) fn subscription_by_token(conn: &Connection, token: &str) -> StoreResult<SubscriptionRecord> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM report_subscriptions WHERE token = ?1"
        ))?
        .query_row([token], subscription_from_row)?)
}

/// Changes a subscription.
pub(crate) fn change_subscription(
    conn: &Connection,
    report: &ReportId,
    change: &SubscriptionChange,
    at: &DateTime<Utc>,
) -> StoreResult<()> {
    let id = report.to_string();
    let changed = match change {
        SubscriptionChange::Confirm => conn
            .prepare_cached(
                "UPDATE report_subscriptions SET confirmed_at = coalesce(confirmed_at, ?2) WHERE report_id = ?1",
            )?
            .execute(params![id, ts(at)])?,
        SubscriptionChange::Unsubscribe => conn
            .prepare_cached(
                "UPDATE report_subscriptions SET unsubscribed_at = coalesce(unsubscribed_at, ?2)
                 WHERE report_id = ?1",
            )?
            .execute(params![id, ts(at)])?,
        SubscriptionChange::Resubscribe => conn
            .prepare_cached("UPDATE report_subscriptions SET unsubscribed_at = NULL WHERE report_id = ?1")?
            .execute(params![id])?,
        SubscriptionChange::NewToken(hash) => conn
            .prepare_cached("UPDATE report_subscriptions SET token = ?2 WHERE report_id = ?1")?
            .execute(params![id, hash])?,
    };
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records an authority's answer to a forwarding, with its audit entry.
pub(crate) fn record_external(conn: &Connection, r: &ExternalRequest, audit: &AuditEntry) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO external_requests (report_id, ags, authority, service_request_id, forwarded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (report_id) DO UPDATE SET authority = excluded.authority,
             service_request_id = excluded.service_request_id, forwarded_at = excluded.forwarded_at,
             last_status = NULL, last_update_at = NULL",
    )?
    .execute(params![
        r.report.to_string(),
        r.municipality.as_str(),
        r.authority.as_str(),
        r.service_request_id,
        ts(&r.forwarded_at)
    ])?;
    conn.prepare_cached(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        audit.report_id.to_string(),
        ts(&audit.at),
        json(&audit.actor)?,
        json(&audit.action)?,
        audit.public_comment
    ])?;
    Ok(())
}

/// Forwarded reports still open at the authority.
pub(crate) fn open_external_requests(
    conn: &Connection,
    ags: &Ags,
    authority: &AuthorityId,
) -> StoreResult<Vec<ExternalRequest>> {
    let mut stmt = conn.prepare_cached(
        "SELECT report_id, ags, authority, service_request_id, forwarded_at, last_status, last_update_at
         FROM external_requests WHERE ags = ?1 AND authority = ?2 AND coalesce(last_status, '') <> 'closed'
         ORDER BY forwarded_at",
    )?;
    let rows = stmt.query_map(params![ags.as_str(), authority.as_str()], |row| {
        Ok(ExternalRequest {
            report: get_id(row, "report_id")?,
            municipality: get_id(row, "ags")?,
            authority: get_id(row, "authority")?,
            service_request_id: row.get("service_request_id")?,
            forwarded_at: get_ts(row, "forwarded_at")?,
            last_status: row.get("last_status")?,
            last_update_at: get_ts_opt(row, "last_update_at")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records the authority's latest status.
pub(crate) fn update_external(
    conn: &Connection,
    report: &ReportId,
    status: &str,
    at: &DateTime<Utc>,
    polled_at: &DateTime<Utc>,
) -> StoreResult<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE external_requests SET last_status = ?2, last_update_at = ?3, polled_at = ?4 WHERE report_id = ?1",
        )?
        .execute(params![report.to_string(), status, ts(at), ts(polled_at)])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
