//! The public map's e-mail alerts: subscribing with double opt-in, confirming,
//! unsubscribing (one click, from every mail), and the rounds that mail each confirmed
//! subscriber what happened in their area.
//!
//! A round covers the window since the last one (its end is kept as the schedule
//! `alerts-window`), reads the published reports that arrived and the status changes
//! that happened in it, and queues at most one mail per subscriber, under a key of
//! subscription and window start: a round repeated after a crash queues nothing twice.
//! Only one instance runs a round at a time (`claim_schedule`). What a mail tells of a
//! report is what the public map shows ([`crate::services::public_map`]), nothing more.

pub mod plan;
pub mod words;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use augenmerk_domain::alerts::{AlertChange, AlertView, CONFIRM_DAYS, MAX_PER_ADDRESS, NewAlert};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::mail::MailKind;
use augenmerk_domain::public_map::PublicQuery;
use augenmerk_domain::{Ags, Language, ReportId};
use augenmerk_store::{AlertRecord, JobKind, NewJob, StoreError, StoreResult};

use super::compose::{Content, Sender};
use super::events::MailContext;
use crate::error::{ApiError, ApiResult};
use crate::services::public_map as public;
use crate::state::AppState;
use plan::Happening;

/// The schedule that makes one instance run a round.
pub const SCHEDULE: &str = "alerts";
/// Where the last round's window ended.
const WINDOW: &str = "alerts-window";
/// How long a round may take before another instance may take it over.
const LEASE: Duration = Duration::minutes(10);
/// How far behind the present a round's window ends (see [`run_due`]).
const SETTLE: Duration = Duration::seconds(3);
/// Most status changes read per municipality and round.
const MAX_CHANGES: u32 = 5_000;
/// Most new reports read per subscriber and round.
const MAX_NEW: u32 = 200;

fn public_url(state: &AppState) -> String {
    state
        .settings
        .public_base_url(state.settings.listen)
        .trim_end_matches('/')
        .to_owned()
}

/// The sender of a subscription's mails: the municipality's, or the platform's for a
/// statewide one.
async fn sender(state: &AppState, ags: Option<&Ags>) -> (Sender, Option<String>) {
    let url = public_url(state);
    if let Some(ags) = ags
        && let Ok(tenant) = state.tenant(ags).await
    {
        let ctx = MailContext::new(&tenant, &url, &state.settings.mail.from);
        return (ctx.sender, Some(tenant.record.name.clone()));
    }
    (super::administration::platform_sender(&url), None)
}

fn message_id(state: &AppState) -> String {
    super::message_id(&state.settings.mail.from)
}

fn job(municipality: Option<&Ags>, dedupe_key: String, mail: &super::compose::OutgoingMail) -> ApiResult<NewJob> {
    let platform = Ags::parse(augenmerk_store::sqlite::PLATFORM_AGS).map_err(ApiError::internal)?;
    Ok(NewJob {
        kind: JobKind::Mail,
        municipality: municipality.cloned().unwrap_or(platform),
        report: None,
        dedupe_key,
        tag: Some(mail.kind.as_str().to_owned()),
        recipient: Some(mail.to.clone()),
        payload: serde_json::to_value(mail).map_err(ApiError::internal)?,
        run_at: Utc::now(),
    })
}

/// `POST /api/v1/public/alerts`: stores the subscription unconfirmed and mails the
/// confirmation link. The answer is the same whether or not the address has
/// subscriptions already (nobody learns that from it); an address with too many gets no
/// new one, and at most one confirmation mail an hour.
pub async fn subscribe(state: &AppState, alert: NewAlert) -> ApiResult<()> {
    if let Some(ags) = &alert.ags {
        let tenant = state
            .tenant(ags)
            .await
            .map_err(|_| ApiError::validation(vec![FieldError::new("ags", "unknown")]))?;
        if !tenant.record.settings.public.enabled {
            return Err(ApiError::validation(vec![FieldError::new("ags", "public_map_off")]));
        }
    }
    let email = alert.email.as_str().to_lowercase();
    if state.store.count_alerts(&email).await? >= MAX_PER_ADDRESS {
        tracing::info!("alert subscription refused: the address has as many as allowed");
        return Ok(());
    }
    let now = Utc::now();
    let record = AlertRecord {
        id: Uuid::new_v4(),
        token: super::new_token(),
        email: email.clone(),
        language: alert.language,
        ags: alert.ags.clone(),
        area: alert.area,
        events: alert.events,
        created_at: now,
        confirmed_at: None,
    };
    let (sender, name) = sender(state, record.ags.as_ref()).await;
    let area = words::describe_area(record.language, &record.area, name.as_deref());
    let url = format!("{}/#/alerts/{}", sender.public_url, record.token);
    let mail = words::confirmation(record.language, &area, &url).into_mail(
        MailKind::AlertConfirmation,
        &email,
        &sender,
        message_id(state),
    );
    let job = job(
        record.ags.as_ref(),
        format!("alert-confirm:{email}:{}", now.format("%Y-%m-%dT%H")),
        &mail,
    )?;
    state.store.create_alert(record).await?;
    state.store.enqueue_jobs(vec![job]).await?;
    state.mailer.wake();
    Ok(())
}

fn not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found(),
        other => other.into(),
    }
}

/// The subscription behind a link.
pub async fn view(state: &AppState, token: &str) -> ApiResult<AlertView> {
    Ok(state.store.alert_by_token(token).await.map_err(not_found)?.view())
}

/// Confirms the address (the double opt-in); repeating it changes nothing.
pub async fn confirm(state: &AppState, token: &str) -> ApiResult<AlertView> {
    Ok(state
        .store
        .confirm_alert(token, Utc::now())
        .await
        .map_err(not_found)?
        .view())
}

/// Ends a subscription and forgets its address; whether one existed.
pub async fn unsubscribe(state: &AppState, token: &str) -> ApiResult<bool> {
    Ok(state.store.delete_alert(token).await?)
}

/// Runs a round if one is due (and this instance got it), and deletes subscriptions
/// whose confirmation never came.
pub async fn run_due(state: &AppState, now: DateTime<Utc>) -> StoreResult<()> {
    let every = Duration::seconds(state.settings.mail.alert_seconds.max(1));
    // The first window starts when the server first looked, not at the first round.
    let Some(start) = state.store.next_run(WINDOW).await? else {
        return state.store.set_schedule(WINDOW, now).await;
    };
    if !state
        .store
        .claim_schedule(SCHEDULE, now, now + LEASE, now + every)
        .await?
    {
        return Ok(());
    }
    // A report is stamped before its write commits: the window ends a little in the
    // past, so that nothing stamped inside it commits after the round read it.
    let end = now - SETTLE;
    let removed = state
        .store
        .delete_unconfirmed_alerts(now - Duration::days(CONFIRM_DAYS))
        .await?;
    if removed > 0 {
        tracing::info!(removed, "unconfirmed alert subscriptions deleted");
    }
    if end <= start {
        return state.store.set_schedule(SCHEDULE, now + every).await;
    }
    if let Err(e) = round(state, start, end).await {
        // The window stays where it was: the next round covers it again.
        tracing::warn!(error = ?e, "alert round failed; its window is tried again");
        return state.store.set_schedule(SCHEDULE, now + every).await;
    }
    state.store.set_schedule(WINDOW, end).await?;
    state.store.set_schedule(SCHEDULE, now + every).await
}

/// One round over `[start, end)`.
async fn round(state: &AppState, start: DateTime<Utc>, end: DateTime<Utc>) -> ApiResult<()> {
    let alerts = state.store.confirmed_alerts().await?;
    if alerts.is_empty() {
        return Ok(());
    }
    let happenings = happenings(state, &alerts, start, end).await?;
    let mut jobs = Vec::new();
    for alert in &alerts {
        let mine = plan::for_subscriber(alert, &happenings);
        if mine.is_empty() {
            continue;
        }
        jobs.push(alert_mail(state, alert, &mine, start).await?);
    }
    if !jobs.is_empty() {
        state.store.enqueue_jobs(jobs).await?;
        state.mailer.wake();
    }
    Ok(())
}

/// What happened in the window to published reports the subscribers may hear of.
async fn happenings(
    state: &AppState,
    alerts: &[AlertRecord],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> ApiResult<Vec<Happening>> {
    let base = public::filter(state, &PublicQuery::default()).await?;
    let mut out = Vec::new();
    // New reports: per subscriber, the box of their area (the index on position).
    let mut seen = BTreeSet::new();
    for alert in alerts.iter().filter(|a| a.events.new_reports) {
        let mut filter = base.clone();
        filter.ags = alert.ags.clone();
        filter.from = Some(start);
        filter.to = Some(end);
        let (rows, _) = state
            .store
            .public_reports(&filter, Some(&alert.area.bbox()), &[], 0, MAX_NEW)
            .await?;
        let rows: Vec<_> = rows.into_iter().filter(|r| seen.insert(r.report.id)).collect();
        for report in public::map_reports(state, &rows).await? {
            out.push(Happening {
                at: report.received_at,
                report,
                change: AlertChange::New,
            });
        }
    }
    // Status changes: per municipality someone listens to.
    if alerts.iter().any(|a| a.events.status_changes) {
        let municipalities: Vec<Ags> = if alerts.iter().any(|a| a.events.status_changes && a.ags.is_none()) {
            state
                .store
                .list_municipalities()
                .await?
                .into_iter()
                .map(|m| m.ags)
                .collect()
        } else {
            alerts
                .iter()
                .filter(|a| a.events.status_changes)
                .filter_map(|a| a.ags.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        for ags in municipalities.iter().filter(|a| !base.hidden.contains(a)) {
            let changes: Vec<_> = state
                .store
                .status_changes_between(ags, start, end, MAX_CHANGES)
                .await?
                .into_iter()
                // The first entry is the arrival (told as new); the window is half-open.
                .filter(|(_, _, c)| c.from.is_some() && c.at < end)
                .collect();
            if changes.is_empty() {
                continue;
            }
            let ids: Vec<ReportId> = changes
                .iter()
                .map(|(_, id, _)| *id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let (rows, _) = state
                .store
                .public_reports(&base, None, &ids, 0, u32::try_from(ids.len()).unwrap_or(u32::MAX))
                .await?;
            let published: HashMap<ReportId, _> = public::map_reports(state, &rows)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
            for (_, id, change) in changes {
                if let Some(report) = published.get(&id) {
                    out.push(Happening {
                        report: report.clone(),
                        change: AlertChange::Status {
                            to: change.to,
                            comment: change.comment,
                        },
                        at: change.at,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// A subscriber's mail of one round.
async fn alert_mail(
    state: &AppState,
    alert: &AlertRecord,
    happenings: &[&Happening],
    start: DateTime<Utc>,
) -> ApiResult<NewJob> {
    let (sender, name) = sender(state, alert.ags.as_ref()).await;
    let url = sender.public_url.clone();
    let lang: Language = alert.language;
    let area = words::describe_area(lang, &alert.area, name.as_deref());
    let map = match &alert.ags {
        Some(ags) => format!("{url}/m/{ags}"),
        None => format!("{url}/m"),
    };
    let unsubscribe_page = format!("{url}/#/alerts/{}/unsubscribe", alert.token);
    let report = |h: &Happening| format!("{url}/m/{}/{}", h.report.municipality, h.report.id);
    let links = words::AlertLinks {
        map: &map,
        unsubscribe: &unsubscribe_page,
        report: &report,
    };
    let content: Content = words::alert(lang, &area, happenings, alert.ags.is_none(), &links);
    let mut mail = content.into_mail(MailKind::Alert, &alert.email, &sender, message_id(state));
    mail.unsubscribe_url = Some(format!("{url}/api/v1/public/alerts/{}/unsubscribe", alert.token));
    mail.alert = Some(alert.token.clone());
    job(
        alert.ags.as_ref(),
        format!("alert:{}:{}", alert.id, start.timestamp_micros()),
        &mail,
    )
}
