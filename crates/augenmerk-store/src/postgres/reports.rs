//! Reports with their audit trail, messages, internal notes and the public change feed.
//!
//! A report write stores the report, its photo references, its audit entries, its public
//! events and its jobs in the caller's transaction. Events are copied into the feed with
//! the report's device, so `device_changes` is an index range scan (plus the followed
//! reports' status changes, by report); internal notes never become events, and event
//! payloads are public types only.
//!
//! Several instances write at once: inserts are idempotent with `ON CONFLICT (id) DO
//! NOTHING` (a concurrent duplicate waits for the first and then finds it), updates are
//! optimistic (`WHERE updated_at = expected`, re-checked by PostgreSQL on the newest row
//! version), and counters and milestones are set in SQL, never read and written back.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use augenmerk_domain::audit::AuditEntry;
use augenmerk_domain::public::{ChangeKind, MessageAuthor, PublicMessage, PublicStatusChange, SyncChange};
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{InternalNote, StaffMessage};
use augenmerk_domain::{Ags, BlobHash, DeviceId, ReportId, Status};

use super::codec::{
    REPORT_COLUMNS, found, get_id, get_id_opt, get_json, get_ts, json, parse_wire, parsed, report_from_row,
    reports_from_rows, text, text_opt, ts, ts_opt, wire_name,
};
use crate::{Inserted, NewJob, PublicEvent, ReportWrite, StoreError, StoreResult};

/// Whether a report id was withdrawn.
async fn is_withdrawn(c: &impl GenericClient, id: &ReportId) -> StoreResult<bool> {
    let stmt = c
        .prepare_cached("SELECT 1 FROM withdrawn_reports WHERE id = $1")
        .await?;
    Ok(c.query_opt(&stmt, &[&id.to_string()]).await?.is_some())
}

/// Inserts a report with its audit and events unless its id exists.
pub(crate) async fn insert_report(tx: &Transaction<'_>, write: &ReportWrite) -> StoreResult<Inserted<Report>> {
    let r = &write.report;
    // A withdrawn report's id stays taken: the device that withdrew it may still have it
    // in its outbox, and sending it again must not bring the report back.
    if is_withdrawn(tx, &r.id).await? {
        return Err(StoreError::Withdrawn);
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO reports (id, ags, device_id, category, answers, description, lat, lon, address_hint,
                 photos, contact_email, consent, status, priority, due_at, department, assignee, forwarded_to,
                 duplicate_of, routed_by, channel, created_at, received_at, updated_at, gemeinde, consent_version,
                 closed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $23, $24, $25, $26, CASE WHEN $13 = 'closed' THEN $24 END)
             ON CONFLICT (id) DO NOTHING",
        )
        .await?;
    let inserted = tx
        .execute(
            &stmt,
            &[
                &r.id.to_string(),
                &r.municipality.as_str(),
                &r.device_id.map(|d| d.to_string()),
                &r.category.as_str(),
                &json(&r.answers)?,
                &r.description,
                &r.location.lat,
                &r.location.lon,
                &r.address_hint,
                &json(&r.photos)?,
                &r.contact_email.as_ref().map(|e| e.as_str()),
                &r.consent,
                &r.status.as_str(),
                &r.priority.as_str(),
                &ts_opt(&r.due_at),
                &r.department.as_ref().map(|d| d.as_str()),
                &r.assignee.map(|u| u.to_string()),
                &r.forwarded_to.as_ref().map(|a| a.as_str()),
                &r.duplicate_of.map(|d| d.to_string()),
                &r.routed_by.as_ref().map(|x| x.as_str()),
                &wire_name(&r.channel)?,
                &ts(&r.created_at),
                &ts(&r.received_at),
                &ts(&r.updated_at),
                &r.gemeinde.as_str(),
                &r.consent_version.map(i64::from),
            ],
        )
        .await?;
    if inserted == 0 {
        // A retry (or a concurrent duplicate, which the insert waited for): answer with
        // what is stored, write nothing.
        return Ok(Inserted::Existing(get_report_any(tx, &r.id).await?));
    }
    // A withdrawal committed while this insert waited for the withdrawn row's deletion
    // is visible now (each statement sees the latest commits): refuse, which rolls the
    // insert back.
    if is_withdrawn(tx, &r.id).await? {
        return Err(StoreError::Withdrawn);
    }
    put_photos(tx, &r.id, &r.photos, &write.events).await?;
    append(tx, write).await?;
    if let Some(sub) = &write.subscription {
        super::outbox::insert_subscription(tx, &r.id, &r.municipality, sub, &r.received_at).await?;
    }
    Ok(Inserted::Created(r.clone()))
}

/// Records which photos a report references: the citizen's and those of status changes
/// (completion photos). Additive: a photo once attached stays downloadable for the report.
async fn put_photos(
    tx: &Transaction<'_>,
    report: &ReportId,
    citizen: &[BlobHash],
    events: &[PublicEvent],
) -> StoreResult<()> {
    let from_events = events.iter().flat_map(|e| match e {
        PublicEvent::Status(c) => c.photos.as_slice(),
        PublicEvent::Message(_) => &[],
    });
    let hashes: Vec<String> = citizen
        .iter()
        .chain(from_events)
        .map(|h| h.as_str().to_owned())
        .collect();
    if hashes.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO report_photos (hash, report_id) SELECT DISTINCT unnest($1::text[]), $2::text
             ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&stmt, &[&hashes, &report.to_string()]).await?;
    Ok(())
}

/// Appends the audit entries, events and jobs of a write.
async fn append(tx: &Transaction<'_>, write: &ReportWrite) -> StoreResult<()> {
    super::outbox::insert_jobs(tx, &write.jobs, &write.report.updated_at).await?;
    if !write.audit.is_empty() {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO audit (report_id, at, actor, action, public_comment) VALUES ($1, $2, $3, $4, $5)",
            )
            .await?;
        for a in &write.audit {
            tx.execute(
                &stmt,
                &[
                    &a.report_id.to_string(),
                    &ts(&a.at),
                    &json(&a.actor)?,
                    &json(&a.action)?,
                    &a.public_comment,
                ],
            )
            .await?;
        }
    }
    for e in &write.events {
        push_event(tx, &write.report.id, e).await?;
        if let PublicEvent::Status(c) = e {
            mark_milestones(tx, &write.report.id, c.to, &c.at).await?;
        }
    }
    Ok(())
}

/// Records the first public reaction (seconds after arrival), once. The parameter is
/// typed as text first: the driver binds the stored timestamp format, not a timestamptz.
const FIRST_RESPONSE: &str = "UPDATE reports SET first_response_secs = coalesce(first_response_secs,
     extract(epoch FROM ($2::text::timestamptz - received_at::timestamptz))::double precision) WHERE id = $1";

/// Keeps `first_response_secs` and `resolution_secs` (the first of each) for the statistics.
async fn mark_milestones(tx: &Transaction<'_>, report: &ReportId, to: Status, at: &DateTime<Utc>) -> StoreResult<()> {
    let id = report.to_string();
    let at = ts(at);
    if !matches!(to, Status::Received | Status::Assigned) {
        let stmt = tx.prepare_cached(FIRST_RESPONSE).await?;
        tx.execute(&stmt, &[&id, &at]).await?;
    }
    if matches!(to, Status::Resolved | Status::Closed) {
        let stmt = tx
            .prepare_cached(
                "UPDATE reports SET resolution_secs = coalesce(resolution_secs,
                     extract(epoch FROM ($2::text::timestamptz - received_at::timestamptz))::double precision)
                 WHERE id = $1",
            )
            .await?;
        tx.execute(&stmt, &[&id, &at]).await?;
    }
    Ok(())
}

/// Appends one event to the feed of the report's device.
async fn push_event(tx: &Transaction<'_>, report: &ReportId, event: &PublicEvent) -> StoreResult<()> {
    let (kind, payload, at) = match event {
        PublicEvent::Status(c) => ("status", json(c)?, ts(&c.at)),
        PublicEvent::Message(m) => ("message", json(m)?, ts(&m.created_at)),
    };
    // The device comes from the stored report, so an event always follows its report.
    let stmt = tx
        .prepare_cached(
            "INSERT INTO events (report_id, device_id, kind, payload, at)
             SELECT id, device_id, $2::text, $3::text, $4::text FROM reports WHERE id = $1",
        )
        .await?;
    let n = tx.execute(&stmt, &[&report.to_string(), &kind, &payload, &at]).await?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// One report by a condition on `$1` and `$2`.
async fn one_report(c: &impl GenericClient, condition: &str, a: &str, b: &str) -> StoreResult<Report> {
    let stmt = c
        .prepare_cached(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE {condition}"))
        .await?;
    report_from_row(&found(c.query_opt(&stmt, &[&a, &b]).await?)?)
}

/// One report of a municipality.
pub(crate) async fn get_report(c: &impl GenericClient, ags: &Ags, id: &ReportId) -> StoreResult<Report> {
    one_report(c, "id = $1 AND ags = $2", &id.to_string(), ags.as_str()).await
}

/// One report of a device.
pub(crate) async fn get_device_report(c: &impl GenericClient, device: &DeviceId, id: &ReportId) -> StoreResult<Report> {
    one_report(c, "id = $1 AND device_id = $2", &id.to_string(), &device.to_string()).await
}

/// The device's own reports, the most recently changed first (by their last feed event,
/// the order in which the device saw them change). One indexed query: the reports it
/// follows are not scanned at all.
pub(crate) async fn device_reports(c: &impl GenericClient, device: &DeviceId) -> StoreResult<Vec<Report>> {
    // NULLS LAST: SQLite sorts a report without events last in descending order, and
    // PostgreSQL would put it first.
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS}, (SELECT max(e.seq) FROM events e WHERE e.report_id = reports.id) AS last_seq
             FROM reports WHERE device_id = $1 ORDER BY last_seq DESC NULLS LAST, received_at DESC, id"
        ))
        .await?;
    reports_from_rows(&c.query(&stmt, &[&device.to_string()]).await?)
}

/// One report, whichever municipality.
pub(crate) async fn get_report_any(c: &impl GenericClient, id: &ReportId) -> StoreResult<Report> {
    let stmt = c
        .prepare_cached(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1"))
        .await?;
    report_from_row(&found(c.query_opt(&stmt, &[&id.to_string()]).await?)?)
}

/// Updates a report if `updated_at` is unchanged, with its audit entries and events.
pub(crate) async fn update_report(
    tx: &Transaction<'_>,
    write: &ReportWrite,
    expected_updated_at: &DateTime<Utc>,
) -> StoreResult<()> {
    let r = &write.report;
    // Identity, origin, arrival and consent never change: id, ags, device_id, channel,
    // created_at, received_at and consent_version are not in the SET list.
    // What an erasure removed stays removed: a handler that read the report before the
    // erasure must not write the citizen's text, photos or address back (erasure leaves
    // `updated_at` alone, because it is no change the public may see). A concurrent
    // update makes PostgreSQL re-check the WHERE on the row's newest version, so the
    // second of two writers with the same expectation updates nothing.
    // `closed_at` is the first closing; retention periods count from it.
    let stmt = tx
        .prepare_cached(
            "UPDATE reports SET category = $4,
                 answers = CASE WHEN content_erased_at IS NULL THEN $5::text ELSE answers END,
                 description = CASE WHEN content_erased_at IS NULL THEN $6::text ELSE description END,
                 lat = $7, lon = $8, address_hint = $9,
                 photos = CASE WHEN content_erased_at IS NULL THEN $10::text ELSE photos END,
                 contact_email = CASE WHEN contact_erased_at IS NULL THEN $11::text END,
                 consent = $12, status = $13,
                 priority = $14, due_at = $15, department = $16, assignee = $17, forwarded_to = $18,
                 duplicate_of = $19, routed_by = $20, updated_at = $21, gemeinde = $22,
                 closed_at = CASE WHEN $13 = 'closed' THEN coalesce(closed_at, $21) END,
                 turned_down = CASE WHEN $13 = 'rejected' THEN true
                     WHEN $13 = 'closed' THEN (turned_down OR status = 'rejected') ELSE false END
             WHERE id = $1 AND ags = $2 AND updated_at = $3
             RETURNING content_erased_at IS NOT NULL",
        )
        .await?;
    let row = tx
        .query_opt(
            &stmt,
            &[
                &r.id.to_string(),
                &r.municipality.as_str(),
                &ts(expected_updated_at),
                &r.category.as_str(),
                &json(&r.answers)?,
                &r.description,
                &r.location.lat,
                &r.location.lon,
                &r.address_hint,
                &json(&r.photos)?,
                &r.contact_email.as_ref().map(|e| e.as_str()),
                &r.consent,
                &r.status.as_str(),
                &r.priority.as_str(),
                &ts_opt(&r.due_at),
                &r.department.as_ref().map(|d| d.as_str()),
                &r.assignee.map(|u| u.to_string()),
                &r.forwarded_to.as_ref().map(|a| a.as_str()),
                &r.duplicate_of.map(|d| d.to_string()),
                &r.routed_by.as_ref().map(|x| x.as_str()),
                &ts(&r.updated_at),
                &r.gemeinde.as_str(),
            ],
        )
        .await?;
    let Some(row) = row else {
        let stmt = tx
            .prepare_cached("SELECT 1 FROM reports WHERE id = $1 AND ags = $2")
            .await?;
        let exists = tx
            .query_opt(&stmt, &[&r.id.to_string(), &r.municipality.as_str()])
            .await?
            .is_some();
        return Err(if exists {
            StoreError::Conflict
        } else {
            StoreError::NotFound
        });
    };
    let content_erased: bool = row.try_get(0)?;
    let citizen: &[BlobHash] = if content_erased { &[] } else { &r.photos };
    put_photos(tx, &r.id, citizen, &write.events).await?;
    append(tx, write).await
}

/// The audit trail of a report, oldest first.
pub(crate) async fn list_audit(c: &impl GenericClient, ags: &Ags, id: &ReportId) -> StoreResult<Vec<AuditEntry>> {
    let stmt = c
        .prepare_cached(
            "SELECT report_id, at, actor, action, public_comment FROM audit
              WHERE report_id = $1 AND EXISTS (SELECT 1 FROM reports WHERE id = $1 AND ags = $2) ORDER BY seq",
        )
        .await?;
    let rows = c.query(&stmt, &[&id.to_string(), &ags.as_str()]).await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                report_id: get_id(row, "report_id")?,
                at: get_ts(row, "at")?,
                actor: get_json(row, "actor")?,
                action: get_json(row, "action")?,
                public_comment: text_opt(row, "public_comment")?,
            })
        })
        .collect()
}

/// The public status history of a report, oldest first.
pub(crate) async fn list_status_changes(
    c: &impl GenericClient,
    ags: &Ags,
    id: &ReportId,
) -> StoreResult<Vec<PublicStatusChange>> {
    let stmt = c
        .prepare_cached(
            "SELECT payload FROM events WHERE report_id = $1 AND kind = 'status'
                AND EXISTS (SELECT 1 FROM reports WHERE id = $1 AND ags = $2) ORDER BY seq",
        )
        .await?;
    let rows = c.query(&stmt, &[&id.to_string(), &ags.as_str()]).await?;
    rows.iter().map(|row| get_json(row, "payload")).collect()
}

const MESSAGE_COLUMNS: &str = "id, report_id, author, staff_author, staff_author_name, body, created_at";

fn message_from_row(row: &Row) -> StoreResult<StaffMessage> {
    Ok(StaffMessage {
        id: get_id(row, "id")?,
        report_id: get_id(row, "report_id")?,
        author: parsed(row, "author", parse_wire::<MessageAuthor>)?,
        staff_author: get_id_opt(row, "staff_author")?,
        staff_author_name: text_opt(row, "staff_author_name")?,
        body: text(row, "body")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// Adds a message unless its id exists, with a feed event for the report's device.
pub(crate) async fn add_message(
    tx: &Transaction<'_>,
    ags: &Ags,
    m: &StaffMessage,
    jobs: &[NewJob],
) -> StoreResult<Inserted<StaffMessage>> {
    let stmt = tx
        .prepare_cached(&format!(
            "INSERT INTO messages ({MESSAGE_COLUMNS})
             SELECT $1::text, id, $3::text, $4::text, $5::text, $6::text, $7::text FROM reports
              WHERE id = $2 AND ags = $8
             ON CONFLICT (id) DO NOTHING"
        ))
        .await?;
    let inserted = tx
        .execute(
            &stmt,
            &[
                &m.id.to_string(),
                &m.report_id.to_string(),
                &wire_name(&m.author)?,
                &m.staff_author.map(|u| u.to_string()),
                &m.staff_author_name,
                &m.body,
                &ts(&m.created_at),
                &ags.as_str(),
            ],
        )
        .await?;
    if inserted == 0 {
        // Either the id exists (a retry) or the report does not (in this municipality).
        let stmt = tx
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages
                  WHERE id = $1 AND report_id IN (SELECT id FROM reports WHERE ags = $2)"
            ))
            .await?;
        return match tx.query_opt(&stmt, &[&m.id.to_string(), &ags.as_str()]).await? {
            Some(row) => Ok(Inserted::Existing(message_from_row(&row)?)),
            None => Err(taken_or_missing(tx, ags, &m.report_id).await),
        };
    }
    // Citizens get the message without staff names.
    let public = PublicMessage {
        id: m.id,
        report_id: m.report_id,
        author: m.author,
        body: m.body.clone(),
        created_at: m.created_at,
    };
    push_event(tx, &m.report_id, &PublicEvent::Message(public)).await?;
    super::outbox::insert_jobs(tx, jobs, &m.created_at).await?;
    if m.author == MessageAuthor::Municipality {
        let stmt = tx.prepare_cached(FIRST_RESPONSE).await?;
        tx.execute(&stmt, &[&m.report_id.to_string(), &ts(&m.created_at)])
            .await?;
    }
    let stmt = tx.prepare_cached(&crate::triage::awaiting_reply_update(true)).await?;
    tx.execute(
        &stmt,
        &[
            &m.report_id.to_string(),
            &ts(&m.created_at),
            &(m.author == MessageAuthor::Citizen),
        ],
    )
    .await?;
    Ok(Inserted::Created(m.clone()))
}

/// Why a message or note was not written and is not this municipality's: its id is
/// taken by another municipality's report (`Conflict`, revealing nothing of it), or the
/// report is not this municipality's (`NotFound`).
async fn taken_or_missing(c: &impl GenericClient, ags: &Ags, report: &ReportId) -> StoreError {
    match c
        .query_opt(
            "SELECT 1 FROM reports WHERE id = $1 AND ags = $2",
            &[&report.to_string(), &ags.as_str()],
        )
        .await
    {
        Ok(Some(_)) => StoreError::Conflict,
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

/// The thread of a report, oldest first (`seq`: in writing order within an instant).
pub(crate) async fn list_messages(c: &impl GenericClient, ags: &Ags, id: &ReportId) -> StoreResult<Vec<StaffMessage>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
              WHERE report_id = $1 AND EXISTS (SELECT 1 FROM reports WHERE id = $1 AND ags = $2)
              ORDER BY created_at, seq"
        ))
        .await?;
    let rows = c.query(&stmt, &[&id.to_string(), &ags.as_str()]).await?;
    rows.iter().map(message_from_row).collect()
}

const NOTE_COLUMNS: &str = "id, report_id, author, author_name, body, created_at";

fn note_from_row(row: &Row) -> StoreResult<InternalNote> {
    Ok(InternalNote {
        id: get_id(row, "id")?,
        report_id: get_id(row, "report_id")?,
        author: get_id(row, "author")?,
        author_name: text(row, "author_name")?,
        body: text(row, "body")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// Adds an internal note unless its id exists. Notes never become events.
pub(crate) async fn add_note(tx: &Transaction<'_>, ags: &Ags, n: &InternalNote) -> StoreResult<Inserted<InternalNote>> {
    let stmt = tx
        .prepare_cached(&format!(
            "INSERT INTO notes ({NOTE_COLUMNS})
             SELECT $1::text, id, $3::text, $4::text, $5::text, $6::text FROM reports
              WHERE id = $2 AND ags = $7
             ON CONFLICT (id) DO NOTHING"
        ))
        .await?;
    let inserted = tx
        .execute(
            &stmt,
            &[
                &n.id.to_string(),
                &n.report_id.to_string(),
                &n.author.to_string(),
                &n.author_name,
                &n.body,
                &ts(&n.created_at),
                &ags.as_str(),
            ],
        )
        .await?;
    if inserted == 0 {
        let stmt = tx
            .prepare_cached(&format!(
                "SELECT {NOTE_COLUMNS} FROM notes WHERE id = $1 AND report_id IN (SELECT id FROM reports WHERE ags = $2)"
            ))
            .await?;
        return match tx.query_opt(&stmt, &[&n.id.to_string(), &ags.as_str()]).await? {
            Some(row) => Ok(Inserted::Existing(note_from_row(&row)?)),
            None => Err(taken_or_missing(tx, ags, &n.report_id).await),
        };
    }
    Ok(Inserted::Created(n.clone()))
}

/// Internal notes of a report, oldest first.
pub(crate) async fn list_notes(c: &impl GenericClient, ags: &Ags, id: &ReportId) -> StoreResult<Vec<InternalNote>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {NOTE_COLUMNS} FROM notes
              WHERE report_id = $1 AND EXISTS (SELECT 1 FROM reports WHERE id = $1 AND ags = $2)
              ORDER BY created_at, seq"
        ))
        .await?;
    let rows = c.query(&stmt, &[&id.to_string(), &ags.as_str()]).await?;
    rows.iter().map(note_from_row).collect()
}

/// The device's feed after `since`, at most `limit` entries, oldest first.
pub(crate) async fn device_changes(
    c: &impl GenericClient,
    device: &DeviceId,
    since: i64,
    limit: u32,
) -> StoreResult<Vec<SyncChange>> {
    // The device's own reports, then the public status changes of the reports it follows
    // (their documenting photos removed: those are for the reporter only).
    let stmt = c
        .prepare_cached(
            "SELECT seq, report_id, kind, payload FROM (
                 SELECT seq, report_id, kind, payload FROM events WHERE device_id = $1 AND seq > $2
                 UNION ALL
                 SELECT e.seq, e.report_id, e.kind, (e.payload::jsonb - 'photos')::text AS payload
                 FROM followers f JOIN events e ON e.report_id = f.report_id AND e.kind = 'status' AND e.seq > $2
                 WHERE f.device_id = $1
             ) AS feed ORDER BY seq LIMIT $3",
        )
        .await?;
    let rows = c
        .query(&stmt, &[&device.to_string(), &since, &i64::from(limit)])
        .await?;
    rows.iter()
        .map(|row| {
            let change = match row.try_get::<_, &str>("kind")? {
                "status" => ChangeKind::Status {
                    change: get_json(row, "payload")?,
                },
                _ => ChangeKind::Message {
                    message: get_json(row, "payload")?,
                },
            };
            Ok(SyncChange {
                seq: row.try_get("seq")?,
                report_id: get_id(row, "report_id")?,
                change,
            })
        })
        .collect()
}

/// Public status changes of a municipality's reports in a time window, oldest first:
/// (feed position, report, change). The feed position is a stable id of the change.
pub(crate) async fn status_changes_between(
    c: &impl GenericClient,
    ags: &Ags,
    from: &DateTime<Utc>,
    to: &DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<(i64, ReportId, PublicStatusChange)>> {
    let stmt = c
        .prepare_cached(
            "SELECT e.seq, e.report_id, e.payload FROM events e JOIN reports r ON r.id = e.report_id
             WHERE r.ags = $1 AND e.kind = 'status' AND e.at >= $2 AND e.at <= $3
             ORDER BY e.at, e.seq LIMIT $4",
        )
        .await?;
    let rows = c
        .query(&stmt, &[&ags.as_str(), &ts(from), &ts(to), &i64::from(limit)])
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<_, i64>("seq")?,
                get_id(row, "report_id")?,
                get_json(row, "payload")?,
            ))
        })
        .collect()
}
