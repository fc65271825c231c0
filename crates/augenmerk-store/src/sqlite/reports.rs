//! Reports with their audit trail, messages, internal notes and the public change feed.
//!
//! A report write stores the report, its photo references, its audit entries and its
//! public events in one savepoint. Events are copied into the feed with the report's
//! device, so `device_changes` is an index range scan (plus the followed reports' status
//! changes, by report); internal notes never become
//! events, and event payloads are public types only.

use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::public::{ChangeKind, MessageAuthor, PublicMessage, PublicStatusChange, SyncChange};
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{InternalNote, StaffMessage};
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId};

use super::codec::{
    REPORT_COLUMNS, get_id, get_id_opt, get_json, get_ts, json, parse_wire, parsed, report_from_row, ts, ts_opt,
    wire_name,
};
use crate::{Inserted, PublicEvent, ReportWrite, StoreError, StoreResult};

/// Inserts a report with its audit and events unless its id exists.
pub(crate) fn insert_report(conn: &Connection, write: &ReportWrite) -> StoreResult<Inserted<Report>> {
    let r = &write.report;
    // A withdrawn report's id stays taken: the device that withdrew it may still have it
    // in its outbox, and sending it again must not bring the report back.
    let withdrawn = conn
        .prepare_cached("SELECT 1 FROM withdrawn_reports WHERE id = ?1")?
        .query_row([r.id.to_string()], |_| Ok(()))
        .optional()?
        .is_some();
    if withdrawn {
        return Err(StoreError::Withdrawn);
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO reports (id, ags, device_id, category, answers, description, lat, lon, address_hint,
                 photos, contact_email, consent, status, priority, due_at, department, assignee, forwarded_to,
                 duplicate_of, routed_by, channel, created_at, received_at, updated_at, gemeinde, consent_version,
                 closed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26, CASE WHEN ?13 = 'closed' THEN ?24 END)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            r.id.to_string(),
            r.municipality.as_str(),
            r.device_id.map(|d| d.to_string()),
            r.category.as_str(),
            json(&r.answers)?,
            r.description,
            r.location.lat,
            r.location.lon,
            r.address_hint,
            json(&r.photos)?,
            r.contact_email.as_ref().map(|e| e.as_str()),
            r.consent,
            r.status.as_str(),
            r.priority.as_str(),
            ts_opt(&r.due_at),
            r.department.as_ref().map(|d| d.as_str()),
            r.assignee.map(|u| u.to_string()),
            r.forwarded_to.as_ref().map(|a| a.as_str()),
            r.duplicate_of.map(|d| d.to_string()),
            r.routed_by.as_ref().map(|x| x.as_str()),
            wire_name(&r.channel)?,
            ts(&r.created_at),
            ts(&r.received_at),
            ts(&r.updated_at),
            r.gemeinde.as_str(),
            r.consent_version,
        ])?;
    if inserted == 0 {
        // A retry (or a concurrent duplicate): answer with what is stored, write nothing.
        return Ok(Inserted::Existing(get_report_any(conn, &r.id)?));
    }
    put_photos(conn, &r.id, &r.photos, &write.events)?;
    append(conn, write)?;
    if let Some(sub) = &write.subscription {
        super::outbox::insert_subscription(conn, &r.id, &r.municipality, sub, &r.received_at)?;
    }
    Ok(Inserted::Created(r.clone()))
}

/// Records which photos a report references: the citizen's and those of status changes
/// (completion photos). Additive: a photo once attached stays downloadable for the report.
fn put_photos(conn: &Connection, report: &ReportId, citizen: &[BlobHash], events: &[PublicEvent]) -> StoreResult<()> {
    let id = report.to_string();
    let mut stmt =
        conn.prepare_cached("INSERT INTO report_photos (hash, report_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?;
    let from_events = events.iter().flat_map(|e| match e {
        PublicEvent::Status(c) => c.photos.as_slice(),
        PublicEvent::Message(_) => &[],
    });
    for h in citizen.iter().chain(from_events) {
        stmt.execute([h.as_str(), &id])?;
    }
    Ok(())
}

/// Appends the audit entries, events and jobs of a write.
fn append(conn: &Connection, write: &ReportWrite) -> StoreResult<()> {
    super::outbox::insert_jobs(conn, &write.jobs, &write.report.updated_at)?;
    let mut audit = conn.prepare_cached(
        "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for a in &write.audit {
        audit.execute(params![
            a.report_id.to_string(),
            ts(&a.at),
            json(&a.actor)?,
            json(&a.action)?,
            a.public_comment
        ])?;
    }
    for e in &write.events {
        push_event(conn, &write.report.id, e)?;
        if let PublicEvent::Status(c) = e {
            mark_milestones(conn, &write.report.id, c.to, &c.at)?;
        }
    }
    Ok(())
}

/// Records the first public reaction (seconds after arrival), once.
const FIRST_RESPONSE: &str = "UPDATE reports SET first_response_secs = coalesce(first_response_secs,
     (julianday(?2) - julianday(received_at)) * 86400.0) WHERE id = ?1";

/// Keeps `first_response_secs` and `resolution_secs` (the first of each) for the statistics.
fn mark_milestones(
    conn: &Connection,
    report: &ReportId,
    to: augenmerk_domain::Status,
    at: &chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    use augenmerk_domain::Status;
    let id = report.to_string();
    if !matches!(to, Status::Received | Status::Assigned) {
        conn.prepare_cached(FIRST_RESPONSE)?.execute(params![id, ts(at)])?;
    }
    if matches!(to, Status::Resolved | Status::Closed) {
        conn.prepare_cached(
            "UPDATE reports SET resolution_secs = coalesce(resolution_secs,
                 (julianday(?2) - julianday(received_at)) * 86400.0) WHERE id = ?1",
        )?
        .execute(params![id, ts(at)])?;
    }
    Ok(())
}

/// Appends one event to the feed of the report's device.
fn push_event(conn: &Connection, report: &ReportId, event: &PublicEvent) -> StoreResult<()> {
    let (kind, payload, at) = match event {
        PublicEvent::Status(c) => ("status", json(c)?, ts(&c.at)),
        PublicEvent::Message(m) => ("message", json(m)?, ts(&m.created_at)),
    };
    // The device comes from the stored report, so an event always follows its report.
    let n = conn
        .prepare_cached(
            "INSERT INTO events (report_id, device_id, kind, payload, at)
             SELECT id, device_id, ?2, ?3, ?4 FROM reports WHERE id = ?1",
        )?
        .execute(params![report.to_string(), kind, payload, at])?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// One report of a municipality.
pub(crate) fn get_report(conn: &Connection, ags: &Ags, id: &ReportId) -> StoreResult<Report> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1 AND ags = ?2"
        ))?
        .query_row([id.to_string(), ags.as_str().to_owned()], report_from_row)?)
}

/// One report of a device.
pub(crate) fn get_device_report(conn: &Connection, device: &DeviceId, id: &ReportId) -> StoreResult<Report> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1 AND device_id = ?2"
        ))?
        .query_row([id.to_string(), device.to_string()], report_from_row)?)
}

/// The device's own reports, the most recently changed first (by their last feed event,
/// the order in which the device saw them change). One indexed query: the reports it
/// follows are not scanned at all.
pub(crate) fn device_reports(conn: &Connection, device: &DeviceId) -> StoreResult<Vec<Report>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REPORT_COLUMNS}, (SELECT max(e.seq) FROM events e WHERE e.report_id = reports.id) AS last_seq
         FROM reports WHERE device_id = ?1 ORDER BY last_seq DESC, received_at DESC, id"
    ))?;
    let rows = stmt.query_map([device.to_string()], report_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One report, whichever municipality.
pub(crate) fn get_report_any(conn: &Connection, id: &ReportId) -> StoreResult<Report> {
    Ok(conn
        .prepare_cached(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1"))?
        .query_row([id.to_string()], report_from_row)?)
}

/// Updates a report if `updated_at` is unchanged, with its audit entries and events.
pub(crate) fn update_report(
    conn: &Connection,
    write: &ReportWrite,
    expected_updated_at: &chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let r = &write.report;
    // Identity, origin, arrival and consent never change: id, ags, device_id, channel,
    // created_at, received_at and consent_version are not in the SET list.
    // What an erasure removed stays removed: a handler that read the report before the
    // erasure must not write the citizen's text, photos or address back (erasure leaves
    // `updated_at` alone, because it is no change the public may see).
    // `closed_at` is the first closing; retention periods count from it.
    let content_erased: Option<bool> = conn
        .prepare_cached(
            "UPDATE reports SET category = ?4,
                 answers = CASE WHEN content_erased_at IS NULL THEN ?5 ELSE answers END,
                 description = CASE WHEN content_erased_at IS NULL THEN ?6 ELSE description END,
                 lat = ?7, lon = ?8, address_hint = ?9,
                 photos = CASE WHEN content_erased_at IS NULL THEN ?10 ELSE photos END,
                 contact_email = CASE WHEN contact_erased_at IS NULL THEN ?11 END,
                 consent = ?12, status = ?13,
                 priority = ?14, due_at = ?15, department = ?16, assignee = ?17, forwarded_to = ?18,
                 duplicate_of = ?19, routed_by = ?20, updated_at = ?21, gemeinde = ?22,
                 closed_at = CASE WHEN ?13 = 'closed' THEN coalesce(closed_at, ?21) END,
                 turned_down = CASE WHEN ?13 = 'rejected' THEN 1
                     WHEN ?13 = 'closed' THEN (turned_down OR status = 'rejected') ELSE 0 END
             WHERE id = ?1 AND ags = ?2 AND updated_at = ?3
             RETURNING content_erased_at IS NOT NULL",
        )?
        .query_row(
            params![
                r.id.to_string(),
                r.municipality.as_str(),
                ts(expected_updated_at),
                r.category.as_str(),
                json(&r.answers)?,
                r.description,
                r.location.lat,
                r.location.lon,
                r.address_hint,
                json(&r.photos)?,
                r.contact_email.as_ref().map(|e| e.as_str()),
                r.consent,
                r.status.as_str(),
                r.priority.as_str(),
                ts_opt(&r.due_at),
                r.department.as_ref().map(|d| d.as_str()),
                r.assignee.map(|u| u.to_string()),
                r.forwarded_to.as_ref().map(|a| a.as_str()),
                r.duplicate_of.map(|d| d.to_string()),
                r.routed_by.as_ref().map(|x| x.as_str()),
                ts(&r.updated_at),
                r.gemeinde.as_str(),
            ],
            |row| row.get(0),
        )
        .optional()?;
    let Some(content_erased) = content_erased else {
        let exists = conn
            .prepare_cached("SELECT 1 FROM reports WHERE id = ?1 AND ags = ?2")?
            .query_row([r.id.to_string(), r.municipality.as_str().to_owned()], |_| Ok(()))
            .optional()?
            .is_some();
        return Err(if exists {
            StoreError::Conflict
        } else {
            StoreError::NotFound
        });
    };
    let citizen: &[BlobHash] = if content_erased { &[] } else { &r.photos };
    put_photos(conn, &r.id, citizen, &write.events)?;
    append(conn, write)
}

/// The audit trail of a report, oldest first.
pub(crate) fn list_audit(conn: &Connection, ags: &Ags, id: &ReportId) -> StoreResult<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT report_id, at, actor, action, public_comment FROM audit
          WHERE report_id = ?1 AND EXISTS (SELECT 1 FROM reports WHERE id = ?1 AND ags = ?2) ORDER BY seq",
    )?;
    let rows = stmt.query_map([id.to_string(), ags.to_string()], |row| {
        Ok(AuditEntry {
            report_id: get_id(row, "report_id")?,
            at: get_ts(row, "at")?,
            actor: get_json(row, "actor")?,
            action: get_json(row, "action")?,
            public_comment: row.get("public_comment")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The public status history of a report, oldest first.
pub(crate) fn list_status_changes(conn: &Connection, ags: &Ags, id: &ReportId) -> StoreResult<Vec<PublicStatusChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT payload FROM events WHERE report_id = ?1 AND kind = 'status'
            AND EXISTS (SELECT 1 FROM reports WHERE id = ?1 AND ags = ?2) ORDER BY seq",
    )?;
    let rows = stmt.query_map([id.to_string(), ags.to_string()], |row| get_json(row, "payload"))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const MESSAGE_COLUMNS: &str = "id, report_id, author, staff_author, staff_author_name, body, created_at";

fn message_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StaffMessage> {
    Ok(StaffMessage {
        id: get_id(row, "id")?,
        report_id: get_id(row, "report_id")?,
        author: parsed(row, "author", parse_wire::<MessageAuthor>)?,
        staff_author: get_id_opt(row, "staff_author")?,
        staff_author_name: row.get("staff_author_name")?,
        body: row.get("body")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// Adds a message unless its id exists, with a feed event for the report's device.
pub(crate) fn add_message(
    conn: &Connection,
    ags: &Ags,
    m: &StaffMessage,
    jobs: &[crate::NewJob],
) -> StoreResult<Inserted<StaffMessage>> {
    let inserted = conn
        .prepare_cached(&format!(
            "INSERT INTO messages ({MESSAGE_COLUMNS}) SELECT ?1, id, ?3, ?4, ?5, ?6, ?7 FROM reports
              WHERE id = ?2 AND ags = ?8
             ON CONFLICT (id) DO NOTHING"
        ))?
        .execute(params![
            m.id.to_string(),
            m.report_id.to_string(),
            wire_name(&m.author)?,
            m.staff_author.map(|u| u.to_string()),
            m.staff_author_name,
            m.body,
            ts(&m.created_at),
            ags.as_str(),
        ])?;
    if inserted == 0 {
        // Either the id exists (a retry) or the report does not (in this municipality).
        let stored = conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages
                  WHERE id = ?1 AND report_id IN (SELECT id FROM reports WHERE ags = ?2)"
            ))?
            .query_row([m.id.to_string(), ags.to_string()], message_from_row)
            .optional()?;
        return stored
            .map(Inserted::Existing)
            .ok_or_else(|| taken_or_missing(conn, ags, &m.report_id));
    }
    // Citizens get the message without staff names.
    let public = PublicMessage {
        id: m.id,
        report_id: m.report_id,
        author: m.author,
        body: m.body.clone(),
        created_at: m.created_at,
    };
    push_event(conn, &m.report_id, &PublicEvent::Message(public))?;
    super::outbox::insert_jobs(conn, jobs, &m.created_at)?;
    if m.author == MessageAuthor::Municipality {
        conn.prepare_cached(FIRST_RESPONSE)?
            .execute(params![m.report_id.to_string(), ts(&m.created_at)])?;
    }
    conn.prepare_cached(&crate::triage::awaiting_reply_update(false))?
        .execute(params![
            m.report_id.to_string(),
            ts(&m.created_at),
            m.author == MessageAuthor::Citizen
        ])?;
    Ok(Inserted::Created(m.clone()))
}

/// Why a message or note was not written and is not this municipality's: its id is
/// taken by another municipality's report (`Conflict`, revealing nothing of it), or the
/// report is not this municipality's (`NotFound`).
fn taken_or_missing(conn: &Connection, ags: &Ags, report: &ReportId) -> StoreError {
    let found = conn
        .prepare_cached("SELECT 1 FROM reports WHERE id = ?1 AND ags = ?2")
        .and_then(|mut s| {
            s.query_row([report.to_string(), ags.to_string()], |_| Ok(()))
                .optional()
        });
    match found {
        Ok(Some(())) => StoreError::Conflict,
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

/// The thread of a report, oldest first.
pub(crate) fn list_messages(conn: &Connection, ags: &Ags, id: &ReportId) -> StoreResult<Vec<StaffMessage>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages
          WHERE report_id = ?1 AND EXISTS (SELECT 1 FROM reports WHERE id = ?1 AND ags = ?2)
          ORDER BY created_at, rowid"
    ))?;
    let rows = stmt.query_map([id.to_string(), ags.to_string()], message_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const NOTE_COLUMNS: &str = "id, report_id, author, author_name, body, created_at";

fn note_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<InternalNote> {
    Ok(InternalNote {
        id: get_id(row, "id")?,
        report_id: get_id(row, "report_id")?,
        author: get_id(row, "author")?,
        author_name: row.get("author_name")?,
        body: row.get("body")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// Adds an internal note unless its id exists. Notes never become events.
pub(crate) fn add_note(conn: &Connection, ags: &Ags, n: &InternalNote) -> StoreResult<Inserted<InternalNote>> {
    let inserted = conn
        .prepare_cached(&format!(
            "INSERT INTO notes ({NOTE_COLUMNS}) SELECT ?1, id, ?3, ?4, ?5, ?6 FROM reports
              WHERE id = ?2 AND ags = ?7
             ON CONFLICT (id) DO NOTHING"
        ))?
        .execute(params![
            n.id.to_string(),
            n.report_id.to_string(),
            n.author.to_string(),
            n.author_name,
            n.body,
            ts(&n.created_at),
            ags.as_str(),
        ])?;
    if inserted == 0 {
        let stored = conn
            .prepare_cached(&format!(
                "SELECT {NOTE_COLUMNS} FROM notes WHERE id = ?1 AND report_id IN (SELECT id FROM reports WHERE ags = ?2)"
            ))?
            .query_row([n.id.to_string(), ags.to_string()], note_from_row)
            .optional()?;
        return stored
            .map(Inserted::Existing)
            .ok_or_else(|| taken_or_missing(conn, ags, &n.report_id));
    }
    Ok(Inserted::Created(n.clone()))
}

/// Internal notes of a report, oldest first.
pub(crate) fn list_notes(conn: &Connection, ags: &Ags, id: &ReportId) -> StoreResult<Vec<InternalNote>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS} FROM notes
          WHERE report_id = ?1 AND EXISTS (SELECT 1 FROM reports WHERE id = ?1 AND ags = ?2)
          ORDER BY created_at, rowid"
    ))?;
    let rows = stmt.query_map([id.to_string(), ags.to_string()], note_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The device's feed after `since`, at most `limit` entries, oldest first.
pub(crate) fn device_changes(
    conn: &Connection,
    device: &DeviceId,
    since: i64,
    limit: u32,
) -> StoreResult<Vec<SyncChange>> {
    // The device's own reports, then the public status changes of the reports it follows
    // (their documenting photos removed: those are for the reporter only).
    let mut stmt = conn.prepare_cached(
        "SELECT seq, report_id, kind, payload FROM (
             SELECT seq, report_id, kind, payload FROM events WHERE device_id = ?1 AND seq > ?2
             UNION ALL
             SELECT e.seq, e.report_id, e.kind, json_remove(e.payload, '$.photos') AS payload
             FROM followers f JOIN events e ON e.report_id = f.report_id AND e.kind = 'status' AND e.seq > ?2
             WHERE f.device_id = ?1
         ) ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![device.to_string(), since, limit], |row| {
        let kind: String = row.get("kind")?;
        let change = match kind.as_str() {
            "status" => ChangeKind::Status {
                change: get_json(row, "payload")?,
            },
            _ => ChangeKind::Message {
                message: get_json(row, "payload")?,
            },
        };
        Ok(SyncChange {
            seq: row.get("seq")?,
            report_id: get_id(row, "report_id")?,
            change,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Public status changes of a municipality's reports in a time window, oldest first:
/// (feed position, report, change). The feed position is a stable id of the change.
pub(crate) fn status_changes_between(
    conn: &Connection,
    ags: &Ags,
    from: &chrono::DateTime<chrono::Utc>,
    to: &chrono::DateTime<chrono::Utc>,
    limit: u32,
) -> StoreResult<Vec<(i64, ReportId, PublicStatusChange)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.report_id, e.payload FROM events e JOIN reports r ON r.id = e.report_id
         WHERE r.ags = ?1 AND e.kind = 'status' AND e.at >= ?2 AND e.at <= ?3
         ORDER BY e.at, e.seq LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![ags.as_str(), ts(from), ts(to), limit], |row| {
        Ok((
            row.get::<_, i64>("seq")?,
            get_id(row, "report_id")?,
            get_json(row, "payload")?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
