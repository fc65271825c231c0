//! The `augenmerk-server` command line: serve, migrate, import boundaries, add users, check rules.
//!
//! It lives in the library (not in `main.rs`) so that the end-to-end tests can build the
//! same command as a binary of their own and kill it like a real server process.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::services::{accounts, api_keys, config, dry_run};
use crate::state::AppState;
use crate::{build_state, demo, serve};
use augenmerk_domain::api::NewStaffUser;
use augenmerk_domain::staff::Role;
use augenmerk_domain::{Ags, DepartmentId};

#[derive(Parser)]
#[command(name = "augenmerk-server", version, about = "Augenmerk sync server (Mängelmelder)")]
struct Cli {
    /// Settings file (TOML); default: ./augenmerk.toml if present.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (database and photos).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve {
        /// Address to listen on (`127.0.0.1:0` picks a free port).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Seed the demo (Flensburg, Kiel, statewide boundaries) if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database, then exit.
    Migrate,
    /// Municipalities and their boundaries.
    Municipality {
        #[command(subcommand)]
        command: MunicipalityCommand,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Delegation rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Open311 API keys (one per client and municipality).
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Take a consistent backup of the database and the photos into a new directory while
    /// the server runs (the embedded default: SQLite and photo files).
    Backup {
        /// The new directory.
        #[arg(long)]
        to: PathBuf,
    },
    /// Bring a backup back into the data directory (stop the server and move the old data
    /// directory aside first).
    Restore {
        /// The backup's directory.
        #[arg(long)]
        from: PathBuf,
    },
    /// Move from SQLite (and photos in the data directory) to PostgreSQL (and S3), verified;
    /// stop the server first.
    MigrateStore {
        /// The SQLite database: `sqlite:<file>` (`sqlite:` for the data directory's).
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, empty: `postgres://user@host:port/db`.
        #[arg(long)]
        to: String,
        /// The photo directory (default: the data directory's `blobs`).
        #[arg(long)]
        photos_from: Option<PathBuf>,
        /// Copy the photos to the bucket of the settings' `object_store`.
        #[arg(long)]
        photos_to_s3: bool,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Issue a key; its secret is printed as the last line (and never again).
    Create {
        /// AGS of the municipality the key may submit to.
        #[arg(long)]
        municipality: String,
        /// Who uses it (a city system, an app).
        #[arg(long)]
        name: String,
        /// A host `media_url` photos may be fetched from for this key (repeatable).
        #[arg(long = "media-host")]
        media_hosts: Vec<String>,
    },
    /// List a municipality's keys (without secrets).
    List {
        /// AGS.
        #[arg(long)]
        municipality: String,
    },
    /// Revoke a key.
    Revoke {
        /// AGS.
        #[arg(long)]
        municipality: String,
        /// The key's id (from `list`).
        id: String,
    },
}

#[derive(Subcommand)]
enum MunicipalityCommand {
    /// Import (or update) boundaries from a GeoJSON FeatureCollection with `AGS` and `GEN` properties.
    Import {
        /// The GeoJSON file.
        file: PathBuf,
    },
    /// Create a municipality with the standard category tree (its boundary must be imported).
    Create {
        /// AGS.
        ags: String,
    },
    /// List municipalities that take reports.
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff account; the password is read from AUGENMERK_PASSWORD or stdin.
    Add {
        /// AGS of the municipality; omit with `--role platform_admin`.
        #[arg(long)]
        municipality: Option<String>,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// admin, dispatcher, field_worker or platform_admin.
        #[arg(long)]
        role: String,
        /// Department id.
        #[arg(long)]
        department: Option<String>,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Check a municipality's stored rules against its configuration.
    Check {
        /// AGS.
        #[arg(long)]
        municipality: String,
    },
    /// Evaluate the rules against a report (`--report ID`) or a sample JSON file and explain.
    DryRun {
        /// AGS.
        #[arg(long)]
        municipality: String,
        /// An existing report.
        #[arg(long)]
        report: Option<String>,
        /// A sample: `{"category": …, "answers": {…}, "location": {"lat":…, "lon":…}}`.
        #[arg(long)]
        sample: Option<PathBuf>,
    },
}

/// Runs the command line with the process's arguments.
#[tokio::main]
pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref()).context("cannot read settings");
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.as_ref().map(|s| s.log_format) {
        Ok(crate::config::LogFormat::Json) => logs.json().init(),
        _ => logs.init(),
    }
    let mut settings = settings?;
    if let Some(d) = cli.data {
        settings.data_dir = d;
    }
    match cli.command {
        Command::Serve {
            listen,
            demo: with_demo,
        } => run_server(settings, listen, with_demo).await,
        Command::Backup { to } => {
            let m = crate::backup::backup(&settings, &to)?;
            println!(
                "backup of {} reports and {} photos ({} bytes) as of {} in {}",
                m.reports,
                m.photos,
                m.photo_bytes,
                m.created_at.to_rfc3339(),
                to.display()
            );
            Ok(())
        }
        Command::Restore { from } => {
            let m = crate::backup::restore(&settings, &from)?;
            println!(
                "restored {} reports and {} photos as of {} into {}",
                m.reports,
                m.photos,
                m.created_at.to_rfc3339(),
                settings.data_dir.display()
            );
            Ok(())
        }
        Command::Migrate => {
            build_state(settings.clone()).await?;
            let database = settings.database().map_err(anyhow::Error::msg)?;
            println!("database {} is up to date", database.display());
            Ok(())
        }
        Command::Municipality { command } => municipality(&build_state(settings).await?, command).await,
        Command::User { command } => user(&build_state(settings).await?, command).await,
        Command::Rules { command } => rules(&build_state(settings).await?, command).await,
        Command::ApiKey { command } => api_key(&build_state(settings).await?, command).await,
        Command::MigrateStore {
            from,
            to,
            photos_from,
            photos_to_s3,
        } => {
            let args = crate::migrate_store::MigrateArgs {
                from,
                to,
                photos_from,
                photos_to_s3,
            };
            crate::migrate_store::run(&settings, args).await
        }
    }
}

/// A service's error (an [`crate::error::ApiError`]) as the command line reports it.
fn failed(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// `serve`: seeds the demo when asked, then serves until the server stops.
async fn run_server(
    mut settings: Settings,
    listen: Option<std::net::SocketAddr>,
    with_demo: bool,
) -> anyhow::Result<()> {
    if let Some(l) = listen {
        settings.listen = l;
    }
    let state = build_state(settings).await?;
    if with_demo {
        let password = match std::env::var("AUGENMERK_DEMO_PASSWORD") {
            Ok(p) if !p.is_empty() => p,
            _ => crate::auth::new_token()[..16].to_owned(),
        };
        if demo::seed_demo(&state, &password).await? {
            println!("Demo: Flensburg (01001000) und Kiel (01002000) angelegt; Benutzer admin, dispatcher, field");
            println!("Demo password: {password}");
            // As in production: admins set up their second factor at their first sign-in.
            println!(
                "Demo: admin und platform richten bei der ersten Anmeldung die Zwei-Faktor-Anmeldung (TOTP) ein \
                 (admins set up TOTP at their first sign-in)"
            );
        } else {
            println!("Demo data present; users keep their passwords");
        }
    }
    let running = serve(state).await?;
    println!("listening on http://{}", running.addr);
    tracing::info!(addr = %running.addr, "listening");
    running.handle.await??;
    Ok(())
}

/// `municipality import|create|list`.
async fn municipality(state: &AppState, command: MunicipalityCommand) -> anyhow::Result<()> {
    match command {
        MunicipalityCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let n = demo::import_boundaries(state, &text).await?;
            println!("imported; {n} boundaries in the index");
        }
        MunicipalityCommand::Create { ags } => {
            let ags = Ags::parse(&ags)?;
            let index = state.boundaries.read().map_err(|_| anyhow::anyhow!("lock"))?.clone();
            let name = index
                .get(&ags)
                .map(|m| m.name().to_owned())
                .context("no boundary imported for this AGS")?;
            demo::create_municipality(
                state,
                augenmerk_store::MunicipalityRecord {
                    ags: ags.clone(),
                    name: name.clone(),
                    categories: demo::default_categories()?,
                    settings: demo::default_settings(),
                    config_version: 1,
                },
            )
            .await
            .map_err(failed)?;
            println!("created {name} ({ags})");
        }
        MunicipalityCommand::List => {
            for m in state.store.list_municipalities().await? {
                println!("{}\t{}", m.ags, m.name);
            }
        }
    }
    Ok(())
}

/// `user add`: a platform admin, or an account of a municipality.
async fn user(state: &AppState, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add {
        municipality,
        username,
        name,
        role,
        department,
    } = command;
    let role = Role::parse(&role).context("unknown role")?;
    let password = read_password()?;
    let display_name = name.unwrap_or_else(|| username.clone());
    match (role, municipality) {
        (Role::PlatformAdmin, None) => {
            let new = NewStaffUser {
                display_name,
                username,
                password,
                role,
                department: None,
                email: None,
            };
            let user = accounts::new_platform_admin(state, new).await.map_err(failed)?;
            println!("created platform admin {}", user.username);
        }
        (Role::PlatformAdmin, Some(_)) => bail!("a platform admin belongs to no municipality"),
        (_, None) => bail!("--municipality is required"),
        (role, Some(ags)) => {
            let ags = Ags::parse(&ags)?;
            let new = NewStaffUser {
                display_name,
                username,
                password,
                role,
                department: department.as_deref().map(DepartmentId::parse).transpose()?,
                email: None,
            };
            let user = accounts::new_user(state, &ags, new).await.map_err(failed)?;
            println!("created {} ({}) in {}", user.username, user.role.as_str(), ags);
        }
    }
    Ok(())
}

/// The new account's password: `AUGENMERK_PASSWORD`, else a line of stdin.
fn read_password() -> anyhow::Result<String> {
    match std::env::var("AUGENMERK_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

/// `rules check|dry-run`.
async fn rules(state: &AppState, command: RulesCommand) -> anyhow::Result<()> {
    match command {
        RulesCommand::Check { municipality } => {
            let ags = Ags::parse(&municipality)?;
            let tenant = state.tenant(&ags).await.map_err(failed)?;
            let problems = config::rule_problems(state, &ags, &tenant.rules, None, None)
                .await
                .map_err(failed)?;
            if problems.is_empty() {
                println!("{} rules, no problems", tenant.rules.len());
            } else {
                for p in &problems {
                    println!("{}: {}", p.field, p.problem);
                }
                bail!("{} problem(s) in the rules", problems.len());
            }
        }
        RulesCommand::DryRun {
            municipality,
            report,
            sample,
        } => {
            let ags = Ags::parse(&municipality)?;
            let out = dry_run::run(state, &ags, report.as_deref(), sample.as_deref()).await?;
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(())
}

/// `api-key create|list|revoke`.
async fn api_key(state: &AppState, command: ApiKeyCommand) -> anyhow::Result<()> {
    match command {
        ApiKeyCommand::Create {
            municipality,
            name,
            media_hosts,
        } => {
            let ags = Ags::parse(&municipality)?;
            let (secret, key) = api_keys::issue(state, &ags, &name, media_hosts).await.map_err(failed)?;
            println!("API key {} for {} in {} (shown once):", key.id, key.name, ags);
            println!("{secret}");
        }
        ApiKeyCommand::List { municipality } => {
            let ags = Ags::parse(&municipality)?;
            for k in state.store.list_api_keys(&ags).await? {
                println!(
                    "{}  {}  {}{}",
                    k.id,
                    k.created_at.format("%Y-%m-%d"),
                    k.name,
                    if k.revoked_at.is_some() { "  (revoked)" } else { "" }
                );
            }
        }
        ApiKeyCommand::Revoke { municipality, id } => {
            let ags = Ags::parse(&municipality)?;
            let id: augenmerk_domain::ApiKeyId = id.parse().map_err(failed)?;
            state.store.revoke_api_key(&ags, &id, chrono::Utc::now()).await?;
            println!("revoked {id}");
        }
    }
    Ok(())
}
