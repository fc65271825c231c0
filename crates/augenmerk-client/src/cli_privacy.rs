//! The command line's privacy commands: `export`, `withdraw` and `forget-me`. Texts are
//! German and English side by side, as everywhere in the command line.

use std::path::PathBuf;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use serde_json::json;

use crate::cli::Out;
use crate::{Client, ClientError, Withdrawal};

/// The privacy commands (flattened into the command line's list).
#[derive(Subcommand)]
pub(crate) enum PrivacyCommand {
    /// Download everything this device sent (reports, answers, messages, photos) as a ZIP file.
    Export {
        /// Folder to save it in (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        to: PathBuf,
    },
    /// Withdraw a report nobody handled yet (one never sent is just deleted here).
    Withdraw {
        /// Report id.
        id: String,
    },
    /// Erase your data: every report this device sent, on the server and here, and the device's registration.
    ForgetMe {
        /// Confirm: this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs one privacy command.
pub(crate) async fn run(client: &Client, out: &Out, command: PrivacyCommand) -> anyhow::Result<()> {
    match command {
        PrivacyCommand::Export { to } => {
            let path = client.export(&to).await.map_err(explain)?;
            out.print(&json!({ "path": path }), || {
                format!("Daten gespeichert / data saved: {}", path.display())
            });
        }
        PrivacyCommand::Withdraw { id } => {
            let id = id.parse().map_err(|_| anyhow!("{id:?} is not a report id"))?;
            let outcome = client.withdraw(&id).await.map_err(explain)?;
            out.print(&json!({ "id": id, "outcome": outcome }), || {
                match outcome {
                    Withdrawal::Dropped => {
                        "Meldung gelöscht; sie hatte dieses Gerät nie verlassen / report deleted; it never left this device"
                    }
                    Withdrawal::Withdrawn => {
                        "Meldung zurückgezogen und gelöscht / report withdrawn and erased"
                    }
                    Withdrawal::Gone => {
                        "Der Server hat diese Meldung nicht (mehr); hier gelöscht / the server does not have this report (any more); deleted here"
                    }
                }
                .to_owned()
            });
        }
        PrivacyCommand::ForgetMe { yes: false } => bail!(
            "Dies löscht Ihre Meldungen auf dem Server und auf diesem Gerät endgültig; zur Bestätigung --yes angeben \
             / this erases your reports on the server and on this device for good; add --yes to confirm"
        ),
        PrivacyCommand::ForgetMe { yes: true } => {
            let n = client.erase_all().await.map_err(explain)?;
            out.print(&json!({ "reports": n }), || {
                format!(
                    "Daten von {n} Meldung(en) gelöscht; dieses Gerät ist abgemeldet \
                     / data of {n} report(s) erased; this device is no longer registered"
                )
            });
        }
    }
    Ok(())
}

/// The errors these commands expect, in both languages; others as they are.
fn explain(e: ClientError) -> anyhow::Error {
    match e {
        ClientError::Offline { .. } => anyhow!(
            "Der Server ist nicht erreichbar, dafür wird er gebraucht; es wurde nichts geändert \
             / the server cannot be reached, and this needs it; nothing was changed ({e})"
        ),
        ClientError::AlreadyHandled => anyhow!(
            "Die Gemeinde bearbeitet diese Meldung bereits; sie kann nicht mehr zurückgezogen werden \
             (die Löschung Ihrer Daten können Sie mit `augenmerk forget-me` verlangen) \
             / the municipality is already handling this report; it can no longer be withdrawn \
             (you can have your data erased with `augenmerk forget-me`)"
        ),
        ClientError::DeviceExpired => anyhow!(
            "Der Server kennt dieses Gerät nicht mehr (lange nicht benutzt); nutzen Sie den Statuslink aus der \
             Eingangsbestätigung oder die Löschung per E-Mail-Adresse / {e}"
        ),
        ClientError::NothingSent => anyhow!(
            "Von diesem Gerät wurde noch nichts gesendet; es gibt nichts herunterzuladen \
             / nothing has been sent from this device yet; there is nothing to download"
        ),
        ClientError::NotFound(_) => anyhow!("Keine solche Meldung auf diesem Gerät / no such report on this device"),
        other => other.into(),
    }
}
