//! Following someone else's report instead of reporting the same defect again. Following
//! and unfollowing need the network (the server must know whom to tell); the followed
//! reports, once known, stay readable offline and the feed keeps their status current.

use rusqlite::{OptionalExtension, params};

use augenmerk_domain::ReportId;
use augenmerk_domain::public::{FollowedReport, PublicStatusChange};

use crate::error::{ClientError, Result};
use crate::model::LocalFollowed;
use crate::{Client, time};

/// Meta key: when the device last made sure the server still has its follows.
pub(crate) const FOLLOWS_CHECKED: &str = "follows_checked_at";

impl Client {
    /// Makes sure the server still knows whom to tell: when due (never checked, checked
    /// over `follows_check_every` ago, or the device registered anew), the server's list
    /// of followed reports is compared with this device's and what it lost is followed
    /// again. A report the server no longer has keeps its last known state here.
    pub(crate) async fn renew_follows(&self, token: &str) -> Result<usize> {
        let local: Vec<String> = self.db(|c| {
            let mut stmt = c.prepare("SELECT id FROM followed ORDER BY followed_at, id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        if local.is_empty() {
            return Ok(0);
        }
        let now = time::now();
        let every = chrono::TimeDelta::from_std(self.options.follows_check_every).unwrap_or(chrono::TimeDelta::MAX);
        let due = self.meta(FOLLOWS_CHECKED)?.is_none_or(|at| {
            time::parse(&at)
                .checked_add_signed(every)
                .is_none_or(|next| next <= now)
        });
        if !due {
            return Ok(0);
        }
        let api = self.api()?;
        let known: std::collections::HashSet<ReportId> = api.followed(token).await?.into_iter().map(|r| r.id).collect();
        let mut renewed = 0;
        for id in local.iter().filter_map(|id| id.parse::<ReportId>().ok()) {
            if known.contains(&id) {
                continue;
            }
            match api.follow(token, &id).await {
                Ok(report) => {
                    let json = serde_json::to_string(&report)?;
                    self.db(|c| {
                        c.execute(
                            "UPDATE followed SET report = ?2 WHERE id = ?1",
                            params![id.to_string(), json],
                        )?;
                        Ok(())
                    })?;
                    renewed += 1;
                }
                Err(e) if e.status() == Some(404) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.db(|c| Self::set_meta(c, FOLLOWS_CHECKED, &time::ts(&now)))?;
        Ok(renewed)
    }

    /// Follows a report on the server and keeps it here; following again refreshes it.
    pub async fn follow_report(&self, id: &ReportId) -> Result<LocalFollowed> {
        let api = self.api()?;
        let report = self
            .with_device(|token| async move { api.follow(&token, id).await })
            .await?;
        let now = time::now();
        let json = serde_json::to_string(&report)?;
        self.db(|c| {
            c.execute(
                "INSERT INTO followed (id, report, followed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET report = excluded.report",
                params![id.to_string(), json, time::ts(&now)],
            )?;
            Ok(())
        })?;
        self.followed_report(id)
    }

    /// Stops following a report, on the server and here.
    pub async fn unfollow_report(&self, id: &ReportId) -> Result<()> {
        let api = self.api()?;
        match self
            .with_device(|token| async move { api.unfollow(&token, id).await })
            .await
        {
            Ok(()) => {}
            // The server forgot it already (or never knew): forget it here too.
            Err(ClientError::Remote(e)) if e.status() == Some(404) => {}
            Err(e) => return Err(e),
        }
        self.db(|c| {
            c.execute("DELETE FROM followed WHERE id = ?1", [id.to_string()])?;
            Ok(())
        })
    }

    /// The reports this device follows, the most recently followed first.
    pub fn followed_reports(&self) -> Result<Vec<LocalFollowed>> {
        let rows: Vec<(String, String, bool)> = self.db(|c| {
            let mut stmt =
                c.prepare("SELECT report, followed_at, unseen FROM followed ORDER BY followed_at DESC, id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(report, at, unseen)| local_followed(&report, &at, unseen))
            .collect())
    }

    /// One followed report.
    pub fn followed_report(&self, id: &ReportId) -> Result<LocalFollowed> {
        let row: Option<(String, String, bool)> = self.db(|c| {
            Ok(c.query_row(
                "SELECT report, followed_at, unseen FROM followed WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
        })?;
        row.and_then(|(report, at, unseen)| local_followed(&report, &at, unseen))
            .ok_or_else(|| ClientError::NotFound(format!("followed report {id}")))
    }

    /// The user looked at the followed reports: clear their "changed" marks.
    pub fn mark_followed_seen(&self) -> Result<()> {
        self.db(|c| {
            c.execute("UPDATE followed SET unseen = 0 WHERE unseen = 1", [])?;
            Ok(())
        })
    }
}

fn local_followed(report: &str, followed_at: &str, unseen: bool) -> Option<LocalFollowed> {
    Some(LocalFollowed {
        report: serde_json::from_str(report).ok()?,
        followed_at: time::parse(followed_at),
        unseen,
    })
}

/// Applies a status change from the feed to a followed report; `false` if the device
/// does not follow it.
pub(crate) fn apply_followed_status(
    c: &rusqlite::Connection,
    id: &ReportId,
    change: &PublicStatusChange,
    same: impl Fn(&PublicStatusChange, &PublicStatusChange) -> bool,
) -> Result<bool> {
    let stored: Option<String> = c
        .query_row("SELECT report FROM followed WHERE id = ?1", [id.to_string()], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(stored) = stored else {
        return Ok(false);
    };
    let Ok(mut report) = serde_json::from_str::<FollowedReport>(&stored) else {
        return Ok(true);
    };
    if report.history.iter().any(|h| same(h, change)) {
        return Ok(true);
    }
    report.history.push(change.clone());
    report.status = change.to;
    report.updated_at = change.at;
    let json = serde_json::to_string(&report)?;
    c.execute(
        "UPDATE followed SET report = ?2, unseen = 1 WHERE id = ?1",
        params![id.to_string(), json],
    )?;
    Ok(true)
}
