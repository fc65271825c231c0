//! The daily retention job: applies each municipality's policy, expires idle devices,
//! removes photos nobody attached and mailed reports nobody took in.
//!
//! It is idempotent (reports already erased are not due again) and safe on several
//! instances: the run is claimed with a lease on its schedule, and a crash in the middle
//! only means the next claim repeats what is left.

use chrono::{DateTime, Duration, Utc};

use augenmerk_domain::Ags;
use augenmerk_domain::audit::Actor;
use augenmerk_domain::privacy::{self, ErasureReason, ErasureScope, RetentionPolicy, UNUSED_PHOTO_HOURS};

use super::erase::{self, Request};
use crate::error::ApiError;
use crate::state::AppState;

/// The schedule's name.
pub const SCHEDULE: &str = "privacy-retention";

/// When in the night it runs (Berlin time).
const HOUR: u32 = 3;

/// How long one instance holds a claimed run before another may take it over.
const LEASE: Duration = Duration::hours(1);

/// Reports erased per store call.
const BATCH: u32 = 200;

/// What a run removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRun {
    /// Reports whose contact address was removed.
    pub contacts: u32,
    /// Reports whose content was removed.
    pub contents: u32,
    /// Device registrations that expired.
    pub devices: u32,
    /// Mailed reports that expired.
    pub mailed: u32,
    /// Unused photos deleted.
    pub photos: u32,
}

/// How often an instance asks whether the daily run is due. Its own task, not the mail
/// worker's round: that runs every few seconds and must not wait for a retention run.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Starts the task that runs the job when it is due; it runs until the runtime stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            // First look after a while, not at start-up: a server that is started and
            // stopped again (tests, a restart loop) does not touch the schedule.
            tokio::time::sleep(CHECK_EVERY).await;
            if let Err(e) = run_due(&state, Utc::now()).await {
                tracing::warn!(error = ?e, "applying the retention policy failed; tried again later");
            }
        }
    })
}

/// Runs the job if it is due and this instance wins the claim; schedules the next run.
pub async fn run_due(state: &AppState, now: DateTime<Utc>) -> Result<(), ApiError> {
    // A read first: the worker asks every few seconds, the claim is a write.
    if state.store.next_run(SCHEDULE).await?.is_some_and(|at| at > now) {
        return Ok(());
    }
    let next = crate::mail::digest::next_run(now, HOUR);
    if state.store.claim_schedule(SCHEDULE, now, now + LEASE, next).await? {
        let done = run(state, now).await?;
        tracing::info!(?done, "retention policy applied");
        state.store.set_schedule(SCHEDULE, next).await?;
    }
    Ok(())
}

/// Applies every policy as of `now` (tests move `now` forward instead of waiting).
pub async fn run(state: &AppState, now: DateTime<Utc>) -> Result<RetentionRun, ApiError> {
    let mut done = RetentionRun::default();
    let mut policies: Vec<(Ags, RetentionPolicy)> = Vec::new();
    for m in state.store.list_municipalities().await? {
        let policy = m.settings.retention;
        let (contact_before, content_before) = policy.cutoffs(now);
        // Content first: it includes the contact, so those reports are not due twice.
        done.contents += erase_due(state, &m.ags, ErasureScope::Content, content_before, now).await?;
        done.contacts += erase_due(state, &m.ags, ErasureScope::Contact, contact_before, now).await?;
        policies.push((m.ags, policy));
    }
    done.devices = expire_devices(state, &policies, now).await?;
    let default = RetentionPolicy::default();
    let mailed = state
        .store
        .expire_mailed(now - Duration::days(i64::from(default.content_days)))
        .await?;
    erase::delete_photos(state, &mailed.orphaned_photos).await?;
    done.mailed = mailed.reports;
    loop {
        let unused = state
            .store
            .unused_blobs(now - Duration::hours(UNUSED_PHOTO_HOURS), BATCH)
            .await?;
        if unused.is_empty() {
            break;
        }
        erase::delete_photos(state, &unused).await?;
        done.photos += u32::try_from(unused.len()).unwrap_or(u32::MAX);
        if unused.len() < BATCH as usize {
            break;
        }
    }
    state.store.scrub().await?;
    Ok(done)
}

async fn erase_due(
    state: &AppState,
    ags: &Ags,
    scope: ErasureScope,
    closed_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u32, ApiError> {
    let request = Request {
        scope,
        reason: ErasureReason::Retention,
        actor: Actor::System,
        reference: None,
        at: now,
    };
    let mut count = 0;
    loop {
        let due = state.store.retention_due(ags, scope, closed_before, BATCH).await?;
        if due.is_empty() {
            return Ok(count);
        }
        let erased = erase::erase_reports(state, ags, &due, &request).await?;
        count += erased;
        // A batch that changed nothing would be due again forever.
        if erased == 0 || due.len() < BATCH as usize {
            return Ok(count);
        }
    }
}

async fn expire_devices(
    state: &AppState,
    policies: &[(Ags, RetentionPolicy)],
    now: DateTime<Utc>,
) -> Result<u32, ApiError> {
    let default = RetentionPolicy::default().device_inactive_days;
    // No device can expire sooner than the shortest period of any municipality.
    let shortest = policies
        .iter()
        .map(|(_, p)| p.device_inactive_days)
        .chain([default])
        .min()
        .unwrap_or(default);
    let idle = state
        .store
        .idle_devices(now - Duration::days(i64::from(shortest)), u32::MAX)
        .await?;
    let mut count = 0;
    for device in idle {
        let periods: Vec<u32> = device
            .municipalities
            .iter()
            .filter_map(|ags| {
                policies
                    .iter()
                    .find(|(a, _)| a == ags)
                    .map(|(_, p)| p.device_inactive_days)
            })
            .collect();
        if privacy::device_expired(device.last_seen, &periods, default, now) {
            state.store.delete_device(&device.id).await?;
            count += 1;
        }
    }
    Ok(count)
}
