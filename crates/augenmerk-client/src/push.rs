//! Sending the outbox: each queued report's photos, then the report, with every decision
//! on a server answer taken by the sync engine (`augenmerk-sync`), as on the web page.
//! What stays here is storage (the `reports` table) and transport (the API).

use futures_util::stream::{self, StreamExt};
use rusqlite::params;

use augenmerk_domain::ReportId;
use augenmerk_sync::{
    Answer, EntryState, HasEntry, Next, SUBMIT_ROUNDS, Verdict, after_verdict, judge_photo_upload, judge_submit,
    to_send,
};

use crate::error::{ClientError, Result};
use crate::model::SyncState;
use crate::outbox::queued_request;
use crate::sync::SyncSummary;
use crate::{Client, time};

impl Client {
    pub(crate) async fn push_reports(&self, token: &str, summary: &mut SyncSummary) -> Result<()> {
        let outbox: Vec<OutboxRow> = self.db(|c| {
            let mut stmt = c.prepare(
                "SELECT id, created_at, sync_state, attempts, last_error FROM reports WHERE sync_state != ?1",
            )?;
            let rows = stmt.query_map([SyncState::Sent.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?;
            let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows
                .into_iter()
                .filter_map(|(id, at, state, attempts, last_error)| {
                    // An id that does not parse cannot have been written by this client.
                    let id = id.parse().ok()?;
                    Some(OutboxRow {
                        id,
                        created_at: time::parse(&at),
                        state: entry_state(&state, attempts, last_error),
                    })
                })
                .collect())
        })?;
        // The engine picks what goes and in which order (queued only, oldest first).
        let queued: Vec<String> = to_send(&outbox).iter().map(|r| r.id.to_string()).collect();
        let results: Vec<Result<Pushed>> = stream::iter(queued)
            .map(|id| self.push_report(token, id))
            .buffer_unordered(self.options.parallel_requests.max(1))
            .collect()
            .await;
        let mut first_error = None;
        for r in results {
            match r {
                Ok(p) => {
                    summary.photos_uploaded += p.photos_uploaded;
                    if p.rejected {
                        summary.reports_rejected += 1;
                    } else {
                        summary.reports_sent += 1;
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn push_report(&self, token: &str, id: String) -> Result<Pushed> {
        let request = self.db(|c| queued_request(c, &id))?;
        let mut pushed = Pushed::default();
        // Twice at most: a server that lost a photo we believed it had gets it again.
        for round in 0..SUBMIT_ROUNDS {
            for hash in &request.photos {
                match self.upload_photo(token, hash).await {
                    Ok(sent) => pushed.photos_uploaded += usize::from(sent),
                    // The photo is gone or damaged on this device: the report can never be
                    // sent as it is; keep it and say why instead of blocking the queue.
                    Err(ClientError::Io { context, source }) => {
                        let reason = format!("{context}: {source}");
                        let e = ClientError::Io { context, source };
                        return self.settle(&id, &Verdict::Refused { reason }, e, pushed);
                    }
                    Err(ClientError::Remote(e)) => {
                        let verdict = judge_photo_upload(&Answer::from(&e));
                        return self.settle(&id, &verdict, e.into(), pushed);
                    }
                    Err(e) => {
                        self.note_attempt(&id, &e)?;
                        return Err(e);
                    }
                }
            }
            // Marked as possibly on the server while it goes (see privacy.rs).
            match self.submit_marked(token, &request).await? {
                // The engine's `Accepted` → `Next::Remove`: here the report stays as sent.
                Ok(report) => {
                    self.store_sent_report(&id, &report)?;
                    return Ok(pushed);
                }
                Err(e) => {
                    let verdict = judge_submit(&Answer::from(&e), round);
                    if verdict == Verdict::UploadPhotosAgain {
                        // Something answered "stored" for a photo the server does not have (a
                        // captive portal, a restored server): check and upload again.
                        self.mark_photos_missing(&request.photos)?;
                        continue;
                    }
                    return self.settle(&id, &verdict, e.into(), pushed);
                }
            }
        }
        // Not reached: the engine never asks for the photos again after the last round.
        Err(ClientError::Server("photo upload did not settle".into()))
    }

    /// Applies the engine's verdict on a failed attempt to send a queued report: refused
    /// for good (kept with the reason, counted in the summary), or kept queued with the
    /// attempt counted and `error` returned, which stops this run (a 401 among them makes
    /// [`Self::sync_steps`] register again and go on).
    fn settle(&self, id: &str, verdict: &Verdict, error: ClientError, mut pushed: Pushed) -> Result<Pushed> {
        let state = self.db(|c| {
            Ok(c.query_row(
                "SELECT sync_state, attempts, last_error FROM reports WHERE id = ?1",
                [id],
                |r| Ok(entry_state(&r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })?;
        match after_verdict(&state, verdict) {
            Next::Keep(EntryState::Refused { reason }) => {
                self.reject_report(id, Some(&reason))?;
                pushed.rejected = true;
                Ok(pushed)
            }
            Next::Keep(queued) | Next::ReRegisterThenRetry { state: queued } => {
                if let EntryState::Queued { attempts, .. } = queued {
                    self.db(|c| {
                        c.execute(
                            "UPDATE reports SET attempts = ?2, last_error = ?3 WHERE id = ?1",
                            params![id, attempts, error.to_string()],
                        )?;
                        Ok(())
                    })?;
                }
                Err(error)
            }
            // Neither comes from a failed attempt (photos again are handled by the caller).
            Next::Remove | Next::UploadPhotosThenRetry => Err(error),
        }
    }
}

#[derive(Default)]
struct Pushed {
    photos_uploaded: usize,
    rejected: bool,
}

/// A report in the outbox as the engine sees it.
struct OutboxRow {
    id: ReportId,
    created_at: chrono::DateTime<chrono::Utc>,
    state: EntryState,
}

impl HasEntry for OutboxRow {
    fn entry_id(&self) -> ReportId {
        self.id
    }
    fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.created_at
    }
    fn entry_state(&self) -> &EntryState {
        &self.state
    }
}

/// The engine's state of a report row (a sent one is not in the outbox: read as queued,
/// it is never asked for).
fn entry_state(sync_state: &str, attempts: u32, last_error: Option<String>) -> EntryState {
    match SyncState::parse(sync_state) {
        Some(SyncState::Rejected) => EntryState::Refused {
            reason: last_error.unwrap_or_default(),
        },
        _ => EntryState::Queued { attempts, last_error },
    }
}
