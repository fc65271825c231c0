//! The sync engine: register once, push photos and reports, push replies, pull changes;
//! for a logged-in field worker also push queued actions and pull the cases.
//!
//! Every step is idempotent on the server (photos by hash, reports by id, messages and
//! actions by their client-chosen ids) and records its success locally only after the
//! server acknowledged it, so a sync may be killed at any point and simply run again.
//! The change-feed cursor moves in the same transaction as the changes it covers.

use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use augenmerk_domain::api::{NewDevice, NewMessage};
pub use augenmerk_domain::device::SyncSummary;
use augenmerk_domain::public::{ChangeKind, CitizenReport, MessageAuthor, PublicMessage, PublicStatusChange};
use augenmerk_domain::{BlobHash, MessageId, ReportId};
use augenmerk_sync::{Answer, Verdict, judge_request};

use crate::error::{ClientError, RemoteError, Result};
use crate::lock::SyncLock;
use crate::model::SyncState;
use crate::retry::with_retry;
use crate::{Client, time};

/// What one sync run should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Refresh the cached municipality configuration.
    pub configuration: bool,
    /// For a logged-in field worker: push actions and pull cases.
    pub cases: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            configuration: true,
            cases: true,
        }
    }
}

/// Changes fetched per request of the feed.
const FEED_PAGE: u32 = 500;

/// Meta keys.
pub(crate) const DEVICE_ID: &str = "device_id";
pub(crate) const DEVICE_TOKEN: &str = "device_token";
const CURSOR: &str = "feed_cursor";
/// Set when the citizen erased their data (see privacy.rs), until the next registration.
pub(crate) const ERASED: &str = "erased_at";
/// What belongs to one registration of the device: dropped together when it ends.
pub(crate) const DEVICE_KEYS: [&str; 5] = [
    DEVICE_ID,
    DEVICE_TOKEN,
    CURSOR,
    crate::following::FOLLOWS_CHECKED,
    crate::mail_state::CHECKED,
];

impl Client {
    /// One sync run. Fails with [`ClientError::SyncBusy`] if another is running on this
    /// data directory; on a network failure it stops and keeps everything queued.
    ///
    /// The run is recorded in the sync status ([`Client::sync_status`]).
    pub async fn sync(&self, options: &SyncOptions) -> Result<SyncSummary> {
        self.sync_started();
        let result = self.sync_run(options).await;
        self.sync_finished(&result);
        result
    }

    async fn sync_run(&self, options: &SyncOptions) -> Result<SyncSummary> {
        let _lock = SyncLock::try_acquire(self.data_dir())?;
        let mut summary = SyncSummary::default();
        let result = self.sync_steps(options, &mut summary).await;
        summary.still_queued = {
            let (r, m) = self.pending_count()?;
            r + m
        };
        result.map(|()| summary)
    }

    async fn sync_steps(&self, options: &SyncOptions, summary: &mut SyncSummary) -> Result<()> {
        // After the citizen erased their data, the device registers again only once it
        // has something for the server (a report, a follow), not at the next sync.
        if self.meta(DEVICE_TOKEN)?.is_some() || self.meta(ERASED)?.is_none() || self.needs_device()? {
            let token = self.device_token().await?;
            let mut citizen = self.citizen_steps(&token, summary).await;
            if let Err(ClientError::Remote(e)) = &citizen
                && e.needs_registration()
            {
                // The server no longer knows this device (its registration expired after
                // long inactivity, or its database was restored from an older backup):
                // register again and go on. Nothing is lost locally; reports sent before
                // stay here as history (the server no longer links them to this device).
                tracing::warn!("the server does not know this device any more; registering again");
                self.forget_device(&token)?;
                let token = self.device_token().await?;
                citizen = self.citizen_steps(&token, summary).await;
            }
            citizen?;
        }
        if options.configuration {
            summary.configurations = self.refresh_configuration().await?;
        }
        if options.cases && self.staff_token()?.is_some() {
            self.push_actions(summary).await?;
            self.pull_cases(summary).await?;
        }
        Ok(())
    }

    async fn citizen_steps(&self, token: &str, summary: &mut SyncSummary) -> Result<()> {
        self.push_reports(token, summary).await?;
        self.push_replies(token, summary).await?;
        self.pull_changes(token, summary).await?;
        summary.follows_renewed += self.renew_follows(token).await?;
        self.refresh_mail_updates(token).await?;
        Ok(())
    }

    /// Runs a request with the device's token; if the server no longer knows the device
    /// (401), registers it again and runs the request once more, instead of failing until
    /// the next sync.
    pub(crate) async fn with_device<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = std::result::Result<T, RemoteError>>,
    {
        let token = self.device_token().await?;
        match op(token.clone()).await {
            Err(e) if e.needs_registration() => {
                tracing::warn!("the server does not know this device any more; registering again");
                self.forget_device(&token)?;
                Ok(op(self.device_token().await?).await?)
            }
            other => Ok(other?),
        }
    }

    /// Syncs now and then every `every` (with jitter) until `stop` completes; errors are
    /// logged and the next run tries again.
    pub async fn sync_periodically(&self, every: Duration, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            match self.sync(&SyncOptions::default()).await {
                Ok(s) => tracing::info!(?s, "sync finished"),
                Err(e) => tracing::warn!(error = %e, "sync failed; will try again"),
            }
            let jitter = rand::random_range(0.8..1.2);
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(every.mul_f64(jitter)) => {}
            }
        }
    }

    /// Whether anything waits for the server that needs a registered device.
    fn needs_device(&self) -> Result<bool> {
        self.db(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM reports WHERE sync_state = ?1) OR EXISTS (SELECT 1 FROM followed)",
                [SyncState::Queued.as_str()],
                |r| r.get(0),
            )?)
        })
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>> {
        self.db(|c| {
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    pub(crate) fn delete_meta(&self, keys: &[&str]) -> Result<()> {
        self.db(|c| {
            let mut stmt = c.prepare_cached("DELETE FROM meta WHERE key = ?1")?;
            for k in keys {
                stmt.execute([k])?;
            }
            Ok(())
        })
    }

    pub(crate) fn set_meta(c: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
        c.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Open reports of this category near a place, from the server ("already reported?");
    /// fails without a network, which callers treat as "nothing to offer".
    pub async fn nearby_reports(
        &self,
        at: augenmerk_domain::GeoPoint,
        category: &augenmerk_domain::CategoryId,
    ) -> Result<Vec<augenmerk_domain::public::NearbyReport>> {
        let api = self.api()?;
        self.with_device(|token| async move { api.nearby_reports(&token, at, category).await })
            .await
    }

    /// The device's token, registering the device on first use.
    pub(crate) async fn device_token(&self) -> Result<String> {
        if let Some(t) = self.meta(DEVICE_TOKEN)? {
            return Ok(t);
        }
        let api = self.api()?;
        let meta = NewDevice {
            platform: Some(std::env::consts::OS.to_owned()),
            app_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        };
        // A crash between the server's answer and our write leaves an unused device on
        // the server, which is harmless (it expires); the next run registers again.
        let reg = with_retry(&self.options.retry, || api.register_device(&meta)).await?;
        self.db(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // Registered meanwhile by another task or process (a sync and a follow at
            // first use): keep the first, which may already own reports; ours stays unused.
            let stored: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = ?1", [DEVICE_TOKEN], |r| r.get(0))
                .optional()?;
            if let Some(t) = stored {
                return Ok(t);
            }
            Self::set_meta(&tx, DEVICE_ID, &reg.device_id.to_string())?;
            Self::set_meta(&tx, DEVICE_TOKEN, &reg.token)?;
            tx.execute("DELETE FROM meta WHERE key = ?1", [ERASED])?;
            tx.commit()?;
            Ok(reg.token)
        })
    }

    /// Uploads a photo unless the server has it; returns whether bytes were sent.
    pub(crate) async fn upload_photo(&self, token: &str, hash: &BlobHash) -> Result<bool> {
        let api = self.api()?;
        let policy = &self.options.retry;
        let on_server: bool = self.db(|c| {
            Ok(
                c.query_row("SELECT on_server FROM photos WHERE hash = ?1", [hash.as_str()], |r| {
                    r.get(0)
                })
                .optional()?
                .unwrap_or(false),
            )
        })?;
        if on_server {
            return Ok(false);
        }
        let sent = if with_retry(policy, || api.has_blob(token, hash)).await? {
            false
        } else {
            let bytes = self.photos.get(hash)?;
            with_retry(policy, || api.put_blob(token, hash, bytes.clone())).await?;
            true
        };
        self.db(|c| {
            c.execute("UPDATE photos SET on_server = 1 WHERE hash = ?1", [hash.as_str()])?;
            Ok(())
        })?;
        Ok(sent)
    }

    pub(crate) fn store_sent_report(&self, id: &str, report: &CitizenReport) -> Result<()> {
        let history = serde_json::to_string(&report.history).unwrap_or_else(|_| "[]".into());
        // Stored as its JSON string, so that a state added later reads back as the default.
        let mail_updates = serde_json::to_value(report.mail_updates)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        self.db(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE reports SET sync_state = ?8, sent_at = ?2, last_error = NULL, status = ?3, history = ?4,
                 mail_updates = ?5, place_name = coalesce(?6, place_name), mailed_to = ?7 WHERE id = ?1",
                params![
                    id,
                    time::ts(&time::now()),
                    report.status.as_str(),
                    history,
                    mail_updates,
                    report.place_name,
                    report.mailed_to,
                    SyncState::Sent.as_str(),
                ],
            )?;
            for m in &report.messages {
                upsert_message(&tx, m)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Marks a report as refused for good by the server, with the reason shown to the user.
    pub(crate) fn reject_report(&self, id: &str, error: Option<&str>) -> Result<()> {
        self.db(|c| {
            c.execute(
                "UPDATE reports SET sync_state = ?2, last_error = ?3, attempts = attempts + 1 WHERE id = ?1",
                params![id, SyncState::Rejected.as_str(), error],
            )?;
            Ok(())
        })
    }

    pub(crate) fn note_attempt(&self, id: &str, error: &ClientError) -> Result<()> {
        self.db(|c| {
            c.execute(
                "UPDATE reports SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error.to_string()],
            )?;
            Ok(())
        })
    }

    pub(crate) fn mark_photos_missing(&self, photos: &[BlobHash]) -> Result<()> {
        self.db(|c| {
            for h in photos {
                c.execute("UPDATE photos SET on_server = 0 WHERE hash = ?1", [h.as_str()])?;
            }
            Ok(())
        })
    }

    /// Forgets the registration whose token the server refused, unless another task has
    /// registered anew meanwhile (its token must not be thrown away: it may own reports).
    pub(crate) fn forget_device(&self, refused: &str) -> Result<()> {
        self.db(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let stored: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = ?1", [DEVICE_TOKEN], |r| r.get(0))
                .optional()?;
            if stored.as_deref() == Some(refused) {
                // A new registration is a new follower as far as the server knows: check at once.
                for key in DEVICE_KEYS {
                    tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    async fn push_replies(&self, token: &str, summary: &mut SyncSummary) -> Result<()> {
        let api = self.api()?;
        let queued: Vec<(String, String, String)> = self.db(|c| {
            let mut stmt = c.prepare(
                "SELECT m.id, m.report_id, m.body FROM messages m JOIN reports r ON r.id = m.report_id
                 WHERE m.state = ?1 AND r.sync_state = ?2 ORDER BY m.created_at, m.id",
            )?;
            let rows = stmt.query_map([SyncState::Queued.as_str(), SyncState::Sent.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        for (mid, rid, body) in queued {
            let (Ok(message_id), Ok(report_id)) = (mid.parse::<MessageId>(), rid.parse::<ReportId>()) else {
                continue;
            };
            let msg = NewMessage {
                id: Some(message_id),
                body,
            };
            match with_retry(&self.options.retry, || api.reply(token, &report_id, &msg)).await {
                Ok(m) => {
                    self.db(|c| upsert_message(c, &m))?;
                    summary.replies_sent += 1;
                }
                Err(e) => match judge_request(&Answer::from(&e)) {
                    Verdict::Refused { reason } => {
                        self.db(|c| {
                            c.execute(
                                "UPDATE messages SET state = ?3, last_error = ?2 WHERE id = ?1",
                                params![mid, reason, SyncState::Rejected.as_str()],
                            )?;
                            Ok(())
                        })?;
                    }
                    _ => return Err(e.into()),
                },
            }
        }
        Ok(())
    }

    async fn pull_changes(&self, token: &str, summary: &mut SyncSummary) -> Result<()> {
        let api = self.api()?;
        loop {
            let since: i64 = self.meta(CURSOR)?.and_then(|c| c.parse().ok()).unwrap_or(0);
            let page = with_retry(&self.options.retry, || api.changes(token, since, FEED_PAGE)).await?;
            let n = page.changes.len();
            self.db(|c| {
                let tx = c.transaction()?;
                for change in &page.changes {
                    apply_change(&tx, &change.report_id, &change.change)?;
                }
                // The cursor moves with the changes it covers: a crash replays a page at most.
                Self::set_meta(&tx, CURSOR, &page.cursor.to_string())?;
                tx.commit()?;
                Ok(())
            })?;
            summary.changes += n;
            if !page.more || n == 0 {
                return Ok(());
            }
        }
    }
}

fn upsert_message(c: &rusqlite::Connection, m: &PublicMessage) -> Result<()> {
    let author = match m.author {
        MessageAuthor::Citizen => "citizen",
        MessageAuthor::Municipality => "municipality",
    };
    let inserted = c.execute(
        "INSERT INTO messages (id, report_id, author, body, created_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, last_error = NULL, created_at = excluded.created_at",
        params![
            m.id.to_string(),
            m.report_id.to_string(),
            author,
            m.body,
            time::ts(&m.created_at),
            SyncState::Sent.as_str(),
        ],
    );
    match inserted {
        Ok(_) => Ok(()),
        // The report is not on this device (data restored from elsewhere): nothing to attach to.
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn apply_change(c: &rusqlite::Connection, report: &ReportId, change: &ChangeKind) -> Result<()> {
    match change {
        ChangeKind::Status { change } => {
            let history: Option<String> = c
                .query_row("SELECT history FROM reports WHERE id = ?1", [report.to_string()], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(history) = history else {
                crate::following::apply_followed_status(c, report, change, same_change)?;
                return Ok(());
            };
            let mut history: Vec<PublicStatusChange> = serde_json::from_str(&history).unwrap_or_default();
            if history.iter().any(|h| same_change(h, change)) {
                // Already known from the submit answer: neither news nor a newer status.
                return Ok(());
            }
            history.push(change.clone());
            c.execute(
                "UPDATE reports SET status = ?2, history = ?3, unseen = 1 WHERE id = ?1",
                params![
                    report.to_string(),
                    change.to.as_str(),
                    serde_json::to_string(&history).unwrap_or_else(|_| "[]".into())
                ],
            )?;
        }
        ChangeKind::Message { message } => {
            upsert_message(c, message)?;
            if message.author == MessageAuthor::Municipality {
                c.execute("UPDATE reports SET unseen = 1 WHERE id = ?1", [report.to_string()])?;
            }
        }
    }
    Ok(())
}

/// The same status change, seen once in a submit answer and again in the feed (the
/// stored timestamp may have lost precision).
fn same_change(a: &PublicStatusChange, b: &PublicStatusChange) -> bool {
    a.from == b.from && a.to == b.to && (a.at - b.at).num_milliseconds().abs() < 1_000
}
