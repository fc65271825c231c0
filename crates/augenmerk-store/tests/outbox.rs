//! The outbox as several workers use it: claims with a lease, no job twice while leased,
//! a crashed worker's job taken again, idempotent queuing, the delivery counts of the
//! abuse rule.

use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::json;

use augenmerk_domain::{Ags, ReportId};
use augenmerk_store::{JobKind, JobOutcome, JobState, NewJob, Store};

#[allow(unused_imports)]
#[path = "common/mod.rs"]
mod common;
use common::both;

fn job(key: &str, tag: &str, to: &str) -> NewJob {
    NewJob {
        kind: JobKind::Mail,
        municipality: Ags::parse("01001000").expect("AGS"),
        report: Some(ReportId::new_random()),
        dedupe_key: key.into(),
        tag: Some(tag.into()),
        recipient: Some(to.into()),
        payload: json!({ "subject": key }),
        run_at: Utc::now() - Duration::seconds(1),
    }
}

async fn leased_jobs_go_to_one_worker_and_come_back_after_a_crash(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    store
        .enqueue_jobs(vec![
            job("a", "receipt", "x@example.org"),
            job("b", "receipt", "y@example.org"),
        ])
        .await
        .expect("enqueue");
    // Queuing a key again is a no-op.
    store
        .enqueue_jobs(vec![job("a", "receipt", "x@example.org")])
        .await
        .expect("enqueue again");

    let now = Utc::now();
    let first = store
        .claim_jobs(now, now + Duration::seconds(60), 1)
        .await
        .expect("claim");
    let second = store
        .claim_jobs(now, now + Duration::seconds(60), 10)
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1, "the other worker gets only the job that is not leased");
    assert_ne!(first[0].id, second[0].id);
    assert!(
        store
            .claim_jobs(now, now + Duration::seconds(60), 10)
            .await
            .expect("claim")
            .is_empty()
    );

    // The first worker finishes; the second "crashes" (never finishes). After its lease
    // ran out, its job is claimed again.
    store
        .finish_job(first[0].id, JobOutcome::Done, now)
        .await
        .expect("finish");
    let later = now + Duration::seconds(61);
    let again = store
        .claim_jobs(later, later + Duration::seconds(60), 10)
        .await
        .expect("claim");
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), vec![second[0].id]);

    // A retry waits until its time and counts the attempt.
    let retry_at = later + Duration::seconds(30);
    store
        .finish_job(
            again[0].id,
            JobOutcome::Retry {
                at: retry_at,
                error: "421 busy".into(),
            },
            later,
        )
        .await
        .expect("retry");
    assert!(
        store
            .claim_jobs(later, later + Duration::seconds(60), 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let due = store
        .claim_jobs(retry_at, retry_at + Duration::seconds(60), 10)
        .await
        .expect("claim");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    assert_eq!(due[0].last_error.as_deref(), Some("421 busy"));
    store
        .finish_job(
            due[0].id,
            JobOutcome::Suppressed {
                reason: "unsubscribed".into(),
            },
            retry_at,
        )
        .await
        .expect("suppress");

    let log = store
        .report_jobs(&Ags::parse("01001000").expect("AGS"), &due[0].report.expect("report"))
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].state, JobState::Suppressed);
    // Only delivered mails count against the address's daily limits.
    let sent_x = store
        .mails_to_since("x@example.org", now - Duration::hours(24))
        .await
        .expect("count");
    let sent_y = store
        .mails_to_since("y@example.org", now - Duration::hours(24))
        .await
        .expect("count");
    assert_eq!((sent_x.receipts, sent_x.all), (1, 1));
    assert_eq!((sent_y.receipts, sent_y.all), (0, 0));
}

async fn schedules_remember_their_next_run(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    assert_eq!(store.next_run("daily-digest").await.expect("read"), None);
    let at = Utc::now() + Duration::hours(3);
    store.set_schedule("daily-digest", at).await.expect("set");
    let stored = store.next_run("daily-digest").await.expect("read").expect("scheduled");
    assert_eq!(stored.timestamp_micros(), at.timestamp_micros());
}

both!(
    leased_jobs_go_to_one_worker_and_come_back_after_a_crash,
    schedules_remember_their_next_run
);
