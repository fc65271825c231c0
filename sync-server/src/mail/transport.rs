//! Handing a mail to SMTP, or writing it as an `.eml` file when no SMTP server is set.

use std::path::Path;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::compose::OutgoingMail;
use super::settings::MailSettings;

/// Why a mail could not be built or sent.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The settings are unusable (bad `smtp_url`, bad `from`).
    #[error("mail settings: {0}")]
    Settings(String),
    /// The mail itself is unusable (a bad address): sending again will not help.
    #[error("{0}")]
    Permanent(String),
    /// The server is unreachable or answered 4xx: try again later.
    #[error("{0}")]
    Transient(String),
}

/// Where mails go.
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder (the embedded default).
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    /// SMTP if `smtp_url` is set, else `.eml` files in `mail_dir`.
    pub fn from_settings(settings: &MailSettings, mail_dir: &Path) -> Result<Self, TransportError> {
        let Some(url) = settings.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            std::fs::create_dir_all(mail_dir)
                .map_err(|e| TransportError::Settings(format!("cannot create {}: {e}", mail_dir.display())))?;
            return Ok(Self::Files(AsyncFileTransport::new(mail_dir)));
        };
        let url = lettre_url(url)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| TransportError::Settings(format!("smtp_url: {e}")))?
            .timeout(Some(Duration::from_secs(settings.timeout_seconds)));
        if let (Some(user), Some(password)) = (&settings.smtp_user, &settings.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self::Smtp(builder.build()))
    }

    /// Sends one mail; returns once the server accepted it (250) or the file is written.
    pub async fn send(&self, message: Message) -> Result<(), TransportError> {
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    TransportError::Permanent(e.to_string())
                } else {
                    TransportError::Transient(e.to_string())
                }
            }),
            Self::Files(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| TransportError::Transient(e.to_string())),
        }
    }
}

/// Our URL forms to lettre's: `smtp://` means STARTTLS required unless `tls=` says
/// otherwise (`tls=none`: plain, for a relay on the same host and the tests).
fn lettre_url(url: &str) -> Result<String, TransportError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let tls = params.iter().find_map(|p| p.strip_prefix("tls=")).map(str::to_owned);
    if base.starts_with("smtps://") {
        return Ok(url.to_owned());
    }
    if !base.starts_with("smtp://") {
        return Err(TransportError::Settings(
            "smtp_url must start with smtp:// or smtps://".into(),
        ));
    }
    match tls.as_deref() {
        None => params.push("tls=required"),
        Some("none") => params.retain(|p| !p.starts_with("tls=")),
        Some("required" | "opportunistic") => {}
        Some(other) => return Err(TransportError::Settings(format!("smtp_url: unknown tls={other}"))),
    }
    Ok(if params.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", params.join("&"))
    })
}

/// A photo to attach.
pub struct AttachedPhoto {
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub bytes: Vec<u8>,
}

/// Builds the MIME message: `multipart/mixed` of a `multipart/alternative` (text, HTML)
/// and the photos; umlauts in headers are encoded by lettre (RFC 2047), bodies are UTF-8.
pub fn build_message(mail: &OutgoingMail, from: &str, photos: Vec<AttachedPhoto>) -> Result<Message, TransportError> {
    let from_box = Mailbox::new(
        Some(mail.from_name.clone()),
        from.parse()
            .map_err(|e| TransportError::Settings(format!("mail.from: {e}")))?,
    );
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| TransportError::Permanent(format!("recipient address: {e}")))?;
    let mut builder = Message::builder()
        .from(from_box)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date_now();
    if let Some(reply_to) = mail.reply_to.as_deref().and_then(|r| r.parse::<Mailbox>().ok()) {
        builder = builder.reply_to(reply_to);
    }
    if let Some(url) = &mail.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let alternative = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(mail.html.clone()),
        );
    let body = if photos.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for p in photos {
            let content_type = ContentType::parse(&p.content_type)
                .map_err(|e| TransportError::Permanent(format!("photo type: {e}")))?;
            mixed = mixed.singlepart(Attachment::new(p.name).body(p.bytes, content_type));
        }
        mixed
    };
    builder
        .multipart(body)
        .map_err(|e| TransportError::Permanent(format!("cannot build the mail: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_default_to_starttls() {
        assert_eq!(
            lettre_url("smtp://mail.example.de:587").ok().as_deref(),
            Some("smtp://mail.example.de:587?tls=required")
        );
        assert_eq!(
            lettre_url("smtp://127.0.0.1:2525?tls=none").ok().as_deref(),
            Some("smtp://127.0.0.1:2525")
        );
        assert_eq!(
            lettre_url("smtps://mail.example.de").ok().as_deref(),
            Some("smtps://mail.example.de")
        );
        assert!(lettre_url("http://mail.example.de").is_err());
        assert!(lettre_url("smtp://x?tls=maybe").is_err());
    }
}
