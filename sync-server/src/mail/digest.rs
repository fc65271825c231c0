//! The daily digest: each department's overdue cases, to its mailbox and to its members
//! who asked for it.
//!
//! Several instances may run it: the mails are queued under a key of department and
//! day, so a second run that day queues nothing new, and the schedule moves to the next
//! day only after the mails are queued (a crash in between repeats the run, harmlessly).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::mail::MailKind;
use augenmerk_domain::report::Report;
use augenmerk_store::{JobKind, NewJob, StoreResult};

use super::compose::OutgoingMail;
use super::events::{MailContext, facts};
use super::templates::{self, DigestCase};
use crate::state::AppState;

/// The schedule's name.
pub const SCHEDULE: &str = "daily-digest";

/// Most cases listed in one digest (the inbox link shows the rest).
const MAX_CASES: u32 = 200;

/// Runs the digest if it is due, and schedules the next run. A server's first start
/// only schedules it (no digest at whatever hour the server was installed).
pub async fn run_due(state: &AppState, now: DateTime<Utc>) -> StoreResult<()> {
    match state.store.next_run(SCHEDULE).await? {
        Some(next) if next > now => return Ok(()),
        Some(_) => run(state, now).await?,
        None => {}
    }
    state
        .store
        .set_schedule(SCHEDULE, next_run(now, state.settings.mail.digest_hour))
        .await
}

/// The next `hour` o'clock in Berlin after `now`.
pub fn next_run(now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let local = now.with_timezone(&Berlin);
    let time = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    let mut day = local.date_naive();
    loop {
        if let Some(at) = Berlin.from_local_datetime(&day.and_time(time)).earliest()
            && at.with_timezone(&Utc) > now
        {
            return at.with_timezone(&Utc);
        }
        day += Duration::days(1);
    }
}

/// Queues every department's digest for the day of `now` (idempotent per day).
pub async fn run(state: &AppState, now: DateTime<Utc>) -> StoreResult<()> {
    let day = now.with_timezone(&Berlin).date_naive();
    let public_url = state.settings.public_base_url(state.settings.listen);
    for municipality in state.store.list_municipalities().await? {
        let Ok(tenant) = state.tenant(&municipality.ags).await else {
            continue;
        };
        let users = state.store.list_users(&municipality.ags).await?;
        let ctx = MailContext::new(&tenant, &public_url, &state.settings.mail.from);
        let mut jobs = Vec::new();
        for dept in &tenant.departments {
            let query = ReportQuery {
                department: Some(dept.id.clone()),
                overdue: Some(true),
                sort: Some("due_at".into()),
                page_size: Some(MAX_CASES),
                ..ReportQuery::default()
            };
            let overdue: Vec<Report> = state
                .store
                .query_reports(&municipality.ags, &query, None, now)
                .await?
                .items;
            if overdue.is_empty() {
                continue;
            }
            let cases: Vec<DigestCase> = overdue
                .iter()
                .map(|r| DigestCase {
                    facts: facts(&tenant.record.categories, r),
                    status: r.status,
                    due_at: r.due_at.unwrap_or(now),
                    console_url: ctx.console_url(&r.id),
                })
                .collect();
            let content = templates::digest(&ctx.sender, &dept.name, &cases, &ctx.inbox_url());
            let members = users
                .iter()
                .filter(|u| u.active && u.mail.digest && u.department.as_ref() == Some(&dept.id))
                .filter_map(|u| u.email.clone());
            let recipients: Vec<String> = dept.email.clone().into_iter().chain(members).collect();
            for to in recipients {
                let mail: OutgoingMail = content.clone().into_mail(
                    MailKind::Digest,
                    &to,
                    &ctx.sender,
                    format!(
                        "digest-{}-{}-{day}-{}@{}",
                        municipality.ags,
                        dept.id,
                        uuid::Uuid::new_v4(),
                        ctx.id_domain
                    ),
                );
                jobs.push(NewJob {
                    kind: JobKind::Mail,
                    municipality: municipality.ags.clone(),
                    report: None,
                    dedupe_key: format!("digest:{}:{}:{day}:{}", municipality.ags, dept.id, to.to_lowercase()),
                    tag: Some(MailKind::Digest.as_str().into()),
                    recipient: Some(to.to_lowercase()),
                    payload: serde_json::to_value(&mail).unwrap_or_default(),
                    run_at: now,
                });
            }
        }
        if !jobs.is_empty() {
            state.store.enqueue_jobs(jobs).await?;
            state.mailer.wake();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_run_is_the_next_seven_o_clock_in_berlin() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).ok();
        // Winter: 07:00 in Berlin is 06:00 UTC.
        assert_eq!(
            Some(next_run(at("2026-12-04T05:00:00Z").unwrap_or_default(), 7)),
            at("2026-12-04T06:00:00Z")
        );
        assert_eq!(
            Some(next_run(at("2026-12-04T06:00:00Z").unwrap_or_default(), 7)),
            at("2026-12-05T06:00:00Z")
        );
        // Summer: 05:00 UTC.
        assert_eq!(
            Some(next_run(at("2026-07-01T12:00:00Z").unwrap_or_default(), 7)),
            at("2026-07-02T05:00:00Z")
        );
    }
}
