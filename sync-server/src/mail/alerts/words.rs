//! What alert mails say: the double opt-in mail and the round's mail, in German or English.

use augenmerk_domain::alerts::{AlertArea, AlertChange};
use augenmerk_domain::{GeoPoint, Language};

use super::plan::Happening;
use crate::mail::compose::{Block, Content, t};
use crate::mail::templates::when;

/// Most happenings one mail lists (the map shows the rest).
pub const MAX_ITEMS: usize = 50;

fn coords(p: &GeoPoint) -> String {
    format!("{:.5}, {:.5}", p.lat, p.lon)
}

/// The area in words ("within 500 m of 54.78000, 9.43000").
pub fn describe_area(lang: Language, area: &AlertArea, municipality: Option<&str>) -> String {
    let place = match area {
        AlertArea::Circle { center, radius_m } => format!(
            "{} {radius_m} m {} {}",
            t(lang, "im Umkreis von", "within"),
            t(lang, "um", "of"),
            coords(center)
        ),
        AlertArea::Polygon { points } => format!(
            "{} ({} {})",
            t(
                lang,
                "in einer auf der Karte gezeichneten Fläche",
                "in an area drawn on the map"
            ),
            points.len(),
            t(lang, "Ecken", "corners")
        ),
    };
    match municipality {
        Some(name) => format!("{place}, {name}"),
        None => place,
    }
}

/// The double opt-in mail.
pub fn confirmation(lang: Language, area: &str, confirm_url: &str) -> Content {
    Content {
        subject: t(
            lang,
            "Benachrichtigungen für ein Gebiet bestätigen",
            "Confirm alerts for an area",
        ),
        title: t(lang, "Benachrichtigungen bestätigen", "Confirm your alerts"),
        blocks: vec![
            Block::Para(t(
                lang,
                "Mit dieser Adresse wurden E-Mail-Benachrichtigungen über Meldungen in diesem Gebiet bestellt:",
                "Alerts by e-mail about reports in this area were asked for with this address:",
            )),
            Block::Quote(area.to_owned()),
            Block::Para(t(
                lang,
                "Erst wenn Sie bestätigen, schicken wir Ihnen Mails.",
                "We send you mails only once you confirm.",
            )),
            Block::Link {
                label: t(lang, "Benachrichtigungen bestätigen", "Confirm the alerts"),
                url: confirm_url.to_owned(),
            },
            Block::Para(t(
                lang,
                "Wenn Sie das nicht waren, ignorieren Sie diese Mail: Ohne Bestätigung wird die Anfrage nach \
                 sieben Tagen gelöscht.",
                "If this was not you, ignore this mail: without a confirmation the request is deleted after \
                 seven days.",
            )),
        ],
        footer: vec![t(
            lang,
            "Diese Mail kommt vom Mängelmelder Augenmerk, weil hier Benachrichtigungen für diese Adresse bestellt wurden.",
            "This mail comes from the Augenmerk defect reporter because alerts were asked for with this address here.",
        )],
    }
}

/// The links one alert mail needs.
pub struct AlertLinks<'a> {
    /// The public map of the area.
    pub map: &'a str,
    /// Stops the alerts (a page that unsubscribes at once).
    pub unsubscribe: &'a str,
    /// A report's public page, by its happening.
    pub report: &'a dyn Fn(&Happening) -> String,
}

fn line(lang: Language, h: &Happening, statewide: bool) -> String {
    let r = &h.report;
    let category = r.category_name.get(lang.as_str());
    let place = if statewide {
        format!(" ({})", r.municipality_name)
    } else {
        String::new()
    };
    match &h.change {
        AlertChange::New => format!(
            "{}: {category}{place} – {} {}",
            t(lang, "Neu", "New"),
            t(lang, "eingegangen am", "received on"),
            when(h.at)
        ),
        AlertChange::Status { to, comment } => {
            let mut s = format!(
                "{category}{place}: {} „{}“ – {}",
                t(lang, "jetzt", "now"),
                to.label().get(lang.as_str()),
                when(h.at)
            );
            if let Some(c) = comment.as_deref().filter(|c| !c.trim().is_empty()) {
                s.push_str(&format!(" – „{}“", c.trim()));
            }
            s
        }
    }
}

/// A round's mail: what happened in the area, with a link to each report, the map, and
/// a one-click unsubscribe.
pub fn alert(
    lang: Language,
    area: &str,
    happenings: &[&Happening],
    statewide: bool,
    links: &AlertLinks<'_>,
) -> Content {
    let n = happenings.len();
    let items = happenings
        .iter()
        .take(MAX_ITEMS)
        .map(|h| (line(lang, h, statewide), Some((links.report)(h))))
        .collect();
    let mut blocks = vec![
        Block::Para(format!("{} {area}:", t(lang, "Neues zu Meldungen", "News of reports"))),
        Block::List(items),
    ];
    if n > MAX_ITEMS {
        blocks.push(Block::Para(format!(
            "{} {} {}",
            t(lang, "… und", "… and"),
            n - MAX_ITEMS,
            t(lang, "weitere auf der Karte.", "more on the map.")
        )));
    }
    blocks.push(Block::Link {
        label: t(lang, "Karte ansehen", "See the map"),
        url: links.map.to_owned(),
    });
    blocks.push(Block::Link {
        label: t(lang, "Benachrichtigungen abbestellen", "Stop these alerts"),
        url: links.unsubscribe.to_owned(),
    });
    Content {
        subject: if n == 1 {
            t(lang, "1 Neuigkeit in Ihrem Gebiet", "1 update in your area")
        } else {
            format!("{n} {}", t(lang, "Neuigkeiten in Ihrem Gebiet", "updates in your area"))
        },
        title: t(lang, "Neues aus Ihrem Gebiet", "News from your area"),
        blocks,
        footer: vec![t(
            lang,
            "Sie erhalten diese Mail, weil Sie Benachrichtigungen für dieses Gebiet bestellt und bestätigt haben. \
             Ein Klick auf „Benachrichtigungen abbestellen“ beendet sie und löscht Ihre Adresse.",
            "You receive this mail because you asked for and confirmed alerts for this area. \
             A click on “Stop these alerts” ends them and deletes your address.",
        )],
    }
}
