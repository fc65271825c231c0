//! The citizen's receipt among a test server's `.eml` files (test servers without SMTP
//! write their mails there), shared by the test binaries that follow its status link.

use std::path::Path;
use std::time::{Duration, Instant};

/// Waits (up to a minute) for the receipt to `to` under `mail_dir`; returns its subject
/// and the token of its `#/status/<token>` link.
pub fn wait_for_receipt(mail_dir: &Path, to: &str) -> (String, String) {
    wait_for_link(mail_dir, to, "#/status/")
}

/// Waits (up to a minute) for a mail to `to` with a link to the page `route`
/// (`#/status/`, `#/erase/`); returns its subject and the link's token.
pub fn wait_for_link(mail_dir: &Path, to: &str, route: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        for file in std::fs::read_dir(mail_dir).into_iter().flatten().flatten() {
            let Ok(raw) = std::fs::read(file.path()) else { continue };
            let Some(mail) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            let to_citizen = mail
                .to()
                .and_then(|t| t.first())
                .and_then(|a| a.address())
                .is_some_and(|a| a == to);
            let text = mail.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
            if let Some(at) = text.find(route).filter(|_| to_citizen) {
                let token: String = text[at + route.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return (mail.subject().unwrap_or_default().to_owned(), token);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} with a {route} link under {}",
            mail_dir.display()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}
