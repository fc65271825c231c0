//! Merged duplicates (issue 21): the merge as one write, the duplicate's device and
//! followers following the original, merges into a merged report moving along, and a
//! second merge of the same duplicate refused.

use std::sync::Arc;

use augenmerk_domain::audit::{AuditAction, AuditEntry};
use augenmerk_domain::{Language, Status};
use augenmerk_store::{MergeWrite, NewSubscription, ReportWrite, Store};

use crate::common::{both, intake, report, staff_actor, t};
use crate::fixtures::{device, municipality};

/// The merge of `dup` into `original` at minute `at`, as the server writes it.
fn merge(dup: &augenmerk_domain::report::Report, original: &augenmerk_domain::report::Report, at: i64) -> MergeWrite {
    let mut next = dup.clone();
    next.status = Status::Duplicate;
    next.duplicate_of = Some(original.id);
    next.updated_at = t(at);
    let entry = |report, action| AuditEntry {
        report_id: report,
        at: t(at),
        actor: staff_actor("Frau Petersen"),
        action,
        public_comment: None,
    };
    MergeWrite {
        duplicate: ReportWrite::new(
            next,
            vec![entry(dup.id, AuditAction::MergedInto { original: original.id })],
            Vec::new(),
        ),
        expected_updated_at: dup.updated_at,
        original: original.id,
        original_audit: vec![entry(original.id, AuditAction::MergedFrom { duplicate: dup.id })],
        at: t(at),
    }
}

async fn merges_move_followers_and_subscriptions(store: &Arc<dyn Store>) {
    let store = store.as_ref();
    let ags = municipality(store, "01001000").await;
    let (first_device, dup_device, follower) = (device(store).await, device(store).await, device(store).await);
    let original = report(&ags, Some(first_device), 0);
    let dup = report(&ags, Some(dup_device), 5);
    let later = report(&ags, None, 6);
    store.insert_report(intake(&original)).await.unwrap();
    let mut with_address = intake(&dup);
    with_address.subscription = Some(NewSubscription {
        email: "buerger@example.org".into(),
        language: Language::En,
        token: "t".repeat(43),
    });
    store.insert_report(with_address).await.unwrap();
    store.insert_report(intake(&later)).await.unwrap();
    store.follow_report(&follower, &dup.id, t(1), 10).await.unwrap();

    assert_eq!(store.merged_into(&ags, &dup.id).await.unwrap(), None);
    store.merge_reports(merge(&dup, &original, 10)).await.unwrap();
    assert_eq!(store.merged_into(&ags, &dup.id).await.unwrap(), Some(original.id));
    let stored = store.get_report(&ags, &dup.id).await.unwrap();
    assert_eq!(
        (stored.status, stored.duplicate_of),
        (Status::Duplicate, Some(original.id))
    );
    let merged = store.merged_reports(&ags, &original.id).await.unwrap();
    assert_eq!(merged.iter().map(|r| r.id).collect::<Vec<_>>(), [dup.id]);
    let subs = store.merged_subscriptions(&original.id).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(
        (subs[0].report, subs[0].email.as_str()),
        (dup.id, "buerger@example.org")
    );
    // The duplicate's device and its follower follow the original now; the original's
    // own device does not follow its own report.
    for d in [dup_device, follower] {
        let followed = store.followed_reports(&d).await.unwrap();
        assert!(followed.iter().any(|r| r.id == original.id), "{d} follows the original");
    }
    assert!(store.followed_reports(&first_device).await.unwrap().is_empty());
    // Audited on both.
    let audit = store.list_audit(&ags, &original.id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == AuditAction::MergedFrom { duplicate: dup.id })
    );
    let audit = store.list_audit(&ags, &dup.id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == AuditAction::MergedInto { original: original.id })
    );

    // A second merge of the same duplicate is refused, and leaves no trace.
    let again = merge(&stored, &later, 11);
    assert!(store.merge_reports(again).await.is_err());
    assert_eq!(store.merged_into(&ags, &dup.id).await.unwrap(), Some(original.id));
    assert_eq!(store.get_report(&ags, &dup.id).await.unwrap().updated_at, t(10));

    // The original merged into a later one: its duplicates move along.
    let original_now = store.get_report(&ags, &original.id).await.unwrap();
    store.merge_reports(merge(&original_now, &later, 12)).await.unwrap();
    let merged = store.merged_reports(&ags, &later.id).await.unwrap();
    let mut ids: Vec<_> = merged.iter().map(|r| r.id).collect();
    ids.sort();
    let mut expected = vec![original.id, dup.id];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(store.merged_reports(&ags, &original.id).await.unwrap().is_empty());
    // Another municipality sees none of it.
    let kiel = municipality(store, "01002000").await;
    assert_eq!(store.merged_into(&kiel, &dup.id).await.unwrap(), None);
    assert!(store.merged_reports(&kiel, &later.id).await.unwrap().is_empty());
}

both!(merges_move_followers_and_subscriptions);
