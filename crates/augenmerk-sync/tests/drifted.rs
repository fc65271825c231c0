//! The behaviours in which the web page's own sync client had drifted from the native one
//! (issue 19). Each would fail against the page's old logic, which took any answer with a
//! JSON error body for a verdict on the report and re-sent refused reports on every flush.

use std::time::Duration;

use augenmerk_domain::ReportId;
use augenmerk_sync::{
    Answer, EntryState, HasEntry, Next, Verdict, after_verdict, judge_photo_upload, judge_submit, to_send,
};
use chrono::{DateTime, TimeZone, Utc};

/// An error answer as the server sends it: always with a JSON body (code and message).
fn json_error(status: u16, code: &str, retry_after: Option<u64>) -> Answer {
    Answer::Status {
        status,
        code: Some(code.to_owned()),
        message: "Bitte später erneut versuchen.".to_owned(),
        details: Vec::new(),
        retry_after: retry_after.map(Duration::from_secs),
    }
}

fn queued() -> EntryState {
    EntryState::new_queued()
}

/// Issue 19: a 500 with a JSON body marked the report as refused for good on the page.
#[test]
fn a_server_error_with_a_json_body_is_retried_not_refused() {
    let answer = json_error(500, "internal", None);
    for round in 0..2 {
        assert_eq!(judge_submit(&answer, round), Verdict::RetryLater { after: None });
    }
    assert_eq!(judge_photo_upload(&answer), Verdict::RetryLater { after: None });
    let next = after_verdict(&queued(), &judge_submit(&answer, 0));
    assert!(
        matches!(next, Next::Keep(EntryState::Queued { attempts: 1, .. })),
        "{next:?}"
    );
}

/// Issue 19: so was a 429 (rate limited), which also carries a JSON body.
#[test]
fn too_many_requests_with_a_json_body_is_retried_after_the_servers_wait() {
    let answer = json_error(429, "rate_limited", Some(30));
    let verdict = judge_submit(&answer, 0);
    assert_eq!(
        verdict,
        Verdict::RetryLater {
            after: Some(Duration::from_secs(30))
        }
    );
    assert!(matches!(
        after_verdict(&queued(), &verdict),
        Next::Keep(EntryState::Queued { .. })
    ));
}

/// Issue 19: after a server restore a 401 refused every later report on the page; the
/// device registers again instead and the report stays queued.
#[test]
fn unauthorized_registers_again() {
    let answer = json_error(401, "unauthorized", None);
    assert_eq!(judge_submit(&answer, 0), Verdict::RegisterAgain);
    assert_eq!(judge_photo_upload(&answer), Verdict::RegisterAgain);
    let next = after_verdict(&queued(), &Verdict::RegisterAgain);
    assert!(
        matches!(
            next,
            Next::ReRegisterThenRetry {
                state: EntryState::Queued { .. }
            }
        ),
        "{next:?}"
    );
}

struct Row(ReportId, DateTime<Utc>, EntryState);

impl HasEntry for Row {
    fn entry_id(&self) -> ReportId {
        self.0
    }
    fn created_at(&self) -> DateTime<Utc> {
        self.1
    }
    fn entry_state(&self) -> &EntryState {
        &self.2
    }
}

/// Issue 19: refused entries were sent again on every flush of the page.
#[test]
fn a_refused_report_is_not_sent_again() {
    let at = Utc.timestamp_opt(1_780_000_000, 0).single().unwrap_or_default();
    let refused_answer = Answer::Status {
        status: 422,
        code: Some("unknown_category".into()),
        message: "Diese Kategorie gibt es nicht mehr.".into(),
        details: vec![("category".into(), "unknown".into())],
        retry_after: None,
    };
    let Next::Keep(refused) = after_verdict(&queued(), &judge_submit(&refused_answer, 0)) else {
        panic!("a refusal keeps the entry");
    };
    assert_eq!(
        refused,
        EntryState::Refused {
            reason: "Diese Kategorie gibt es nicht mehr. (unknown_category) [category: unknown]".into()
        }
    );
    let waiting = ReportId::new_random();
    let outbox = vec![Row(ReportId::new_random(), at, refused), Row(waiting, at, queued())];
    let sent: Vec<ReportId> = to_send(&outbox).iter().map(|r| r.0).collect();
    assert_eq!(sent, vec![waiting]);
}
