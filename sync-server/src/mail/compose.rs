//! What each mail says: pure functions from the facts of an event to a rendered mail
//! ([`OutgoingMail`]), plain text and simple HTML, in the citizen's language.
//!
//! Mails are rendered when they are queued, so the outbox holds exactly what goes out
//! and a retry sends the same mail with the same Message-ID. Every text that comes from
//! a person (descriptions, messages, comments) is escaped in the HTML part. Internal
//! notes are never an input of any function here.

use serde::{Deserialize, Serialize};

use augenmerk_domain::mail::MailKind;
use augenmerk_domain::{BlobHash, Language, ReportId};

/// A rendered mail, as the outbox keeps it (the job's payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMail {
    /// Stable `Message-ID` (without angle brackets): a retry after a crash sends the same
    /// id, so that receiving systems can recognise it.
    pub message_id: String,
    /// Why it is sent.
    pub kind: MailKind,
    /// The address.
    pub to: String,
    /// The name shown as the sender.
    pub from_name: String,
    /// Where replies go.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Photos attached (the anonymized ones, read from the photo store when sent).
    #[serde(default)]
    pub attachments: Vec<BlobHash>,
    /// RFC 8058 one-click unsubscribe URL (citizen mails).
    #[serde(default)]
    pub unsubscribe_url: Option<String>,
    /// The report the mail is about; for citizen mails its subscription decides.
    #[serde(default)]
    pub report: Option<ReportId>,
    /// The alert subscription (its token) an alert mail is for: it goes out only while
    /// the subscription exists and is confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
}

/// Who sends, and where links point.
#[derive(Debug, Clone)]
pub struct Sender {
    /// The municipality's name.
    pub municipality: String,
    /// The sender name (`mail_sender_name`, else the municipality's name).
    pub from_name: String,
    /// Reply-to of the municipality.
    pub reply_to: Option<String>,
    /// Accent colour (`#rrggbb`).
    pub accent: String,
    /// The server's public URL, without a trailing slash.
    pub public_url: String,
}

/// A piece of a mail's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of our own text.
    Para(String),
    /// Label–value lines (report number, category, place …).
    Facts(Vec<(String, String)>),
    /// Someone's words (a message, a comment, a description), set apart.
    Quote(String),
    /// A button-like link.
    Link {
        /// Its text.
        label: String,
        /// The URL.
        url: String,
    },
    /// A list of lines, each with an optional link.
    List(Vec<(String, Option<String>)>),
}

/// A mail's content before it is given its envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// Subject.
    pub subject: String,
    /// Heading.
    pub title: String,
    /// Body.
    pub blocks: Vec<Block>,
    /// Small print at the end.
    pub footer: Vec<String>,
}

impl Content {
    /// The mail with its envelope.
    pub fn into_mail(self, kind: MailKind, to: &str, sender: &Sender, message_id: String) -> OutgoingMail {
        let text = render_text(&self);
        let html = render_html(&self, &sender.accent);
        OutgoingMail {
            message_id,
            kind,
            to: to.to_owned(),
            from_name: sender.from_name.clone(),
            reply_to: sender.reply_to.clone(),
            subject: self.subject,
            text,
            html,
            attachments: Vec::new(),
            unsubscribe_url: None,
            report: None,
            alert: None,
        }
    }
}

/// The plain-text part.
pub fn render_text(c: &Content) -> String {
    let mut out = format!("{}\n\n", c.title);
    for b in &c.blocks {
        match b {
            Block::Para(p) => out.push_str(&format!("{p}\n\n")),
            Block::Facts(facts) => {
                for (k, v) in facts {
                    out.push_str(&format!("{k}: {v}\n"));
                }
                out.push('\n');
            }
            Block::Quote(q) => {
                for line in q.lines() {
                    out.push_str(&format!("> {line}\n"));
                }
                out.push('\n');
            }
            Block::Link { label, url } => out.push_str(&format!("{label}:\n{url}\n\n")),
            Block::List(items) => {
                for (line, link) in items {
                    match link {
                        Some(url) => out.push_str(&format!("- {line}\n  {url}\n")),
                        None => out.push_str(&format!("- {line}\n")),
                    }
                }
                out.push('\n');
            }
        }
    }
    if !c.footer.is_empty() {
        out.push_str("-- \n");
        for f in &c.footer {
            out.push_str(&format!("{f}\n"));
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn paragraphs(s: &str) -> String {
    escape(s).replace('\n', "<br>")
}

/// The HTML part: one column, the accent colour on the heading bar and the button,
/// inline styles only (mail clients drop style sheets).
pub fn render_html(c: &Content, accent: &str) -> String {
    let accent = if augenmerk_domain::branding::parse_hex_colour(accent).is_some() {
        accent
    } else {
        "#00577a"
    };
    let mut body = String::new();
    for b in &c.blocks {
        match b {
            Block::Para(p) => body.push_str(&format!("<p>{}</p>", paragraphs(p))),
            Block::Facts(facts) => {
                body.push_str("<table role=\"presentation\" style=\"border-collapse:collapse;margin:8px 0\">");
                for (k, v) in facts {
                    body.push_str(&format!(
                        "<tr><th style=\"text-align:left;padding:2px 12px 2px 0;vertical-align:top\">{}</th>\
                         <td style=\"padding:2px 0\">{}</td></tr>",
                        escape(k),
                        paragraphs(v)
                    ));
                }
                body.push_str("</table>");
            }
            Block::Quote(q) => body.push_str(&format!(
                "<blockquote style=\"margin:8px 0;padding:8px 12px;border-left:4px solid {accent};background:#f4f4f4\">{}</blockquote>",
                paragraphs(q)
            )),
            Block::Link { label, url } => body.push_str(&format!(
                "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:{accent};color:#ffffff;\
                 text-decoration:none;border-radius:4px\">{}</a></p>",
                escape(url),
                escape(label)
            )),
            Block::List(items) => {
                body.push_str("<ul>");
                for (line, link) in items {
                    match link {
                        Some(url) => {
                            body.push_str(&format!("<li><a href=\"{}\">{}</a></li>", escape(url), escape(line)))
                        }
                        None => body.push_str(&format!("<li>{}</li>", escape(line))),
                    }
                }
                body.push_str("</ul>");
            }
        }
    }
    let footer: String = c.footer.iter().map(|f| format!("<p>{}</p>", escape(f))).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"margin:0;font-family:Arial,Helvetica,sans-serif;color:#1a1a1a\">\
         <div style=\"background:{accent};color:#ffffff;padding:12px 16px;font-size:18px\">{title}</div>\
         <div style=\"padding:16px;max-width:640px\">{body}</div>\
         <div style=\"padding:0 16px 16px;font-size:12px;color:#555555\">{footer}</div></body></html>",
        title = escape(&c.title),
    )
}

/// Texts in the citizen's language.
pub fn t(lang: Language, de: &str, en: &str) -> String {
    lang.pick(de, en).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Content {
        Content {
            subject: "Betreff".into(),
            title: "Grüße aus Flensburg".into(),
            blocks: vec![
                Block::Para("Eins\nZwei".into()),
                Block::Facts(vec![("Kategorie".into(), "Schlagloch".into())]),
                Block::Quote("<script>alert(1)</script> & Söhne".into()),
                Block::Link {
                    label: "Stand ansehen".into(),
                    url: "http://127.0.0.1/#/status/a\"b".into(),
                },
            ],
            footer: vec!["Stadt Flensburg".into()],
        }
    }

    #[test]
    fn html_escapes_what_people_wrote() {
        let html = render_html(&sample(), "#00577a");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söhne"));
        assert!(html.contains("a&quot;b"));
        assert!(html.contains("Eins<br>Zwei"));
    }

    #[test]
    fn a_bad_accent_falls_back_to_the_default() {
        let html = render_html(&sample(), "red;background:url(x)");
        assert!(html.contains("#00577a"));
        assert!(!html.contains("url(x)"));
    }

    #[test]
    fn text_part_has_everything() {
        let text = render_text(&sample());
        assert!(text.starts_with("Grüße aus Flensburg\n"));
        assert!(text.contains("Kategorie: Schlagloch"));
        assert!(text.contains("> <script>alert(1)</script> & Söhne"));
        assert!(text.contains("Stand ansehen:\nhttp://127.0.0.1/#/status/a\"b"));
        assert!(text.contains("-- \nStadt Flensburg"));
    }
}
