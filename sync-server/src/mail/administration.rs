//! The mail that takes a report to an administration that is not on the platform (from
//! the platform's directory). Pure: the caller stores the job with the mailed report.
//!
//! It carries what a forwarding to an authority carries (category, answers, description,
//! place with a map link, the anonymized photos, the report number) and the citizen's
//! address only when they agreed to share it.

use uuid::Uuid;

use augenmerk_domain::api::DirectoryEntry;
use augenmerk_domain::mail::MailKind;
use augenmerk_domain::report::{Email, Report};
use augenmerk_domain::{CategoryTree, Language};
use augenmerk_store::NewJob;

use super::compose::{Block, Content, Sender};
use super::events::{answer_lines, facts, mail_job};
use super::templates::ReportFacts;

/// The platform as a sender: it speaks for no municipality.
pub fn platform_sender(public_url: &str) -> Sender {
    Sender {
        municipality: PLATFORM.to_owned(),
        from_name: PLATFORM.to_owned(),
        reply_to: None,
        accent: "#00577a".to_owned(),
        public_url: public_url.trim_end_matches('/').to_owned(),
    }
}

const PLATFORM: &str = "Augenmerk";

/// What the administration reads besides the report's facts.
pub struct Mailed<'a> {
    /// The administration.
    pub to: &'a DirectoryEntry,
    /// The Gemeinde the report lies in.
    pub gemeinde: &'a str,
    /// The citizen's address, only if they agreed to share it.
    pub contact: Option<&'a Email>,
}

/// The job that mails a report to a directory administration.
pub fn job(sender: &Sender, id_domain: &str, tree: &CategoryTree, report: &Report, m: &Mailed<'_>) -> NewJob {
    let facts = facts(tree, report);
    let content = content(sender, &facts, report, tree, m);
    let message_id = format!("{}@{id_domain}", Uuid::new_v4());
    let mut mail = content.into_mail(MailKind::Forwarded, m.to.email.as_str(), sender, message_id);
    mail.report = Some(report.id);
    // The citizen may be answered directly when they shared their address.
    mail.reply_to = m.contact.map(|c| c.as_str().to_owned());
    mail.attachments = report.photos.clone();
    mail_job(report, format!("mailed:{}", report.id), mail)
}

fn content(sender: &Sender, facts: &ReportFacts, report: &Report, tree: &CategoryTree, m: &Mailed<'_>) -> Content {
    let mut blocks = vec![
        Block::Para(format!(
            "Über {PLATFORM}, den Mängelmelder für Schleswig-Holstein, ist eine Meldung aus der Gemeinde {} \
             eingegangen. {} nimmt Meldungen nicht auf der Plattform entgegen; deshalb erhalten Sie sie per E-Mail.",
            m.gemeinde, m.to.name
        )),
        Block::Facts(
            [
                facts.facts(Language::De),
                vec![("Gemeinde".to_owned(), m.gemeinde.to_owned())],
            ]
            .concat(),
        ),
    ];
    let answers = answer_lines(tree, report);
    if !answers.is_empty() {
        blocks.push(Block::Facts(answers));
    }
    if !report.description.trim().is_empty() {
        blocks.push(Block::Para("Beschreibung der meldenden Person:".into()));
        blocks.push(Block::Quote(report.description.clone()));
    }
    blocks.push(Block::Link {
        label: "Ort auf der Karte".into(),
        url: facts.map_url(),
    });
    blocks.push(Block::Para(match m.contact {
        Some(c) => format!(
            "Die meldende Person ist einverstanden, dass Sie sie unter {} erreichen; eine Antwort auf diese \
             Mail geht an diese Adresse.",
            c.as_str()
        ),
        None => "Die meldende Person hat keine Kontaktdaten zur Weitergabe freigegeben.".to_owned(),
    }));
    blocks.push(Block::Para(format!(
        "{} Foto(s) hängen an (Gesichter und Kennzeichen unkenntlich gemacht, Metadaten entfernt).",
        report.photos.len()
    )));
    Content {
        subject: format!("Meldung {} – {} – {}", facts.number, facts.category.de, m.gemeinde),
        title: format!("Meldung für {}", m.to.name),
        blocks,
        footer: vec![format!(
            "{PLATFORM} – {}. Sie erhalten diese Mail, weil {} im Verzeichnis der Plattform mit dieser \
             Adresse für Meldungen eingetragen ist.",
            sender.public_url, m.to.name
        )],
    }
}
