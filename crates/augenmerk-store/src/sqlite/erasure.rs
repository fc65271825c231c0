//! Erasing personal data from reports, withdrawing reports, and the erasure log.
//!
//! An erasure marks the report (`contact_erased_at`, `content_erased_at`), so that a
//! report is erased at most once per scope and retention finds only what is left to do.
//! The anonymous skeleton (category, place, dates, status history, department, answers
//! that are no free text) stays. Photos that nothing refers to any more are handed back
//! to the caller, who deletes their files and then forgets them (`housekeeping`).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::audit::{Actor, AuditAction};
use augenmerk_domain::privacy::{ErasureCandidate, ErasureLogEntry, ErasureReason, ErasureScope};
use augenmerk_domain::report::{Answers, Email};
use augenmerk_domain::{Ags, BlobHash, ReportId};

use super::codec::{get_id, get_ts, json, parse_wire, parsed, ts, wire_name};
use crate::privacy::{Erased, Erasure, ErasureTarget};
use crate::{StoreError, StoreResult};

/// What a mail job keeps once its report's personal data is gone: the mail log still
/// shows kind, time and state, but no longer what was sent to whom.
const ERASED_PAYLOAD: &str = r#"{"erased":true}"#;

/// Erases each target of the municipality that is not yet erased at the scope.
pub(crate) fn erase_reports(
    conn: &Connection,
    ags: &Ags,
    targets: &[ErasureTarget],
    erasure: &Erasure,
) -> StoreResult<Erased> {
    let mut changed = 0_u32;
    let mut removed: Vec<BlobHash> = Vec::new();
    for target in targets {
        if !is_due(conn, ags, &target.id, erasure.scope)? {
            continue;
        }
        erase_contact(conn, &target.id, &erasure.at)?;
        if erasure.scope == ErasureScope::Content {
            removed.extend(erase_content(conn, &target.id, &target.answers, &erasure.at)?);
        }
        drop_jobs(conn, &target.id)?;
        // A report taken in from a mailed one kept its mailed copy (the whole report as
        // JSON); the report itself is what is kept from now on.
        conn.prepare_cached("DELETE FROM mailed_reports WHERE id = ?1 AND imported_at IS NOT NULL")?
            .execute([target.id.to_string()])?;
        audit_removal(conn, &target.id, erasure)?;
        changed += 1;
    }
    if changed > 0 {
        log_erasure(conn, ags, erasure, changed)?;
    }
    Ok(Erased {
        reports: changed,
        orphaned_photos: orphaned(conn, removed)?,
    })
}

/// Whether a report is the municipality's and not yet erased at `scope` (or wider).
fn is_due(conn: &Connection, ags: &Ags, id: &ReportId, scope: ErasureScope) -> StoreResult<bool> {
    let state: Option<(bool, bool)> = conn
        .prepare_cached(
            "SELECT contact_erased_at IS NOT NULL, content_erased_at IS NOT NULL FROM reports
             WHERE id = ?1 AND ags = ?2",
        )?
        .query_row([id.to_string(), ags.as_str().to_owned()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match state {
        None | Some((_, true)) => false,
        Some((contact, false)) => scope == ErasureScope::Content || !contact,
    })
}

/// Removes the contact address; the mail subscription keeps its status link but no
/// address, and sends nothing any more.
fn erase_contact(conn: &Connection, id: &ReportId, at: &DateTime<Utc>) -> StoreResult<()> {
    let (id, at) = (id.to_string(), ts(at));
    conn.prepare_cached(
        "UPDATE reports SET contact_email = NULL, contact_erased_at = coalesce(contact_erased_at, ?2) WHERE id = ?1",
    )?
    .execute([&id, &at])?;
    conn.prepare_cached(
        "UPDATE report_subscriptions SET email = '', unsubscribed_at = coalesce(unsubscribed_at, ?2)
         WHERE report_id = ?1",
    )?
    .execute([&id, &at])?;
    Ok(())
}

/// Removes what the citizen wrote and photographed, the conversation, the internal notes
/// and the links to devices; returns the photos the report referenced.
fn erase_content(
    conn: &Connection,
    id: &ReportId,
    answers: &Answers,
    at: &DateTime<Utc>,
) -> StoreResult<Vec<BlobHash>> {
    let id = id.to_string();
    let photos = report_photos(conn, &id)?;
    conn.prepare_cached(
        "UPDATE reports SET description = '', answers = ?2, photos = '[]', device_id = NULL,
             content_erased_at = ?3 WHERE id = ?1",
    )?
    .execute([&id, &json(answers)?, &ts(at)])?;
    for sql in [
        "DELETE FROM report_photos WHERE report_id = ?1",
        "DELETE FROM messages WHERE report_id = ?1",
        "DELETE FROM events WHERE report_id = ?1 AND kind = 'message'",
        "DELETE FROM notes WHERE report_id = ?1",
        "DELETE FROM followers WHERE report_id = ?1",
        // The status history stays (it is the skeleton), but no device's feed carries it.
        "UPDATE events SET device_id = NULL WHERE report_id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([&id])?;
    }
    Ok(photos)
}

/// The photos a report references (the citizen's and completion photos).
fn report_photos(conn: &Connection, id: &str) -> StoreResult<Vec<BlobHash>> {
    let mut stmt = conn.prepare_cached("SELECT hash FROM report_photos WHERE report_id = ?1")?;
    let rows = stmt.query_map([id], |r| parsed(r, "hash", BlobHash::parse))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Drops the queued mails and forwardings about a report (or mailed report); those
/// already handled lose what they carried and where they went.
pub(crate) fn drop_jobs(conn: &Connection, id: &ReportId) -> StoreResult<()> {
    let id = id.to_string();
    conn.prepare_cached("DELETE FROM jobs WHERE report_id = ?1 AND state = 'pending'")?
        .execute([&id])?;
    // An error text may quote the address (an SMTP rejection does), so it goes too.
    conn.prepare_cached("UPDATE jobs SET payload = ?2, recipient = NULL, last_error = NULL WHERE report_id = ?1")?
        .execute([id.as_str(), ERASED_PAYLOAD])?;
    Ok(())
}

fn audit_removal(conn: &Connection, id: &ReportId, erasure: &Erasure) -> StoreResult<()> {
    let action = AuditAction::PersonalDataRemoved {
        reason: erasure.reason,
        scope: erasure.scope,
    };
    conn.prepare_cached(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES (?1, ?2, ?3, ?4, NULL)",
    )?
    .execute([id.to_string(), ts(&erasure.at), json(&erasure.actor)?, json(&action)?])?;
    Ok(())
}

/// Appends a line to the municipality's erasure log.
fn log_erasure(conn: &Connection, ags: &Ags, erasure: &Erasure, reports: u32) -> StoreResult<()> {
    let staff_name = match &erasure.actor {
        Actor::Staff { name, .. } => Some(name.as_str()),
        _ => None,
    };
    conn.prepare_cached(
        "INSERT INTO erasure_log (ags, at, reason, scope, actor, staff_name, reference, reports)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        ags.as_str(),
        ts(&erasure.at),
        wire_name(&erasure.reason)?,
        wire_name(&erasure.scope)?,
        json(&erasure.actor)?,
        staff_name,
        erasure.reference,
        reports,
    ])?;
    Ok(())
}

/// The erasure log of a municipality, newest first.
pub(crate) fn erasure_log(conn: &Connection, ags: &Ags, limit: u32) -> StoreResult<Vec<ErasureLogEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, reason, scope, staff_name, reference, reports FROM erasure_log WHERE ags = ?1
         ORDER BY at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![ags.as_str(), limit], |row| {
        Ok(ErasureLogEntry {
            at: get_ts(row, "at")?,
            reason: parsed(row, "reason", parse_wire::<ErasureReason>)?,
            scope: parsed(row, "scope", parse_wire::<ErasureScope>)?,
            staff_name: row.get("staff_name")?,
            reference: row.get("reference")?,
            reports: row.get("reports")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Withdraws a report nobody has handled yet: deletes it with everything that hangs on
/// it and keeps a tombstone and a log line.
pub(crate) fn withdraw_report(
    conn: &Connection,
    ags: &Ags,
    id: &ReportId,
    actor: &Actor,
    at: &DateTime<Utc>,
) -> StoreResult<Erased> {
    let key = id.to_string();
    let status: String = conn
        .prepare_cached("SELECT status FROM reports WHERE id = ?1 AND ags = ?2")?
        .query_row([key.as_str(), ags.as_str()], |r| r.get(0))?;
    let status = augenmerk_domain::Status::parse(&status).ok_or(StoreError::Conflict)?;
    // Nobody has handled it: routed by the rules at most (the domain's rule), and no
    // staff member has acted on it or written to the citizen.
    let touched: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM audit WHERE report_id = ?1 AND json_extract(actor, '$.kind') = 'staff')
                 OR EXISTS (SELECT 1 FROM messages WHERE report_id = ?1 AND author = 'municipality')",
        )?
        .query_row([key.as_str()], |r| r.get(0))?;
    if !augenmerk_domain::privacy::withdrawable(status) || touched {
        return Err(StoreError::Conflict);
    }
    let photos = report_photos(conn, &key)?;
    // These refer to the report without ON DELETE CASCADE (they outlive a report's
    // content otherwise); audit, events, messages, notes, followers and photo links
    // cascade with the report.
    for sql in [
        "DELETE FROM report_subscriptions WHERE report_id = ?1",
        "DELETE FROM jobs WHERE report_id = ?1",
        "DELETE FROM external_requests WHERE report_id = ?1",
        "DELETE FROM mailed_reports WHERE id = ?1 AND imported_at IS NOT NULL",
        "DELETE FROM reports WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([&key])?;
    }
    conn.prepare_cached("INSERT INTO withdrawn_reports (id, ags, withdrawn_at, actor) VALUES (?1, ?2, ?3, ?4)")?
        .execute([key.as_str(), ags.as_str(), &ts(at), &json(actor)?])?;
    let erasure = Erasure {
        scope: ErasureScope::Content,
        reason: ErasureReason::Withdrawal,
        actor: actor.clone(),
        reference: None,
        at: *at,
    };
    log_erasure(conn, ags, &erasure, 1)?;
    Ok(Erased {
        reports: 1,
        orphaned_photos: orphaned(conn, photos)?,
    })
}

/// Closed reports of a municipality, closed before `closed_before` and not yet erased at
/// `scope`, oldest first.
pub(crate) fn retention_due(
    conn: &Connection,
    ags: &Ags,
    scope: ErasureScope,
    closed_before: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<ReportId>> {
    let sql = match scope {
        ErasureScope::Contact => {
            "SELECT id FROM reports WHERE ags = ?1 AND closed_at < ?2 AND status = 'closed'
                 AND contact_erased_at IS NULL AND content_erased_at IS NULL
             ORDER BY closed_at, id LIMIT ?3"
        }
        ErasureScope::Content => {
            "SELECT id FROM reports WHERE ags = ?1 AND closed_at < ?2 AND status = 'closed'
                 AND content_erased_at IS NULL
             ORDER BY closed_at, id LIMIT ?3"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![ags.as_str(), ts(closed_before), limit], |r| get_id(r, "id"))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Reports sent with an address (any case), of one municipality or all, oldest first.
pub(crate) fn reports_by_email(
    conn: &Connection,
    ags: Option<&Ags>,
    email: &Email,
) -> StoreResult<Vec<(Ags, ErasureCandidate)>> {
    // `contact_email IS NOT NULL` lets SQLite use the partial index on the address.
    let mut stmt = conn.prepare_cached(
        "SELECT ags, id, category, status, received_at FROM reports
         WHERE lower(contact_email) = lower(?1) AND contact_email IS NOT NULL AND (?2 IS NULL OR ags = ?2)
         ORDER BY received_at, id",
    )?;
    let rows = stmt.query_map(params![email.as_str(), ags.map(|a| a.as_str())], |row| {
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
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether nothing refers to a photo any more: no report, no staff upload, no mailed
/// report. A device's upload record does not count (it is what makes a photo unused).
pub(crate) const UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM report_photos p WHERE p.hash = ?1)
     AND NOT EXISTS (SELECT 1 FROM blob_staff_uploads s WHERE s.hash = ?1)
     AND NOT EXISTS (SELECT 1 FROM mailed_reports m, json_each(m.report, '$.photos') j WHERE j.value = ?1)";

/// The photos among `hashes` that nothing refers to any more, each once.
pub(crate) fn orphaned(conn: &Connection, mut hashes: Vec<BlobHash>) -> StoreResult<Vec<BlobHash>> {
    hashes.sort();
    hashes.dedup();
    let mut stmt = conn.prepare_cached(&format!("SELECT {UNREFERENCED}"))?;
    let mut out = Vec::new();
    for h in hashes {
        if stmt.query_row([h.as_str()], |r| r.get::<_, bool>(0))? {
            out.push(h);
        }
    }
    Ok(out)
}
