//! Mail and forwarding: what is sent ([`compose`], [`templates`]), when it is queued
//! ([`events`]), and the background worker that delivers it ([`worker`]) through SMTP
//! or into `.eml` files ([`transport`]). The design is in `docs/mail.md`.

pub mod administration;
pub mod alerts;
pub mod compose;
pub mod digest;
pub mod events;
pub mod log;
pub mod settings;
pub mod templates;
pub mod transport;
pub mod worker;

use std::path::Path;

use tokio::sync::Notify;

pub use settings::MailSettings;
use transport::{Transport, TransportError};

/// The server's mail sender: the transport and a bell that wakes the worker when a
/// change queued something.
pub struct Mailer {
    /// SMTP or files.
    pub transport: Transport,
    wake: Notify,
}

impl Mailer {
    /// Builds the transport from the settings (`.eml` files under `<data_dir>/mail` without SMTP).
    pub fn new(settings: &MailSettings, data_dir: &Path) -> Result<Self, TransportError> {
        Ok(Self {
            transport: Transport::from_settings(settings, &data_dir.join("mail"))?,
            wake: Notify::new(),
        })
    }

    /// Tells the worker that jobs are waiting (it also looks every `poll_seconds`).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits for [`Mailer::wake`].
    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}

/// A fresh, unguessable secret for a status link: 32 random bytes, URL-safe base64.
pub fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `s` can be a token of [`new_token`] (URL-safe base64 of 32 bytes): anything
/// else is not looked up.
pub fn is_token(s: &str) -> bool {
    s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh `Message-ID` (without angle brackets) on the host part of the sender address
/// `from`.
pub fn message_id(from: &str) -> String {
    format!(
        "{}@{}",
        uuid::Uuid::new_v4(),
        from.rsplit('@').next().unwrap_or("augenmerk.invalid")
    )
}
