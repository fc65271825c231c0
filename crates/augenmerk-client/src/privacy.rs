//! The citizen's data protection rights from the device (DSGVO Art. 15, 17, 20): export
//! what this device sent, withdraw a report nobody handled yet, erase everything, and
//! ask for the erasure of what was sent with an e-mail address.
//!
//! Withdrawing and erasing hold the sync lock: a sync running alongside could send a
//! report that is being deleted here, or register the device anew while its data is
//! erased. The export only reads, and a long download must not hold up syncing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::OptionalExtension;

use augenmerk_domain::privacy::EmailErasureRequest;
use augenmerk_domain::{BlobHash, Language, ReportId};

use crate::error::{ClientError, RemoteError, Result};
use crate::lock::SyncLock;
use crate::model::SyncState;
use crate::sync::{DEVICE_KEYS, DEVICE_TOKEN, ERASED};
use crate::{Client, time};

/// How long these operations wait for a running sync to finish.
const SYNC_PATIENCE: Duration = Duration::from_secs(60);

/// What withdrawing a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withdrawal {
    /// It was still in the outbox and never left the device: deleted here.
    Dropped,
    /// The server took it back and erased it; deleted here too.
    Withdrawn,
    /// The server has no such report of this device (withdrawn elsewhere, never
    /// arrived, or sent under a registration that expired since); deleted here.
    Gone,
}

impl Client {
    /// Downloads everything the server keeps about this device's reports (answers,
    /// messages, photos) and saves it as `augenmerk-daten-YYYY-MM-DD.zip` in `dest_dir`;
    /// returns the file's path. Needs the server. A file of the same name is replaced
    /// (it is an older export of the same day), never left half-written.
    ///
    /// A device that never registered has sent nothing ([`ClientError::NothingSent`]; it
    /// is not registered just for an empty file). One whose registration expired gets
    /// [`ClientError::DeviceExpired`] rather than the empty export of a new registration.
    pub async fn export(&self, dest_dir: &Path) -> Result<PathBuf> {
        const WHAT: &str = "exporting your data";
        let token = self.meta(DEVICE_TOKEN)?.ok_or(ClientError::NothingSent)?;
        let mut download = match self.api()?.export_me(&token).await {
            Ok(d) => d,
            Err(e) if e.status() == Some(401) => {
                // Registered anew at the next sync.
                self.forget_device(&token)?;
                return Err(ClientError::DeviceExpired);
            }
            Err(e) => return Err(offline(WHAT, e)),
        };
        let name = download
            .filename
            .take()
            .filter(|n| is_export_name(n))
            .unwrap_or_else(|| format!("augenmerk-daten-{}.zip", chrono::Local::now().format("%Y-%m-%d")));
        std::fs::create_dir_all(dest_dir)
            .map_err(|e| ClientError::io(format!("cannot create {}", dest_dir.display()), e))?;
        let target = dest_dir.join(&name);
        let tmp = dest_dir.join(format!(".{name}.{}.part", uuid::Uuid::new_v4().simple()));
        let written = async {
            let mut file = std::fs::File::create(&tmp)
                .map_err(|e| ClientError::io(format!("cannot write {}", tmp.display()), e))?;
            while let Some(chunk) = download.chunk().await.map_err(|e| offline(WHAT, e))? {
                file.write_all(&chunk)
                    .map_err(|e| ClientError::io(format!("cannot write {}", tmp.display()), e))?;
            }
            file.sync_all()
                .map_err(|e| ClientError::io(format!("cannot write {}", tmp.display()), e))?;
            std::fs::rename(&tmp, &target).map_err(|e| ClientError::io(format!("cannot write {}", target.display()), e))
        }
        .await;
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(target)
    }

    /// Withdraws one of the citizen's reports. One still in the outbox that was never
    /// sent is deleted here with its photos, without the network: it never left the
    /// device. Any other needs the server, which takes it back only while nobody works on
    /// it ([`ClientError::AlreadyHandled`] otherwise); then it is deleted here too.
    ///
    /// Offline, a report that may be on the server is refused ([`ClientError::Offline`])
    /// rather than queued: a withdrawal arriving later could find staff already working
    /// on it, and the citizen would believe it withdrawn when it is not.
    pub async fn withdraw(&self, id: &ReportId) -> Result<Withdrawal> {
        const WHAT: &str = "withdrawing a report that may have reached the server";
        let _lock = SyncLock::acquire(self.data_dir(), SYNC_PATIENCE).await?;
        let state: Option<(String, bool)> = self.db(|c| {
            Ok(c.query_row(
                "SELECT sync_state, submit_started FROM reports WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        let (sync_state, submit_started) = state.ok_or_else(|| ClientError::NotFound(format!("report {id}")))?;
        // Never submitted (its photos may have been uploaded: the server deletes photos
        // no report uses within a day), or refused by the server: only here.
        let sync_state = SyncState::parse(&sync_state);
        if (sync_state == Some(SyncState::Queued) && !submit_started) || sync_state == Some(SyncState::Rejected) {
            self.delete_reports(Some(id))?;
            return Ok(Withdrawal::Dropped);
        }
        let Some(token) = self.meta(DEVICE_TOKEN)? else {
            // No registration: nothing can have reached the server from here.
            self.delete_reports(Some(id))?;
            return Ok(Withdrawal::Dropped);
        };
        let outcome = match self.api()?.withdraw(&token, id).await {
            Ok(()) => Withdrawal::Withdrawn,
            Err(e) if matches!(e.status(), Some(404 | 410)) => Withdrawal::Gone,
            Err(e) if e.status() == Some(409) => return Err(ClientError::AlreadyHandled),
            Err(e) if e.status() == Some(401) => {
                // The registration expired: the server cannot tell this device's reports
                // any more. Register anew at the next sync; the report stays here.
                self.forget_device(&token)?;
                return Err(ClientError::DeviceExpired);
            }
            Err(e) => return Err(offline(WHAT, e)),
        };
        self.delete_reports(Some(id))?;
        Ok(outcome)
    }

    /// Erases the citizen's data: on the server the personal data of every report this
    /// device sent and its registration, then here every report (queued ones too),
    /// follow and captured photo, and the device's token, so that the next report
    /// registers a new device. Returns how many reports were erased (on the server, plus
    /// those that only ever were on this device). A field worker's cases stay.
    ///
    /// Needs the server when the device is registered: the token is the only proof of
    /// which reports are the citizen's, so it is kept until the server confirmed.
    pub async fn erase_all(&self) -> Result<u32> {
        const WHAT: &str = "erasing your data";
        let _lock = SyncLock::acquire(self.data_dir(), SYNC_PATIENCE).await?;
        let on_server = match self.meta(DEVICE_TOKEN)? {
            None => 0,
            Some(token) => match self.api()?.erase_me(&token).await {
                Ok(done) => done.reports,
                // The registration expired (or was erased before): the server links no
                // report to this device any more; what is left there is erased by
                // retention or by e-mail address.
                Err(e) if e.status() == Some(401) => 0,
                Err(e) => return Err(offline(WHAT, e)),
            },
        };
        let only_here = self.delete_reports(None)?;
        self.db(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM followed", [])?;
            for key in DEVICE_KEYS {
                tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
            }
            // The next sync does not register the device again by itself (see sync.rs).
            Self::set_meta(&tx, ERASED, &time::ts(&time::now()))?;
            tx.commit()?;
            Ok(())
        })?;
        self.delete_unused_photos()?;
        Ok(on_server.saturating_add(only_here))
    }

    /// Asks the server to mail a confirmation link that erases everything sent with
    /// `email` (from any device or the web page). Needs the server; the answer is the
    /// same whether the address is known or not.
    pub async fn request_email_erasure(&self, email: &str, language: Language) -> Result<()> {
        const WHAT: &str = "asking for erasure by e-mail";
        let request = EmailErasureRequest {
            email: email.trim().to_owned(),
            language: Some(language),
        };
        match self.api()?.request_email_erasure(&request).await {
            Ok(()) => Ok(()),
            Err(RemoteError::Status { details, .. }) if !details.is_empty() => Err(ClientError::Invalid(details)),
            Err(e) => Err(offline(WHAT, e)),
        }
    }

    /// Deletes one report (or all of them) here, with their threads and the photos no
    /// other report or action uses; returns how many of them were never on the server.
    fn delete_reports(&self, id: Option<&ReportId>) -> Result<u32> {
        let (only_here, photos) = self.db(|c| {
            let tx = c.transaction()?;
            let filter = id.map(ToString::to_string);
            let only_here: u32 = tx.query_row(
                "SELECT count(*) FROM reports WHERE (?1 IS NULL OR id = ?1)
                   AND (sync_state = ?2 OR (sync_state = ?3 AND submit_started = 0))",
                rusqlite::params![filter, SyncState::Rejected.as_str(), SyncState::Queued.as_str()],
                |r| r.get(0),
            )?;
            let photos: Vec<String> = tx
                .prepare("SELECT DISTINCT hash FROM report_photos WHERE ?1 IS NULL OR report_id = ?1")?
                .query_map([&filter], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // Photo links and messages go with the report (ON DELETE CASCADE).
            tx.execute("DELETE FROM reports WHERE ?1 IS NULL OR id = ?1", [&filter])?;
            tx.commit()?;
            Ok((only_here, photos))
        })?;
        for hash in photos.iter().filter_map(|h| BlobHash::parse(h).ok()) {
            self.discard_photo(&hash)?;
        }
        Ok(only_here)
    }

    /// Deletes every captured photo that no report or field action uses (erasing
    /// everything also takes photos that were in a form but never sent).
    fn delete_unused_photos(&self) -> Result<()> {
        let captured: Vec<String> = self.db(|c| {
            Ok(c.prepare("SELECT hash FROM photos WHERE origin = 'captured'")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        for hash in captured.iter().filter_map(|h| BlobHash::parse(h).ok()) {
            self.discard_photo(&hash)?;
        }
        Ok(())
    }
}

impl Client {
    /// Submits a queued report, first marking it as possibly on the server: from then on
    /// withdrawing it needs the server. The mark is taken back if no attempt got a
    /// connection (the device was offline: the report surely never left it). The outer
    /// error is the device's, the inner one the server's answer.
    pub(crate) async fn submit_marked(
        &self,
        token: &str,
        request: &augenmerk_domain::api::NewReport,
    ) -> Result<std::result::Result<augenmerk_domain::public::CitizenReport, RemoteError>> {
        let api = self.api()?;
        let id = request.id.to_string();
        let was_started: bool = self.db(|c| {
            let tx = c.transaction()?;
            let was: bool = tx.query_row("SELECT submit_started FROM reports WHERE id = ?1", [&id], |r| r.get(0))?;
            tx.execute("UPDATE reports SET submit_started = 1 WHERE id = ?1", [&id])?;
            tx.commit()?;
            Ok(was)
        })?;
        let connected = std::sync::atomic::AtomicBool::new(false);
        let result = crate::retry::with_retry(&self.options.retry, || async {
            let answer = api.submit_report(token, request).await;
            if !matches!(answer, Err(RemoteError::Unreachable(_))) {
                connected.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            answer
        })
        .await;
        if !was_started && !connected.load(std::sync::atomic::Ordering::Relaxed) {
            self.db(|c| {
                c.execute("UPDATE reports SET submit_started = 0 WHERE id = ?1", [&id])?;
                Ok(())
            })?;
        }
        Ok(result)
    }
}

/// A failed request of an operation that needs the server: no answer becomes
/// [`ClientError::Offline`]; an answer stays what it is.
fn offline(action: &'static str, e: impl Into<ClientError>) -> ClientError {
    match e.into() {
        ClientError::Remote(RemoteError::Network(cause) | RemoteError::Unreachable(cause)) => {
            ClientError::Offline { action, cause }
        }
        other => other,
    }
}

/// Whether a name from the server is a plain export name (no path, nothing odd).
fn is_export_name(name: &str) -> bool {
    name.starts_with("augenmerk-daten-")
        && name.ends_with(".zip")
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        && !name.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_export_names_are_taken_from_the_server() {
        assert!(is_export_name("augenmerk-daten-2026-12-03.zip"));
        for bad in [
            "../augenmerk-daten-2026-12-03.zip",
            "augenmerk-daten-/etc/passwd.zip",
            "augenmerk-daten-..zip",
            "report.zip",
            "augenmerk-daten-2026.exe",
        ] {
            assert!(!is_export_name(bad), "{bad}");
        }
    }

    #[test]
    fn no_answer_is_offline_and_an_answer_is_kept() {
        let e = offline("exporting your data", RemoteError::Network("connection refused".into()));
        assert!(matches!(e, ClientError::Offline { .. }), "{e:?}");
        assert!(e.to_string().contains("exporting your data needs a connection"), "{e}");
        let e = offline(
            "exporting your data",
            RemoteError::Status {
                status: 500,
                code: None,
                message: "boom".into(),
                details: vec![],
                retry_after: None,
            },
        );
        assert!(matches!(e, ClientError::Remote(_)), "{e:?}");
    }
}
