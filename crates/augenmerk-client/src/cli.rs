//! The `augenmerk` command line: report, follow and answer as a citizen; work cases as a
//! field worker. It uses the same library as the app, so scripts and tests exercise the
//! real queue and sync engine.
//!
//! Settings come from flags, then the environment (`AUGENMERK__SERVER`, `AUGENMERK__DATA`),
//! then the config file (`--config`, else `$XDG_CONFIG_HOME/augenmerk/config.toml`) with
//! `server = "…"` and `data = "…"`, as every Augenmerk program reads its settings (see
//! `cli_settings.rs`). It lives in the library so that test harnesses can build
//! the same command as a binary of their own.
//!
//! This file holds the entry point, the dispatch of each command and what the commands
//! share (output, id parsing, `sync`). The arguments are in `cli_args.rs`, the commands
//! in `cli_citizen.rs`, `cli_field.rs` and `cli_privacy.rs`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::anyhow;
use clap::Parser;
use serde_json::json;

use augenmerk_domain::{Ags, ReportId};

use crate::cli_args::{Cli, Command};
use crate::cli_citizen::ReportArgs;
use crate::cli_settings::{Flags, Settings};
use crate::{Client, ClientOptions, SyncOptions, cli_citizen, cli_field};

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
            cli_citizen::report(
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
            cli_citizen::categories(&client, &out, lat.zip(lon), municipality.as_deref()).await
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
        Command::Status => status(&client, &out),
        Command::List => cli_citizen::list(&client, &out),
        Command::Show { id } => cli_citizen::show(&client, &out, &parse_report_id(&id)?),
        Command::Reply { id, text } => cli_citizen::reply(&client, &out, &id, &text),
        Command::Login {
            municipality,
            user,
            password,
            totp,
        } => cli_field::login(&client, &out, municipality, user, password, totp).await,
        Command::Logout => cli_field::logout(&client, &out).await,
        Command::Cases { id: None } => cli_field::cases(&client, &out),
        Command::Cases { id: Some(id) } => cli_field::case(&client, &out, &id),
        Command::Transition {
            id,
            status,
            comment,
            photos,
        } => cli_field::transition(&client, &out, &id, &status, comment, &photos),
        Command::Note { id, text } => cli_field::note(&client, &out, &id, &text),
        Command::Message { id, text } => cli_field::message(&client, &out, &id, &text),
        Command::Actions => cli_field::actions(&client, &out),
        Command::Dismiss { id } => cli_field::dismiss(&client, &out, &id),
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

/// A report (or case) id from the command line.
pub(crate) fn parse_report_id(s: &str) -> anyhow::Result<ReportId> {
    s.parse().map_err(|_| anyhow!("{s:?} is not a report id"))
}

/// A municipality's AGS from the command line.
pub(crate) fn parse_ags(s: &str) -> anyhow::Result<Ags> {
    Ags::parse(s).map_err(|_| anyhow!("{s:?} is not an AGS (8 digits)"))
}

/// `sync` without `--watch`: one run, and what it sent and received.
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

/// `status`: the sync status as the app's status line has it (the same [`Client::sync_status`];
/// a new process has not synced yet, so it is the queue above all).
fn status(client: &Client, out: &Out) -> anyhow::Result<()> {
    let status = client.sync_status()?;
    out.print(&json!(status), || {
        format!(
            "wartend / waiting: {} Meldungen, {} Antworten, {} Aktionen",
            status.queued_reports, status.queued_replies, status.pending_actions
        )
    });
    Ok(())
}
