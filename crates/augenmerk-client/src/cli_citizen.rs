//! The command line's citizen commands: `report` (anonymize photos, check and queue a
//! report), `categories` (the cached tree with each category's questions), `list`, `show`
//! and `reply`. Texts are German and English side by side, as everywhere in the command
//! line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use serde_json::json;

use augenmerk_domain::category::answers_from_strings;
use augenmerk_domain::public::Delivery;
use augenmerk_domain::{CategoryId, GeoPoint, ReportId};

use crate::cli::{Out, parse_ags, parse_report_id};
use crate::{Client, LocalReport, ReportDraft};

/// The `report` command's arguments, `--lat` and `--lon` taken together.
pub(crate) struct ReportArgs {
    pub(crate) photos: Vec<PathBuf>,
    pub(crate) location: Option<(f64, f64)>,
    pub(crate) category: String,
    pub(crate) answers: Vec<String>,
    pub(crate) description: String,
    pub(crate) email: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) municipality: Option<String>,
    pub(crate) share_contact: bool,
}

pub(crate) async fn report(client: &Client, out: &Out, args: ReportArgs) -> anyhow::Result<()> {
    // Read every photo before anonymizing any, so a typo in the last path costs nothing.
    let mut raw = Vec::new();
    for p in &args.photos {
        raw.push((
            p,
            std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        ));
    }
    if client.municipalities()?.is_empty() {
        // First use: fetch the configuration if the server can be reached.
        if let Err(e) = client.refresh_configuration().await {
            tracing::info!(error = %e, "could not fetch the configuration");
        }
    }
    let mut hashes = Vec::new();
    let mut suggested = None;
    for (path, bytes) in &raw {
        let captured = client
            .capture_photo(bytes, &[])
            .with_context(|| format!("photo {}", path.display()))?;
        suggested = suggested.or(captured.suggested_location);
        hashes.push(captured.hash);
    }
    let location = match (args.location, suggested) {
        (Some((lat, lon)), _) => GeoPoint { lat, lon },
        (None, Some(p)) => p,
        (None, None) => bail!("no location: give --lat and --lon, or a photo with a GPS position"),
    };
    let category =
        CategoryId::parse(&args.category).map_err(|_| anyhow!("{:?} is not a category id", args.category))?;
    let municipality = args.municipality.as_deref().map(parse_ags).transpose()?;
    // The place (for "Wees (Amt Langballig)" and where the report goes) and the categories.
    let (config, located) = match &municipality {
        Some(a) => (client.municipality(a)?, client.locate(location).ok()),
        None => {
            let located = client.locate(location)?;
            (located.config.clone(), Some(located))
        }
    };
    let questions = config.categories.effective_questions(&category).unwrap_or_default();
    let mut raw_answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &args.answers {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| anyhow!("answer {a:?} is not KEY=VALUE"))?;
        raw_answers
            .entry(k.trim().to_owned())
            .or_default()
            .push(v.trim().to_owned());
    }
    let answers = answers_from_strings(&questions, &raw_answers);
    let result = client.create_report(ReportDraft {
        municipality,
        category,
        answers,
        description: args.description,
        location,
        address_hint: args.address,
        photos: hashes.clone(),
        contact_email: args.email,
        consent: true,
        // The terminal's language (`LANG=en_GB.UTF-8`): mails about the report use it.
        language: std::env::var("LANG")
            .ok()
            .map(|l| augenmerk_domain::Language::from_tag(&l)),
        share_contact: args.share_contact,
    });
    let id = match result {
        Ok(id) => id,
        Err(e) => {
            // Nothing is queued; the anonymized photos of this attempt are not needed.
            for h in &hashes {
                let _ = client.discard_photo(h);
            }
            return Err(e.into());
        }
    };
    let place = located.as_ref().map(|l| l.place_name());
    let mail_to = located.as_ref().and_then(|l| match l.delivery() {
        Delivery::Mail { to } => Some(to.clone()),
        _ => None,
    });
    out.print(&json!({ "id": id, "place": place, "mail_to": mail_to }), || {
        let mut s = format!("{id}\n");
        if let Some(place) = &place {
            s.push_str(&format!("Ort / place: {place}\n"));
        }
        if let Some(to) = &mail_to {
            s.push_str(&format!(
                "Diese Gemeinde ist nicht auf der Plattform: die Meldung geht per E-Mail an {to} \
                 / not on the platform: the report goes by e-mail to {to}\n"
            ));
        }
        s.push_str("Meldung gespeichert, wird beim nächsten Sync gesendet / report saved, sent with the next sync");
        s
    });
    Ok(())
}

pub(crate) async fn categories(
    client: &Client,
    out: &Out,
    location: Option<(f64, f64)>,
    municipality: Option<&str>,
) -> anyhow::Result<()> {
    if client.api().is_ok()
        && let Err(e) = client.refresh_configuration().await
    {
        tracing::info!(error = %e, "offline: showing the cached configuration");
    }
    let configs = match (location, municipality) {
        (Some((lat, lon)), _) => vec![client.locate(GeoPoint { lat, lon })?.config],
        (None, Some(ags)) => vec![client.municipality(&parse_ags(ags)?)?],
        (None, None) => client.municipalities()?.into_iter().map(|m| m.config).collect(),
    };
    if configs.is_empty() {
        return Err(crate::ClientError::NoConfiguration.into());
    }
    out.print(
        &json!(
            configs
                .iter()
                .map(|c| json!({ "ags": c.ags, "name": c.name, "categories": c.categories }))
                .collect::<Vec<_>>()
        ),
        || {
            let mut s = String::new();
            for c in &configs {
                s.push_str(&format!("{} ({})\n", c.name, c.ags.as_str()));
                for cat in &c.categories.categories {
                    tree(&mut s, cat, 1);
                }
            }
            s
        },
    );
    Ok(())
}

fn tree(s: &mut String, cat: &augenmerk_domain::Category, depth: usize) {
    let pad = "  ".repeat(depth);
    s.push_str(&format!("{pad}{}  [{}]\n", cat.de, cat.id.as_str()));
    for q in &cat.questions {
        let kind = serde_json::to_value(&q.kind)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let options = match &q.kind {
            augenmerk_domain::QuestionKind::Select { options }
            | augenmerk_domain::QuestionKind::Multiselect { options } => {
                format!(
                    " {{{}}}",
                    options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join("|")
                )
            }
            _ => String::new(),
        };
        s.push_str(&format!(
            "{pad}  ? {}{}: {} ({kind}){options}\n",
            q.id.as_str(),
            if q.required { "*" } else { "" },
            q.de
        ));
    }
    for sub in &cat.subcategories {
        tree(s, sub, depth + 1);
    }
}

pub(crate) fn list(client: &Client, out: &Out) -> anyhow::Result<()> {
    let reports = client.reports()?;
    out.print(
        &json!(
            reports
                .iter()
                .map(|r| json!({
                    "id": r.id,
                    "status": r.status,
                    "sync_state": r.sync_state,
                    "municipality": r.municipality,
                    "category": r.category,
                    "created_at": r.created_at,
                    "unseen": r.unseen,
                    "last_error": r.last_error,
                    "place_name": r.place_name,
                    "mailed_to": r.mailed_to,
                }))
                .collect::<Vec<_>>()
        ),
        || reports.iter().map(format_report_line).collect::<Vec<_>>().join("\n"),
    );
    Ok(())
}

fn format_report_line(r: &LocalReport) -> String {
    format!(
        "{}  {:<8} {:<12} {}{}{}{}{}",
        r.id,
        r.sync_state.as_str(),
        r.status.map(|s| s.as_str()).unwrap_or("-"),
        r.category_name.as_deref().unwrap_or(r.category.as_str()),
        r.place_name.as_deref().map(|p| format!(", {p}")).unwrap_or_default(),
        r.mailed_to
            .as_deref()
            .map(|to| format!("  (per E-Mail gesendet an / sent by e-mail to {to})"))
            .unwrap_or_default(),
        if r.unseen { "  (neu / new)" } else { "" },
        r.last_error.as_deref().map(|e| format!("  ! {e}")).unwrap_or_default()
    )
}

pub(crate) fn show(client: &Client, out: &Out, id: &ReportId) -> anyhow::Result<()> {
    let detail = client.report(id)?;
    client.mark_seen(id)?;
    out.print(&json!(detail), || {
        let mut s = format_report_line(&detail.report);
        s.push('\n');
        for h in &detail.history {
            s.push_str(&format!(
                "  {}  {} → {}{}\n",
                h.at.format("%Y-%m-%d %H:%M"),
                h.from.map(|f| f.as_str()).unwrap_or("-"),
                h.to.as_str(),
                h.comment.as_deref().map(|c| format!(": {c}")).unwrap_or_default()
            ));
        }
        for m in &detail.messages {
            s.push_str(&format!(
                "  {}  {:?}{}: {}\n",
                m.created_at.format("%Y-%m-%d %H:%M"),
                m.author,
                if m.sync_state == crate::SyncState::Queued {
                    " (wartet / queued)"
                } else {
                    ""
                },
                m.body
            ));
        }
        s
    });
    Ok(())
}

/// `reply`: a reply to the municipality, queued until the next sync.
pub(crate) fn reply(client: &Client, out: &Out, id: &str, text: &str) -> anyhow::Result<()> {
    let mid = client.queue_reply(&parse_report_id(id)?, text)?;
    out.print(&json!({ "id": mid }), || {
        format!("Antwort vorgemerkt / reply queued: {mid}")
    });
    Ok(())
}
