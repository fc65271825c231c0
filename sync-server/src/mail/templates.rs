//! The mails' words, per kind: German and English for citizens, German for staff and
//! authorities (the municipality's working language).

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;

use augenmerk_domain::{GeoPoint, I18nText, Language, Status};

use super::compose::{Block, Content, Sender, t};

/// What every mail says about the report.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    /// The report number (`ReportId::number`).
    pub number: String,
    /// The category's name.
    pub category: I18nText,
    /// Where.
    pub location: GeoPoint,
    /// The citizen's hint on the place.
    pub address_hint: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

impl ReportFacts {
    fn place(&self) -> String {
        let coords = format!("{:.5}, {:.5}", self.location.lat, self.location.lon);
        match self.address_hint.as_deref().filter(|h| !h.trim().is_empty()) {
            Some(h) => format!("{h} ({coords})"),
            None => coords,
        }
    }

    /// A map link (OpenStreetMap) for people without our console.
    pub fn map_url(&self) -> String {
        let (lat, lon) = (self.location.lat, self.location.lon);
        format!("https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}")
    }

    pub(crate) fn facts(&self, lang: Language) -> Vec<(String, String)> {
        vec![
            (t(lang, "Meldungsnummer", "Report number"), self.number.clone()),
            (
                t(lang, "Kategorie", "Category"),
                self.category.get(lang.as_str()).to_owned(),
            ),
            (t(lang, "Ort", "Place"), self.place()),
            (t(lang, "Eingegangen", "Received"), when(self.received_at)),
        ]
    }
}

/// A time as people in Schleswig-Holstein read it.
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin).format("%d.%m.%Y %H:%M").to_string()
}

fn citizen_footer(lang: Language, sender: &Sender) -> Vec<String> {
    vec![
        sender.municipality.clone(),
        t(
            lang,
            "Sie erhalten diese Mail, weil bei einer Meldung an Augenmerk diese Adresse angegeben wurde. \
             Über den Link zur Meldung können Sie die Mails abbestellen.",
            "You receive this mail because this address was given with a report to Augenmerk. \
             You can stop these mails through the link to the report.",
        ),
    ]
}

fn status_link(lang: Language, url: &str) -> Block {
    Block::Link {
        label: t(lang, "Stand der Meldung ansehen", "See the report's status"),
        url: url.to_owned(),
    }
}

/// The receipt: the report arrived.
pub fn receipt(lang: Language, sender: &Sender, facts: &ReportFacts, status_url: &str) -> Content {
    Content {
        subject: format!(
            "{} {} – {}",
            t(lang, "Ihre Meldung", "Your report"),
            facts.number,
            t(lang, "eingegangen", "received")
        ),
        title: t(lang, "Vielen Dank für Ihre Meldung", "Thank you for your report"),
        blocks: vec![
            Block::Para(format!(
                "{} {}.",
                t(lang, "Ihre Meldung ist eingegangen bei", "Your report has reached"),
                sender.municipality
            )),
            Block::Facts(facts.facts(lang)),
            Block::Para(t(
                lang,
                "Wie es weitergeht: Die Meldung wird geprüft und an die zuständige Stelle gegeben. \
                 Über den Link unten sehen Sie jederzeit den Stand, die Antworten der Verwaltung, und Sie \
                 können selbst antworten – von jedem Gerät, ohne App.",
                "What happens next: the report is checked and passed to whoever is responsible. \
                 Through the link below you can see its status and the administration's answers at any \
                 time, and answer yourself – from any device, without the app.",
            )),
            Block::Para(t(
                lang,
                "Möchten Sie Änderungen per E-Mail erhalten? Dann bestätigen Sie bitte auf der Seite hinter \
                 dem Link Ihre Adresse. Ohne Bestätigung schicken wir keine weitere Mail. Wenn Sie diese \
                 Meldung nicht abgegeben haben, können Sie diese Mail einfach löschen.",
                "Would you like updates by e-mail? Then please confirm your address on the page behind the \
                 link. Without confirmation we send no further mail. If you did not make this report, \
                 simply delete this mail.",
            )),
            status_link(lang, status_url),
            Block::Para(t(
                lang,
                "Der Link ist Ihr persönlicher Zugang zur Meldung: Bitte geben Sie ihn nicht weiter.",
                "The link is your personal access to the report: please do not pass it on.",
            )),
        ],
        footer: citizen_footer(lang, sender),
    }
}

/// A new status link after the old one was revoked.
pub fn new_link(lang: Language, sender: &Sender, facts: &ReportFacts, status_url: &str) -> Content {
    Content {
        subject: format!(
            "{} {}",
            t(lang, "Neuer Link zu Ihrer Meldung", "New link to your report"),
            facts.number
        ),
        title: t(lang, "Ihr neuer Link", "Your new link"),
        blocks: vec![
            Block::Para(t(
                lang,
                "Der bisherige Link zu Ihrer Meldung funktioniert nicht mehr. Dies ist der neue:",
                "The previous link to your report no longer works. This is the new one:",
            )),
            Block::Facts(facts.facts(lang)),
            status_link(lang, status_url),
        ],
        footer: citizen_footer(lang, sender),
    }
}

/// The status changed with a public comment (or the report was closed).
pub fn status_changed(
    lang: Language,
    sender: &Sender,
    facts: &ReportFacts,
    status: Status,
    comment: Option<&str>,
    status_url: &str,
) -> Content {
    let label = status.label();
    let closed = status == Status::Closed;
    let mut blocks = vec![Block::Para(if closed {
        t(
            lang,
            "Ihre Meldung ist abgeschlossen. Vielen Dank, dass Sie mitgeholfen haben.",
            "Your report is closed. Thank you for helping.",
        )
    } else {
        format!(
            "{} „{}“.",
            t(
                lang,
                "Ihre Meldung hat einen neuen Stand:",
                "Your report has a new status:"
            ),
            label.get(lang.as_str())
        )
    })];
    if let Some(c) = comment {
        blocks.push(Block::Quote(c.to_owned()));
    }
    blocks.push(Block::Facts(facts.facts(lang)));
    blocks.push(status_link(lang, status_url));
    Content {
        subject: format!(
            "{} {}: {}",
            t(lang, "Meldung", "Report"),
            facts.number,
            label.get(lang.as_str())
        ),
        title: label.get(lang.as_str()).to_owned(),
        blocks,
        footer: citizen_footer(lang, sender),
    }
}

/// The municipality wrote to the citizen.
pub fn staff_message(lang: Language, sender: &Sender, facts: &ReportFacts, body: &str, status_url: &str) -> Content {
    Content {
        subject: format!(
            "{} {}",
            t(lang, "Nachricht zu Ihrer Meldung", "Message about your report"),
            facts.number
        ),
        title: t(lang, "Nachricht der Verwaltung", "Message from the administration"),
        blocks: vec![
            Block::Quote(body.to_owned()),
            Block::Para(t(
                lang,
                "Antworten können Sie über den Link zur Meldung.",
                "You can answer through the link to the report.",
            )),
            status_link(lang, status_url),
            Block::Facts(facts.facts(lang)),
        ],
        footer: citizen_footer(lang, sender),
    }
}

fn staff_footer(sender: &Sender) -> Vec<String> {
    vec![
        format!("Augenmerk – {}", sender.municipality),
        "Welche Mails Sie erhalten, stellen Sie in der Konsole unter „Meine Benachrichtigungen“ ein.".into(),
    ]
}

fn case_link(url: &str) -> Block {
    Block::Link {
        label: "Fall in der Konsole öffnen".into(),
        url: url.to_owned(),
    }
}

/// A case was routed or re-assigned to a department.
pub fn routed(sender: &Sender, facts: &ReportFacts, department: &str, console_url: &str) -> Content {
    Content {
        subject: format!("Neuer Fall für {department}: {} ({})", facts.category.de, facts.number),
        title: format!("Neuer Fall für {department}"),
        blocks: vec![Block::Facts(facts.facts(Language::De)), case_link(console_url)],
        footer: staff_footer(sender),
    }
}

/// A case was assigned to a person.
pub fn assigned(sender: &Sender, facts: &ReportFacts, person: &str, console_url: &str) -> Content {
    Content {
        subject: format!("Ihnen zugewiesen: {} ({})", facts.category.de, facts.number),
        title: format!("{person}, dieser Fall ist Ihnen zugewiesen"),
        blocks: vec![Block::Facts(facts.facts(Language::De)), case_link(console_url)],
        footer: staff_footer(sender),
    }
}

/// The citizen answered.
pub fn citizen_reply(sender: &Sender, facts: &ReportFacts, body: &str, console_url: &str) -> Content {
    Content {
        subject: format!(
            "Antwort der meldenden Person zu {} ({})",
            facts.category.de, facts.number
        ),
        title: "Antwort der meldenden Person".into(),
        blocks: vec![
            Block::Quote(body.to_owned()),
            Block::Facts(facts.facts(Language::De)),
            case_link(console_url),
        ],
        footer: staff_footer(sender),
    }
}

/// One overdue case of a digest.
#[derive(Debug, Clone)]
pub struct DigestCase {
    /// The report.
    pub facts: ReportFacts,
    /// Its status.
    pub status: Status,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// The console link.
    pub console_url: String,
}

/// The daily list of a department's overdue cases.
pub fn digest(sender: &Sender, department: &str, cases: &[DigestCase], inbox_url: &str) -> Content {
    let items = cases
        .iter()
        .map(|c| {
            (
                format!(
                    "{} – {} – {} – fällig seit {}",
                    c.facts.number,
                    c.facts.category.de,
                    c.status.label().de,
                    when(c.due_at)
                ),
                Some(c.console_url.clone()),
            )
        })
        .collect();
    Content {
        subject: format!("{department}: {} überfällige Fälle", cases.len()),
        title: format!("Überfällige Fälle – {department}"),
        blocks: vec![
            Block::Para(format!(
                "Diese {} Fälle von {department} sind über ihrem Fälligkeitsdatum und noch offen:",
                cases.len()
            )),
            Block::List(items),
            Block::Link {
                label: "Posteingang öffnen".into(),
                url: inbox_url.to_owned(),
            },
        ],
        footer: staff_footer(sender),
    }
}

/// What an authority gets with a forwarded report.
#[derive(Debug, Clone)]
pub struct Forwarding {
    /// The authority's name.
    pub authority: String,
    /// The category's answers as label–value pairs.
    pub answers: Vec<(String, String)>,
    /// The citizen's description (may be empty).
    pub description: String,
    /// Photos attached.
    pub photo_count: usize,
    /// A staff comment with the forwarding (the public comment).
    pub comment: Option<String>,
}

/// A report forwarded to an authority by mail.
pub fn forwarded(sender: &Sender, facts: &ReportFacts, f: &Forwarding) -> Content {
    let mut blocks = vec![
        Block::Para(format!(
            "{} leitet Ihnen eine Meldung aus Augenmerk weiter, die in Ihre Zuständigkeit fällt.",
            sender.municipality
        )),
        Block::Facts(facts.facts(Language::De)),
    ];
    if let Some(c) = &f.comment {
        blocks.push(Block::Para("Hinweis der Verwaltung:".into()));
        blocks.push(Block::Quote(c.clone()));
    }
    if !f.answers.is_empty() {
        blocks.push(Block::Facts(f.answers.clone()));
    }
    if !f.description.trim().is_empty() {
        blocks.push(Block::Para("Beschreibung der meldenden Person:".into()));
        blocks.push(Block::Quote(f.description.clone()));
    }
    blocks.push(Block::Link {
        label: "Ort auf der Karte".into(),
        url: facts.map_url(),
    });
    blocks.push(Block::Para(format!(
        "{} Foto(s) hängen an (Gesichter und Kennzeichen unkenntlich gemacht). Bitte antworten Sie auf \
         diese Mail und behalten Sie die Meldungsnummer {} im Betreff, damit Ihre Antwort den Fall erreicht.",
        f.photo_count, facts.number
    )));
    Content {
        subject: format!(
            "Weitergeleitete Meldung {} – {} – {}",
            facts.number, facts.category.de, sender.municipality
        ),
        title: format!("Meldung für {}", f.authority),
        blocks,
        footer: vec![format!("Augenmerk – {}", sender.municipality)],
    }
}
