//! Whether the server mails the citizen about their reports changes outside this device:
//! they confirm the address or unsubscribe through the link in the receipt, on any
//! device. The change feed does not carry it (old clients would not read a new kind of
//! change), so the client asks for its recent reports' state now and then.

use rusqlite::params;

use augenmerk_domain::ReportId;

use crate::error::Result;
use crate::model::SyncState;
use crate::{Client, time};

/// Meta key: when the states were last asked for.
pub(crate) const CHECKED: &str = "mail_updates_checked_at";
/// Only reports of the last 30 days, at most 10 per round: the ones a citizen still acts on.
const RECENT_DAYS: i64 = 30;
const PER_ROUND: i64 = 10;

impl Client {
    /// Refreshes the mail-updates state of recent reports with an address (best effort:
    /// a failing request leaves the stored state and is tried again next round).
    pub(crate) async fn refresh_mail_updates(&self, token: &str) -> Result<usize> {
        let now = time::now();
        if let Some(at) = self.meta(CHECKED)?
            && (now - time::parse(&at)).to_std().unwrap_or_default() < self.options.mail_updates_check_every
        {
            return Ok(0);
        }
        let since = time::ts(&(now - chrono::Duration::days(RECENT_DAYS)));
        let ids: Vec<String> = self.db(|c| {
            let mut stmt = c.prepare(
                "SELECT id FROM reports WHERE sync_state = ?3 AND mail_updates IN ('unconfirmed', 'on', 'off')
                 AND created_at >= ?1 ORDER BY created_at DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![since, PER_ROUND, SyncState::Sent.as_str()], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let api = self.api()?;
        let mut changed = 0;
        for id in ids {
            let Ok(report_id) = id.parse::<ReportId>() else {
                continue;
            };
            let Ok(report) = api.citizen_report(token, &report_id).await else {
                continue;
            };
            let Some(state) = serde_json::to_value(report.mail_updates)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
            else {
                continue;
            };
            changed += self.db(|c| {
                Ok(c.execute(
                    "UPDATE reports SET mail_updates = ?2 WHERE id = ?1 AND mail_updates IS NOT ?2",
                    params![id, state],
                )?)
            })?;
        }
        self.db(|c| Self::set_meta(c, CHECKED, &time::ts(&now)))?;
        Ok(changed)
    }
}
