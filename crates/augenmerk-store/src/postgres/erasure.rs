//! Erasing personal data from reports, withdrawing reports, and the erasure log.
//!
//! An erasure marks the report (`contact_erased_at`, `content_erased_at`), so that a
//! report is erased at most once per scope and retention finds only what is left to do.
//! The anonymous skeleton (category, place, dates, status history, department, answers
//! that are no free text) stays. Photos that nothing refers to any more are handed back
//! to the caller, who deletes their files and then forgets them (`housekeeping`).
//!
//! Both writes decide on what they read (is it erased yet, has staff touched it), so
//! they lock the report's row first: a concurrent erasure, withdrawal or staff write of
//! another instance waits for this transaction and then sees its result.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};

use augenmerk_domain::audit::{Actor, AuditAction};
use augenmerk_domain::privacy::{ErasureCandidate, ErasureLogEntry, ErasureReason, ErasureScope};
use augenmerk_domain::report::{Answers, Email};
use augenmerk_domain::{Ags, BlobHash, ReportId};

use super::codec::{bad, found, get_id, get_ts, json, parse_wire, parsed, text, text_opt, ts, wire_name};
use crate::privacy::{Erased, Erasure, ErasureTarget};
use crate::{StoreError, StoreResult};

/// What a mail job keeps once its report's personal data is gone: the mail log still
/// shows kind, time and state, but no longer what was sent to whom.
const ERASED_PAYLOAD: &str = r#"{"erased":true}"#;

/// The tables that hold personal data, or held it before an erasure (see [`scrub`]).
const PERSONAL_TABLES: &str = "reports, messages, notes, events, audit, report_subscriptions, jobs, \
     mailed_reports, erasure_tokens, devices, blob_uploads, followers, withdrawn_reports, \
     alert_subscriptions";

/// Erases each target of the municipality that is not yet erased at the scope.
pub(crate) async fn erase_reports(
    tx: &Transaction<'_>,
    ags: &Ags,
    targets: &[ErasureTarget],
    erasure: &Erasure,
) -> StoreResult<Erased> {
    let mut changed = 0_u32;
    let mut removed: Vec<BlobHash> = Vec::new();
    // Rows are locked in one order (by id), so that two erasures of overlapping lists
    // wait for each other instead of deadlocking.
    let mut ordered: Vec<&ErasureTarget> = targets.iter().collect();
    ordered.sort_by_cached_key(|t| t.id.to_string());
    for target in ordered {
        if !is_due(tx, ags, &target.id, erasure.scope).await? {
            continue;
        }
        erase_contact(tx, &target.id, &erasure.at).await?;
        if erasure.scope == ErasureScope::Content {
            removed.extend(erase_content(tx, &target.id, &target.answers, &erasure.at).await?);
        }
        drop_jobs(tx, &target.id).await?;
        // A report taken in from a mailed one kept its mailed copy (the whole report as
        // JSON); the report itself is what is kept from now on.
        tx.execute(
            "DELETE FROM mailed_reports WHERE id = $1 AND imported_at IS NOT NULL",
            &[&target.id.to_string()],
        )
        .await?;
        audit_removal(tx, &target.id, erasure).await?;
        changed += 1;
    }
    if changed > 0 {
        log_erasure(tx, ags, erasure, changed).await?;
    }
    Ok(Erased {
        reports: changed,
        orphaned_photos: orphaned(tx, removed).await?,
    })
}

/// Whether a report is the municipality's and not yet erased at `scope` (or wider).
/// Locks the report's row until the transaction ends: of two instances erasing the same
/// report, the second sees the first one's marks and skips it (nothing counted twice).
async fn is_due(tx: &Transaction<'_>, ags: &Ags, id: &ReportId, scope: ErasureScope) -> StoreResult<bool> {
    let row = tx
        .query_opt(
            "SELECT contact_erased_at IS NOT NULL AS contact, content_erased_at IS NOT NULL AS content
             FROM reports WHERE id = $1 AND ags = $2 FOR UPDATE",
            &[&id.to_string(), &ags.as_str()],
        )
        .await?;
    let state: Option<(bool, bool)> = match row {
        Some(row) => Some((row.try_get("contact")?, row.try_get("content")?)),
        None => None,
    };
    Ok(match state {
        None | Some((_, true)) => false,
        Some((contact, false)) => scope == ErasureScope::Content || !contact,
    })
}

/// Removes the contact address; the mail subscription keeps its status link but no
/// address, and sends nothing any more.
async fn erase_contact(tx: &Transaction<'_>, id: &ReportId, at: &DateTime<Utc>) -> StoreResult<()> {
    let (id, at) = (id.to_string(), ts(at));
    tx.execute(
        "UPDATE reports SET contact_email = NULL, contact_erased_at = coalesce(contact_erased_at, $2) WHERE id = $1",
        &[&id, &at],
    )
    .await?;
    tx.execute(
        "UPDATE report_subscriptions SET email = '', unsubscribed_at = coalesce(unsubscribed_at, $2)
         WHERE report_id = $1",
        &[&id, &at],
    )
    .await?;
    Ok(())
}

/// Removes what the citizen wrote and photographed, the conversation, the internal notes
/// and the links to devices; returns the photos the report referenced.
async fn erase_content(
    tx: &Transaction<'_>,
    id: &ReportId,
    answers: &Answers,
    at: &DateTime<Utc>,
) -> StoreResult<Vec<BlobHash>> {
    let id = id.to_string();
    let photos = report_photos(tx, &id).await?;
    tx.execute(
        "UPDATE reports SET description = '', answers = $2, photos = '[]', device_id = NULL,
             content_erased_at = $3 WHERE id = $1",
        &[&id, &json(answers)?, &ts(at)],
    )
    .await?;
    for sql in [
        "DELETE FROM report_photos WHERE report_id = $1",
        "DELETE FROM messages WHERE report_id = $1",
        "DELETE FROM events WHERE report_id = $1 AND kind = 'message'",
        "DELETE FROM notes WHERE report_id = $1",
        "DELETE FROM followers WHERE report_id = $1",
        // The status history stays (it is the skeleton), but no device's feed carries it.
        "UPDATE events SET device_id = NULL WHERE report_id = $1",
    ] {
        tx.execute(sql, &[&id]).await?;
    }
    Ok(photos)
}

/// The photos a report references (the citizen's and completion photos).
async fn report_photos(c: &impl GenericClient, id: &str) -> StoreResult<Vec<BlobHash>> {
    let rows = c
        .query("SELECT hash FROM report_photos WHERE report_id = $1", &[&id])
        .await?;
    rows.iter().map(|r| parsed(r, "hash", BlobHash::parse)).collect()
}

/// Drops the queued mails and forwardings about a report (or mailed report); those
/// already handled lose what they carried and where they went.
pub(crate) async fn drop_jobs(c: &impl GenericClient, id: &ReportId) -> StoreResult<()> {
    let id = id.to_string();
    c.execute("DELETE FROM jobs WHERE report_id = $1 AND state = 'pending'", &[&id])
        .await?;
    // An error text may quote the address (an SMTP rejection does), so it goes too.
    c.execute(
        "UPDATE jobs SET payload = $2, recipient = NULL, last_error = NULL WHERE report_id = $1",
        &[&id, &ERASED_PAYLOAD],
    )
    .await?;
    Ok(())
}

async fn audit_removal(tx: &Transaction<'_>, id: &ReportId, erasure: &Erasure) -> StoreResult<()> {
    let action = AuditAction::PersonalDataRemoved {
        reason: erasure.reason,
        scope: erasure.scope,
    };
    tx.execute(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES ($1, $2, $3, $4, NULL)",
        &[
            &id.to_string(),
            &ts(&erasure.at),
            &json(&erasure.actor)?,
            &json(&action)?,
        ],
    )
    .await?;
    Ok(())
}

/// Appends a line to the municipality's erasure log.
async fn log_erasure(tx: &Transaction<'_>, ags: &Ags, erasure: &Erasure, reports: u32) -> StoreResult<()> {
    let staff_name = match &erasure.actor {
        Actor::Staff { name, .. } => Some(name.as_str()),
        _ => None,
    };
    tx.execute(
        "INSERT INTO erasure_log (ags, at, reason, scope, actor, staff_name, reference, reports)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &ags.as_str(),
            &ts(&erasure.at),
            &wire_name(&erasure.reason)?,
            &wire_name(&erasure.scope)?,
            &json(&erasure.actor)?,
            &staff_name,
            &erasure.reference,
            &i64::from(reports),
        ],
    )
    .await?;
    Ok(())
}

/// The erasure log of a municipality, newest first.
pub(crate) async fn erasure_log(c: &impl GenericClient, ags: &Ags, limit: u32) -> StoreResult<Vec<ErasureLogEntry>> {
    let stmt = c
        .prepare_cached(
            "SELECT at, reason, scope, staff_name, reference, reports FROM erasure_log WHERE ags = $1
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str(), &i64::from(limit)]).await?;
    rows.iter()
        .map(|row| {
            let reports: i64 = row.try_get("reports")?;
            Ok(ErasureLogEntry {
                at: get_ts(row, "at")?,
                reason: parsed(row, "reason", parse_wire::<ErasureReason>)?,
                scope: parsed(row, "scope", parse_wire::<ErasureScope>)?,
                staff_name: text_opt(row, "staff_name")?,
                reference: text_opt(row, "reference")?,
                reports: u32::try_from(reports).map_err(|e| bad("reports", e))?,
            })
        })
        .collect()
}

/// Withdraws a report nobody has handled yet: deletes it with everything that hangs on
/// it and keeps a tombstone and a log line.
pub(crate) async fn withdraw_report(
    tx: &Transaction<'_>,
    ags: &Ags,
    id: &ReportId,
    actor: &Actor,
    at: &DateTime<Utc>,
) -> StoreResult<Erased> {
    let key = id.to_string();
    // The lock makes the check and the deletion one step: a staff update waits and then
    // finds no report, and a staff message (its foreign key locks the report's row) is
    // either committed before, and seen below, or fails afterwards.
    let row = tx
        .query_opt(
            "SELECT status FROM reports WHERE id = $1 AND ags = $2 FOR UPDATE",
            &[&key, &ags.as_str()],
        )
        .await?;
    let status = text(&found(row)?, "status")?;
    let status = augenmerk_domain::Status::parse(&status).ok_or(StoreError::Conflict)?;
    // Nobody has handled it: routed by the rules at most (the domain's rule), and no
    // staff member has acted on it or written to the citizen.
    let touched: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM audit WHERE report_id = $1 AND (actor::jsonb ->> 'kind') = 'staff')
                 OR EXISTS (SELECT 1 FROM messages WHERE report_id = $1 AND author = 'municipality')",
            &[&key],
        )
        .await?
        .try_get(0)?;
    if !augenmerk_domain::privacy::withdrawable(status) || touched {
        return Err(StoreError::Conflict);
    }
    let photos = report_photos(tx, &key).await?;
    // These refer to the report without ON DELETE CASCADE (they outlive a report's
    // content otherwise); audit, events, messages, notes, followers and photo links
    // cascade with the report.
    for sql in [
        "DELETE FROM report_subscriptions WHERE report_id = $1",
        "DELETE FROM jobs WHERE report_id = $1",
        "DELETE FROM external_requests WHERE report_id = $1",
        "DELETE FROM mailed_reports WHERE id = $1 AND imported_at IS NOT NULL",
        "DELETE FROM reports WHERE id = $1",
    ] {
        tx.execute(sql, &[&key]).await?;
    }
    tx.execute(
        "INSERT INTO withdrawn_reports (id, ags, withdrawn_at, actor) VALUES ($1, $2, $3, $4)",
        &[&key, &ags.as_str(), &ts(at), &json(actor)?],
    )
    .await?;
    let erasure = Erasure {
        scope: ErasureScope::Content,
        reason: ErasureReason::Withdrawal,
        actor: actor.clone(),
        reference: None,
        at: *at,
    };
    log_erasure(tx, ags, &erasure, 1).await?;
    Ok(Erased {
        reports: 1,
        orphaned_photos: orphaned(tx, photos).await?,
    })
}

/// Closed reports of a municipality, closed before `closed_before` and not yet erased at
/// `scope`, oldest first.
pub(crate) async fn retention_due(
    c: &impl GenericClient,
    ags: &Ags,
    scope: ErasureScope,
    closed_before: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<ReportId>> {
    let sql = match scope {
        ErasureScope::Contact => {
            "SELECT id FROM reports WHERE ags = $1 AND closed_at < $2 AND status = 'closed'
                 AND contact_erased_at IS NULL AND content_erased_at IS NULL
             ORDER BY closed_at, id LIMIT $3"
        }
        ErasureScope::Content => {
            "SELECT id FROM reports WHERE ags = $1 AND closed_at < $2 AND status = 'closed'
                 AND content_erased_at IS NULL
             ORDER BY closed_at, id LIMIT $3"
        }
    };
    let stmt = c.prepare_cached(sql).await?;
    let rows = c
        .query(&stmt, &[&ags.as_str(), &ts(closed_before), &i64::from(limit)])
        .await?;
    rows.iter().map(|r| get_id(r, "id")).collect()
}

/// Reports sent with an address (any case), of one municipality or all, oldest first.
pub(crate) async fn reports_by_email(
    c: &impl GenericClient,
    ags: Option<&Ags>,
    email: &Email,
) -> StoreResult<Vec<(Ags, ErasureCandidate)>> {
    // `contact_email IS NOT NULL` matches the partial index on `lower(contact_email)`.
    let stmt = c
        .prepare_cached(
            "SELECT ags, id, category, status, received_at FROM reports
             WHERE lower(contact_email) = lower($1::text) AND contact_email IS NOT NULL
               AND ($2::text IS NULL OR ags = $2::text)
             ORDER BY received_at, id",
        )
        .await?;
    let rows = c.query(&stmt, &[&email.as_str(), &ags.map(|a| a.as_str())]).await?;
    rows.iter()
        .map(|row| {
            Ok((
                parsed(row, "ags", Ags::parse)?,
                ErasureCandidate {
                    id: get_id(row, "id")?,
                    category: get_id(row, "category")?,
                    status: parsed(row, "status", |s| {
                        augenmerk_domain::Status::parse(s).ok_or("unknown status")
                    })?,
                    received_at: get_ts(row, "received_at")?,
                },
            ))
        })
        .collect()
}

/// Whether nothing refers to a photo (`$1`) any more: no report, no staff upload, no
/// mailed report. A device's upload record does not count (it is what makes a photo
/// unused).
pub(crate) const UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM report_photos p WHERE p.hash = $1)
     AND NOT EXISTS (SELECT 1 FROM blob_staff_uploads s WHERE s.hash = $1)
     AND NOT EXISTS (SELECT 1 FROM mailed_reports m, jsonb_array_elements_text(m.report::jsonb -> 'photos') j(hash)
                     WHERE j.hash = $1)";

/// The photos among `hashes` that nothing refers to any more, each once.
pub(crate) async fn orphaned(c: &impl GenericClient, mut hashes: Vec<BlobHash>) -> StoreResult<Vec<BlobHash>> {
    hashes.sort();
    hashes.dedup();
    if hashes.is_empty() {
        return Ok(hashes);
    }
    let stmt = c.prepare_cached(&format!("SELECT {UNREFERENCED}")).await?;
    let mut out = Vec::new();
    for h in hashes {
        let unreferenced: bool = c.query_one(&stmt, &[&h.as_str()]).await?.try_get(0)?;
        if unreferenced {
            out.push(h);
        }
    }
    Ok(out)
}

/// Vacuums the tables that hold personal data: an `UPDATE` or `DELETE` leaves the old
/// row version in its page (and its index entries) until `VACUUM` prunes it, so erased
/// values would stay readable in the table files until autovacuum gets to them.
///
/// `VACUUM` cannot run in a transaction block: `c` is a plain pooled connection, and the
/// statement is sent alone (one statement of the simple protocol is no block).
pub(crate) async fn scrub(c: &impl GenericClient) -> StoreResult<()> {
    c.batch_execute(&format!("VACUUM {PERSONAL_TABLES}")).await?;
    Ok(())
}
