//! The command line's field-worker commands: `login` and `logout` of a staff session, the
//! cases on this device (`cases`), changes to them queued offline (`transition`, `note`,
//! `message`) and the queue of those actions (`actions`, `dismiss`). Texts are German and
//! English side by side, as everywhere in the command line.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use serde_json::json;

use augenmerk_domain::Status;
use augenmerk_domain::second_factor::SecondFactor;

use crate::cli::{Out, parse_ags, parse_report_id};
use crate::{Client, ClientError};

/// `login`: starts a staff session; the password comes from the flag or the
/// environment, else from the first line of stdin; the second factor, for an account
/// that has one, from `--totp`.
pub(crate) async fn login(
    client: &Client,
    out: &Out,
    municipality: Option<String>,
    user: String,
    password: Option<String>,
    totp: Option<SecondFactor>,
) -> anyhow::Result<()> {
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
    let me = client
        .login(ags, &user, &password, totp.as_ref())
        .await
        .map_err(explain_login)?;
    out.print(&json!(me), || {
        format!("angemeldet / logged in: {} ({:?})", me.display_name, me.role)
    });
    Ok(())
}

/// What to tell the user when the sign-in was refused for the second factor or for too
/// many attempts; the other errors say it themselves.
fn explain_login(e: ClientError) -> anyhow::Error {
    match e {
        ClientError::TotpRequired => anyhow!(
            "Dieses Konto meldet sich mit zweitem Faktor an: bitte `login` mit `--totp CODE` wiederholen \
             (Code aus der Authenticator-App oder ein Wiederherstellungscode) \
             / this account signs in with a second factor: repeat `login` with `--totp CODE` \
             (the code of the authenticator app or a recovery code)"
        ),
        ClientError::InvalidTotp => anyhow!(
            "Der Code ist falsch, abgelaufen oder wurde schon benutzt; bitte mit dem aktuellen Code \
             der Authenticator-App wiederholen / the code is wrong, expired or was used already; \
             repeat with the current code of the authenticator app"
        ),
        ClientError::Remote(r) if r.status() == Some(429) => match r.retry_after() {
            Some(wait) => anyhow!(
                "Zu viele Anmeldeversuche; bitte in {s} s erneut versuchen \
                 / too many sign-in attempts; try again in {s} s",
                s = wait.as_secs().max(1)
            ),
            None => anyhow!(
                "Zu viele Anmeldeversuche; bitte später erneut versuchen / too many sign-in attempts; try again later"
            ),
        },
        other => other.into(),
    }
}

/// `logout`: ends the staff session.
pub(crate) async fn logout(client: &Client, out: &Out) -> anyhow::Result<()> {
    client.logout().await?;
    out.print(&json!({ "logged_out": true }), || "abgemeldet / logged out".into());
    Ok(())
}

/// `cases --id`: one case in full.
pub(crate) fn case(client: &Client, out: &Out, id: &str) -> anyhow::Result<()> {
    let case = client.case(&parse_report_id(id)?)?;
    out.print(&json!(case), || format_case(&case));
    Ok(())
}

/// `transition`: a status change queued offline, with completion photos anonymized
/// like any other.
pub(crate) fn transition(
    client: &Client,
    out: &Out,
    id: &str,
    status: &str,
    comment: Option<String>,
    photos: &[PathBuf],
) -> anyhow::Result<()> {
    let to = Status::parse(status).ok_or_else(|| anyhow!("unknown status {status:?}"))?;
    let mut hashes = Vec::new();
    for p in photos {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let captured = client
            .capture_photo(&bytes, &[])
            .with_context(|| format!("photo {}", p.display()))?;
        hashes.push(captured.hash);
    }
    let action = client.queue_transition(&parse_report_id(id)?, to, None, comment, hashes)?;
    out.print(&json!({ "id": action }), || format!("vorgemerkt / queued: {action}"));
    Ok(())
}

/// `note`: an internal note queued offline.
pub(crate) fn note(client: &Client, out: &Out, id: &str, text: &str) -> anyhow::Result<()> {
    let action = client.queue_note(&parse_report_id(id)?, text)?;
    out.print(&json!({ "id": action }), || format!("vorgemerkt / queued: {action}"));
    Ok(())
}

/// `message`: a message to the citizen queued offline.
pub(crate) fn message(client: &Client, out: &Out, id: &str, text: &str) -> anyhow::Result<()> {
    let action = client.queue_case_message(&parse_report_id(id)?, text)?;
    out.print(&json!({ "id": action }), || format!("vorgemerkt / queued: {action}"));
    Ok(())
}

/// `actions`: the queued, done and conflicted field actions.
pub(crate) fn actions(client: &Client, out: &Out) -> anyhow::Result<()> {
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

/// `dismiss`: drops a conflicted action.
pub(crate) fn dismiss(client: &Client, out: &Out, id: &str) -> anyhow::Result<()> {
    let id = id.parse().map_err(|_| anyhow!("{id:?} is not an action id"))?;
    client.dismiss_action(&id)?;
    out.print(&json!({ "dismissed": id }), || "ok".into());
    Ok(())
}

/// `cases`: the cases on this device, one line each.
pub(crate) fn cases(client: &Client, out: &Out) -> anyhow::Result<()> {
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
