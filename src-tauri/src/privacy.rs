//! The citizen's data protection rights in the app: export their data into the download
//! folder, withdraw a report, erase everything, ask for erasure by e-mail address.
//!
//! Withdrawing and erasing wait for a running sync of this app to finish and keep the
//! next one out until they are done (the client library also holds its file lock
//! against other processes): a sync alongside could send a report being deleted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use augenmerk_client::Withdrawal;
use augenmerk_domain::Language;

use crate::state::{AppState, CmdResult, parse_id};

/// Where an export was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    /// The file's name (`augenmerk-daten-YYYY-MM-DD.zip`).
    pub name: String,
    /// The folder it is in.
    pub location: String,
}

impl AppState {
    /// Saves the citizen's data export (needs the network) into `download_dir` (the
    /// user's download folder, from the platform), or `exports/` in the app's data
    /// directory when there is none or it cannot be created.
    pub async fn export_my_data(&self, download_dir: Option<PathBuf>) -> CmdResult<ExportedFile> {
        let dir = export_dir(download_dir, &self.settings().data_dir);
        let path = self.client().export(&dir).await?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        tracing::info!(path = %path.display(), "data exported");
        Ok(ExportedFile {
            name,
            location: dir.display().to_string(),
        })
    }

    /// Withdraws a report: one never sent is deleted on the device; a sent one is taken
    /// back by the server while nobody handles it yet (needs the network).
    pub async fn withdraw_report(&self, id: &str) -> CmdResult<Withdrawal> {
        let id = parse_id(id, "id")?;
        let outcome = {
            let _gate = self.sync_gate.lock().await;
            self.client().withdraw(&id).await?
        };
        self.publish_status();
        Ok(outcome)
    }

    /// Erases the citizen's data on the server and the device (needs the network when
    /// the device is registered); returns how many reports were erased.
    pub async fn erase_my_data(&self) -> CmdResult<u32> {
        let erased = {
            let _gate = self.sync_gate.lock().await;
            self.client().erase_all().await?
        };
        self.publish_status();
        Ok(erased)
    }

    /// Asks for a link (by mail) that erases everything sent with an e-mail address.
    pub async fn request_email_erasure(&self, email: &str, language: Language) -> CmdResult<()> {
        Ok(self.client().request_email_erasure(email, language).await?)
    }
}

/// The folder an export goes to: the download folder if it exists or can be created,
/// else `exports/` in the data directory.
fn export_dir(download_dir: Option<PathBuf>, data_dir: &Path) -> PathBuf {
    match download_dir {
        Some(d) if std::fs::create_dir_all(&d).is_ok() => d,
        Some(d) => {
            tracing::warn!(dir = %d.display(), "the download folder is not usable; saving in the data directory");
            data_dir.join("exports")
        }
        None => data_dir.join("exports"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_usable_download_folder_exports_go_to_the_data_directory() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().join("data");
        assert_eq!(export_dir(None, &data), data.join("exports"));
        let downloads = dir.path().join("Downloads");
        assert_eq!(export_dir(Some(downloads.clone()), &data), downloads);
        assert!(downloads.is_dir(), "created");
        // A file where the folder should be.
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, b"x")?;
        assert_eq!(export_dir(Some(blocked.join("sub")), &data), data.join("exports"));
        Ok(())
    }
}
