//! The mail log of a case: the outbox's jobs about a report, as staff see them.

use augenmerk_domain::mail::{DeliveryChannel, DeliveryRecord, DeliveryState, MailKind, mask_address};
use augenmerk_store::{Job, JobKind, JobState};

/// A job as a line of the case's mail log. Citizens' addresses are masked unless
/// `show_citizen_address` (roles that see the whole case); staff mailboxes and
/// authorities' addresses are shown to every staff member who sees the case.
pub fn record(job: &Job, show_citizen_address: bool) -> Option<DeliveryRecord> {
    let report_id = job.report?;
    let kind = job.tag.as_deref().and_then(MailKind::parse);
    let channel = match job.kind {
        JobKind::Mail => DeliveryChannel::Mail,
        JobKind::Open311Forward => DeliveryChannel::Open311,
    };
    let to = job.recipient.clone().unwrap_or_default();
    let to = match kind {
        Some(k) if k.to_citizen() && !show_citizen_address => mask_address(&to),
        _ => to,
    };
    let state = match job.state {
        JobState::Pending if job.attempts == 0 => DeliveryState::Queued,
        JobState::Pending => DeliveryState::Retrying,
        JobState::Done => DeliveryState::Sent,
        JobState::Failed => DeliveryState::Failed,
        JobState::Suppressed => DeliveryState::Suppressed,
    };
    let subject = job.payload.get("subject").and_then(|s| s.as_str()).map(str::to_owned);
    Some(DeliveryRecord {
        report_id,
        channel,
        kind,
        to,
        subject,
        state,
        attempts: job.attempts,
        error: job.last_error.clone(),
        queued_at: job.created_at,
        done_at: job.done_at,
        next_attempt_at: (job.state == JobState::Pending).then_some(job.run_at),
    })
}
