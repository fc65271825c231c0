//! The citizen's data protection rights, in the app and on the web page: export what
//! they sent, withdraw a report nobody handled yet, erase their data.

use augenmerk_domain::Language;

use super::{Backend, UiResult};

/// A data export the program saved for the citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// The file's name (`augenmerk-daten-YYYY-MM-DD.zip`).
    pub name: String,
    /// Where the app saved it (the web page hands it to the browser's download instead).
    pub location: Option<String>,
}

impl Backend {
    /// Downloads everything this device sent (reports, answers, messages, photos) as a ZIP.
    pub async fn export_my_data(&self) -> UiResult<ExportedFile> {
        match self {
            Backend::App(b) => b.export_my_data().await,
            Backend::Web(b) => b.export_my_data().await,
        }
    }

    /// Withdraws a report that nobody has handled yet (one still in the outbox is just
    /// dropped: it never left the device).
    pub async fn withdraw_report(&self, id: &str) -> UiResult<()> {
        match self {
            Backend::App(b) => b.withdraw_report(id).await,
            Backend::Web(b) => b.withdraw_report(id).await,
        }
    }

    /// Erases the personal data of every report this device sent and its registration;
    /// returns how many reports were touched.
    pub async fn erase_my_data(&self) -> UiResult<u32> {
        match self {
            Backend::App(b) => b.erase_my_data().await,
            Backend::Web(b) => b.erase_my_data().await,
        }
    }

    /// Asks for a confirmation link to erase everything sent with an e-mail address.
    pub async fn request_email_erasure(&self, email: &str, language: Language) -> UiResult<()> {
        match self {
            Backend::App(b) => b.request_email_erasure(email, language).await,
            Backend::Web(b) => b.request_email_erasure(email, language).await,
        }
    }
}
