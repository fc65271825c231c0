//! The `augenmerk` command line: report, follow and answer as a citizen; work cases as a
//! field worker. It uses the same library as the app, so scripts and tests exercise the
//! real queue and sync engine.
//!
//! Settings come from flags, then the environment (`AUGENMERK__SERVER`, `AUGENMERK__DATA`),
//! then the config file (`--config`, else `$XDG_CONFIG_HOME/augenmerk/config.toml`) with
//! `server = "…"` and `data = "…"`, as every Augenmerk program reads its settings (see
//! `cli_settings.rs`). It lives in the library so that test harnesses can build
//! the same command as a binary of their own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use clap::{Parser, Subcommand};
use serde_json::json;

use augenmerk_domain::category::answers_from_strings;
use augenmerk_domain::public::Delivery;
use augenmerk_domain::{Ags, CategoryId, GeoPoint, ReportId, Status};

use crate::cli_settings::{Flags, Settings};
use crate::{Client, ClientOptions, LocalReport, ReportDraft, SyncOptions};

#[derive(Parser)]
#[command(
    name = "augenmerk",
    version,
    about = "Augenmerk: report defects in public space, offline first"
)]
struct Cli {
    /// Server URL, e.g. http://127.0.0.1:8080 [env: AUGENMERK__SERVER].
    #[arg(long, global = true)]
    server: Option<String>,
    /// Data directory (queue, photos, cached configuration) [env: AUGENMERK__DATA].
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Config file (TOML with `server`, `data`, `retries`).
    #[arg(long, global = true, env = "AUGENMERK__CONFIG")]
    config: Option<PathBuf>,
    /// Machine-readable output (JSON on stdout).
    #[arg(long, global = true)]
    json: bool,
    /// Attempts per request before a sync gives up until next time (default 6) [env: AUGENMERK__RETRIES].
    #[arg(long, global = true)]
    retries: Option<u32>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Anonymize photos, check and queue a report (sending it implies accepting the privacy notice).
    Report {
        /// Photos (JPEG, PNG, WebP); faces and plates are blurred before they are stored.
        #[arg(long = "photo", value_name = "IMG")]
        photos: Vec<PathBuf>,
        /// Latitude (default: the first photo's GPS position).
        #[arg(long, allow_hyphen_values = true, requires = "lon")]
        lat: Option<f64>,
        /// Longitude.
        #[arg(long, allow_hyphen_values = true, requires = "lat")]
        lon: Option<f64>,
        /// Category id (see `augenmerk categories`).
        #[arg(long)]
        category: String,
        /// An answer `question=value`; repeat for each question (and for each choice of a multiselect).
        #[arg(long = "answer", value_name = "KEY=VALUE")]
        answers: Vec<String>,
        /// What is wrong.
        #[arg(long, default_value = "")]
        description: String,
        /// Contact e-mail for updates.
        #[arg(long)]
        email: Option<String>,
        /// Hint on the place (street, landmark).
        #[arg(long)]
        address: Option<String>,
        /// The municipality (AGS), to confirm it near a boundary.
        #[arg(long)]
        municipality: Option<String>,
        /// Where the report is mailed to an administration not on the platform: pass the
        /// contact e-mail on with it (default: the administration does not get it).
        #[arg(long, requires = "email")]
        share_contact: bool,
    },
    /// The cached category tree with each category's id and questions.
    Categories {
        /// Latitude of the place (selects the municipality).
        #[arg(long, allow_hyphen_values = true, requires = "lon")]
        lat: Option<f64>,
        /// Longitude.
        #[arg(long, allow_hyphen_values = true, requires = "lat")]
        lon: Option<f64>,
        /// Or the municipality's AGS.
        #[arg(long, conflicts_with = "lat")]
        municipality: Option<String>,
    },
    /// Send queued reports, replies and actions; fetch status, messages and cases.
    Sync {
        /// Keep running and sync every this many seconds.
        #[arg(long, value_name = "SECONDS")]
        watch: Option<u64>,
    },
    /// Local reports with status and sync state.
    List,
    /// A report's status history and messages.
    Show {
        /// Report id.
        id: String,
    },
    /// Reply to the municipality (queued until the next sync).
    Reply {
        /// Report id.
        id: String,
        /// The text.
        text: String,
    },
    /// Log in as staff (field worker).
    Login {
        /// The municipality's AGS.
        #[arg(long)]
        municipality: Option<String>,
        /// Login name.
        #[arg(long)]
        user: String,
        /// Password (default: $AUGENMERK_PASSWORD, else read from stdin).
        #[arg(long, env = "AUGENMERK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// End the staff session.
    Logout,
    /// The cases on this device (pulled by `sync`), or one case with `--id`.
    Cases {
        /// Show this case in full.
        #[arg(long)]
        id: Option<String>,
    },
    /// Change a case's status offline (e.g. `resolved` with a completion photo).
    Transition {
        /// Case id.
        id: String,
        /// Target status: in_progress, resolved, rejected, closed, …
        status: String,
        /// Comment the citizen sees.
        #[arg(long)]
        comment: Option<String>,
        /// Completion photos (anonymized like any other).
        #[arg(long = "photo", value_name = "IMG")]
        photos: Vec<PathBuf>,
    },
    /// Add an internal note offline (never shown to the citizen).
    Note {
        /// Case id.
        id: String,
        /// The text.
        text: String,
    },
    /// Write to the citizen about a case, offline.
    Message {
        /// Case id.
        id: String,
        /// The text.
        text: String,
    },
    /// Queued, done and conflicted field actions.
    Actions,
    /// Dismiss a conflicted action after reading its reason.
    Dismiss {
        /// Action id.
        id: String,
    },
    #[command(flatten)]
    Privacy(crate::cli_privacy::PrivacyCommand),
}

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", json!({ "error": format!("{e:#}") }));
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let flags = Flags {
        server: cli.server,
        data: cli.data,
        retries: cli.retries,
    };
    let settings = Settings::load(cli.config.as_deref(), flags)?;
    let mut options = ClientOptions::new(settings.data_dir()?, settings.server);
    options.retry.attempts = settings.retries.max(1);
    let client = Client::open(options)?;
    let out = Out { json: cli.json };
    match cli.command {
        Command::Report {
            photos,
            lat,
            lon,
            category,
            answers,
            description,
            email,
            address,
            municipality,
            share_contact,
        } => {
            report(
                &client,
                &out,
                ReportArgs {
                    photos,
                    location: lat.zip(lon),
                    category,
                    answers,
                    description,
                    email,
                    address,
                    municipality,
                    share_contact,
                },
            )
            .await
        }
        Command::Categories { lat, lon, municipality } => {
            categories(&client, &out, lat.zip(lon), municipality.as_deref()).await
        }
        Command::Sync { watch: None } => sync_once(&client, &out).await,
        Command::Sync { watch: Some(secs) } => {
            client
                .sync_periodically(Duration::from_secs(secs.max(1)), async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await;
            Ok(())
        }
        Command::List => list(&client, &out),
        Command::Show { id } => show(&client, &out, &parse_report_id(&id)?),
        Command::Reply { id, text } => {
            let mid = client.queue_reply(&parse_report_id(&id)?, &text)?;
            out.print(&json!({ "id": mid }), || {
                format!("Antwort vorgemerkt / reply queued: {mid}")
            });
            Ok(())
        }
        Command::Login {
            municipality,
            user,
            password,
        } => {
            let password = match password {
                Some(p) => p,
                None => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let ags = municipality.as_deref().map(parse_ags).transpose()?;
            let me = client.login(ags, &user, &password).await?;
            out.print(&json!(me), || {
                format!("angemeldet / logged in: {} ({:?})", me.display_name, me.role)
            });
            Ok(())
        }
        Command::Logout => {
            client.logout().await?;
            out.print(&json!({ "logged_out": true }), || "abgemeldet / logged out".into());
            Ok(())
        }
        Command::Cases { id: None } => cases(&client, &out),
        Command::Cases { id: Some(id) } => {
            let case = client.case(&parse_report_id(&id)?)?;
            out.print(&json!(case), || format_case(&case));
            Ok(())
        }
        Command::Transition {
            id,
            status,
            comment,
            photos,
        } => {
            let to = Status::parse(&status).ok_or_else(|| anyhow!("unknown status {status:?}"))?;
            let mut hashes = Vec::new();
            for p in &photos {
                let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                let captured = client
                    .capture_photo(&bytes, &[])
                    .with_context(|| format!("photo {}", p.display()))?;
                hashes.push(captured.hash);
            }
            let action = client.queue_transition(&parse_report_id(&id)?, to, comment, hashes)?;
            out.print(&json!({ "id": action }), || format!("vorgemerkt / queued: {action}"));
            Ok(())
        }
        Command::Note { id, text } => {
            let action = client.queue_note(&parse_report_id(&id)?, &text)?;
            out.print(&json!({ "id": action }), || format!("vorgemerkt / queued: {action}"));
            Ok(())
        }
        Command::Message { id, text } => {
            let action = client.queue_case_message(&parse_report_id(&id)?, &text)?;
            out.print(&json!({ "id": action }), || format!("vorgemerkt / queued: {action}"));
            Ok(())
        }
        Command::Actions => {
            let actions = client.actions()?;
            out.print(&json!(actions), || {
                actions
                    .iter()
                    .map(|a| {
                        format!(
                            "{}  {}  {:<10} {:<10} {}",
                            a.id,
                            a.case_id,
                            a.action.kind(),
                            a.state.as_str(),
                            a.error.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        Command::Dismiss { id } => {
            let id = id.parse().map_err(|_| anyhow!("{id:?} is not an action id"))?;
            client.dismiss_action(&id)?;
            out.print(&json!({ "dismissed": id }), || "ok".into());
            Ok(())
        }
        Command::Privacy(command) => crate::cli_privacy::run(&client, &out, command).await,
    }
}

/// Prints JSON or text.
pub(crate) struct Out {
    json: bool,
}

impl Out {
    pub(crate) fn print(&self, value: &serde_json::Value, text: impl FnOnce() -> String) {
        if self.json {
            println!("{value}");
        } else {
            let t = text();
            if !t.is_empty() {
                println!("{t}");
            }
        }
    }
}

fn parse_report_id(s: &str) -> anyhow::Result<ReportId> {
    s.parse().map_err(|_| anyhow!("{s:?} is not a report id"))
}

fn parse_ags(s: &str) -> anyhow::Result<Ags> {
    Ags::parse(s).map_err(|_| anyhow!("{s:?} is not an AGS (8 digits)"))
}

struct ReportArgs {
    photos: Vec<PathBuf>,
    location: Option<(f64, f64)>,
    category: String,
    answers: Vec<String>,
    description: String,
    email: Option<String>,
    address: Option<String>,
    municipality: Option<String>,
    share_contact: bool,
}

async fn report(client: &Client, out: &Out, args: ReportArgs) -> anyhow::Result<()> {
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

async fn categories(
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

async fn sync_once(client: &Client, out: &Out) -> anyhow::Result<()> {
    let summary = client.sync(&SyncOptions::default()).await?;
    out.print(&json!(summary), || {
        format!(
            "gesendet / sent: {} Meldungen, {} Fotos, {} Antworten, {} Aktionen; abgelehnt / refused: {} Meldungen, {} Aktionen; \
             empfangen / received: {} Änderungen, {} Fälle; wartend / waiting: {}",
            summary.reports_sent,
            summary.photos_uploaded,
            summary.replies_sent,
            summary.actions_done,
            summary.reports_rejected,
            summary.actions_conflicted,
            summary.changes,
            summary.cases_pulled,
            summary.still_queued
        )
    });
    Ok(())
}

fn list(client: &Client, out: &Out) -> anyhow::Result<()> {
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

fn show(client: &Client, out: &Out, id: &ReportId) -> anyhow::Result<()> {
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

fn cases(client: &Client, out: &Out) -> anyhow::Result<()> {
    let cases = client.cases()?;
    out.print(
        &json!(
            cases
                .iter()
                .map(|c| json!({
                    "id": c.detail.report.id,
                    "status": c.detail.report.status,
                    "local_status": c.local_status,
                    "category": c.detail.report.category,
                    "due_at": c.detail.report.due_at,
                    "location": c.detail.report.location,
                    "pending_actions": c.actions.iter().filter(|a| a.state == crate::ActionState::Pending).count(),
                    "conflicts": c.actions.iter().filter(|a| a.state == crate::ActionState::Conflicted).count(),
                }))
                .collect::<Vec<_>>()
        ),
        || cases.iter().map(format_case_line).collect::<Vec<_>>().join("\n"),
    );
    Ok(())
}

fn format_case_line(c: &crate::LocalCase) -> String {
    let conflicts = c
        .actions
        .iter()
        .filter(|a| a.state == crate::ActionState::Conflicted)
        .count();
    format!(
        "{}  {:<12} {}{}",
        c.detail.report.id,
        c.local_status.as_str(),
        c.detail.category_name,
        if conflicts > 0 {
            format!("  ! {conflicts} Konflikt(e) / conflict(s)")
        } else {
            String::new()
        }
    )
}

fn format_case(c: &crate::LocalCase) -> String {
    let r = &c.detail.report;
    let mut s = format_case_line(c);
    s.push_str(&format!(
        "\n  {:.5}, {:.5}  {}\n  {}\n",
        r.location.lat,
        r.location.lon,
        r.address_hint.as_deref().unwrap_or(""),
        r.description
    ));
    for n in &c.detail.notes {
        s.push_str(&format!("  [intern] {}: {}\n", n.author_name, n.body));
    }
    for m in &c.detail.messages {
        s.push_str(&format!("  [{:?}] {}\n", m.author, m.body));
    }
    for a in &c.actions {
        s.push_str(&format!(
            "  {} {} {}\n",
            a.state.as_str(),
            a.action.kind(),
            a.error.as_deref().unwrap_or("")
        ));
    }
    s
}
