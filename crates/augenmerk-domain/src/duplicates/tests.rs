use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::report::Channel;
use crate::{Ags, CategoryId, GeoPoint, Priority};

fn report(lat: f64, category: &str, days_ago: i64) -> Report {
    let at = Utc
        .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("valid test data")
        - Duration::days(days_ago);
    Report {
        id: ReportId::new_random(),
        municipality: Ags::parse("01001000").expect("valid test data"),
        gemeinde: Ags::parse("01001000").expect("valid test data"),
        device_id: None,
        category: CategoryId::parse(category).expect("valid test data"),
        answers: Default::default(),
        description: String::new(),
        location: GeoPoint { lat, lon: 9.43 },
        address_hint: None,
        photos: Vec::new(),
        contact_email: None,
        consent: true,
        consent_version: None,
        status: Status::Received,
        priority: Priority::Normal,
        due_at: None,
        department: None,
        assignee: None,
        forwarded_to: None,
        duplicate_of: None,
        routed_by: None,
        channel: Channel::App,
        created_at: at,
        received_at: at,
        updated_at: at,
    }
}

#[test]
fn merge_refusals_as_a_table() {
    let dup = report(54.78, "schlagloch", 0);
    let orig = report(54.7801, "schlagloch", 1);
    let none = MergeState::default();
    assert_eq!(plan_merge(&dup, &dup, none), Err(MergeRefusal::IntoItself));
    let mut other = orig.clone();
    other.municipality = Ags::parse("01002000").expect("valid test data");
    assert_eq!(plan_merge(&dup, &other, none), Err(MergeRefusal::OtherMunicipality));
    // Into a duplicate: the answer names its original.
    let first = ReportId::new_random();
    let mut chained = orig.clone();
    chained.duplicate_of = Some(first);
    assert_eq!(
        plan_merge(&dup, &chained, none),
        Err(MergeRefusal::OriginalIsDuplicate { original: first })
    );
    let merged_original = MergeState {
        original_merged_into: Some(first),
        ..none
    };
    assert_eq!(
        plan_merge(&dup, &orig, merged_original),
        Err(MergeRefusal::OriginalIsDuplicate { original: first })
    );
    // A retry, and a second merge elsewhere.
    let again = MergeState {
        duplicate_merged_into: Some(orig.id),
        ..none
    };
    assert_eq!(plan_merge(&dup, &orig, again), Ok(MergePlan::Already));
    let elsewhere = MergeState {
        duplicate_merged_into: Some(first),
        ..none
    };
    assert_eq!(
        plan_merge(&dup, &orig, elsewhere),
        Err(MergeRefusal::AlreadyMerged { into: first })
    );
    // Open: the status changes; linked as duplicate of it before: only the merge.
    assert_eq!(
        plan_merge(&dup, &orig, none),
        Ok(MergePlan::Merge { status_change: true })
    );
    let mut linked = dup.clone();
    linked.status = Status::Duplicate;
    linked.duplicate_of = Some(orig.id);
    assert_eq!(
        plan_merge(&linked, &orig, none),
        Ok(MergePlan::Merge { status_change: false })
    );
    let mut closed = dup.clone();
    closed.status = Status::Closed;
    assert_eq!(
        plan_merge(&closed, &orig, none),
        Err(MergeRefusal::NotOpen { status: Status::Closed })
    );
}

#[test]
fn likely_duplicates_are_near_recent_and_of_the_same_category_first() {
    let of = report(54.78, "schlagloch", 0);
    let near_same = report(54.7802, "schlagloch", 2); // ~22 m
    let nearer_other = report(54.7801, "laterne", 0); // ~11 m, other category
    let far = report(54.79, "schlagloch", 0); // ~1.1 km
    let old = report(54.7801, "schlagloch", 200);
    let mut closed = report(54.7801, "schlagloch", 0);
    closed.status = Status::Closed;
    let mut duplicate = report(54.7801, "schlagloch", 0);
    duplicate.duplicate_of = Some(near_same.id);
    let ranked = rank_duplicates(
        &of,
        vec![
            far,
            old,
            closed,
            duplicate,
            nearer_other.clone(),
            of.clone(),
            near_same.clone(),
        ],
    );
    let ids: Vec<ReportId> = ranked.iter().map(|r| r.id).collect();
    assert_eq!(ids, [near_same.id, nearer_other.id]);
}

#[test]
fn the_answer_speaks_the_reporters_language_and_has_one_id_per_duplicate() {
    assert!(duplicate_answer(Language::De, "AAAA1111", "BBBB2222").contains("Meldung BBBB2222"));
    assert!(duplicate_answer(Language::En, "AAAA1111", "BBBB2222").starts_with("Thank you for your report AAAA1111"));
    let r = ReportId::new_random();
    assert_eq!(answer_id(&r), answer_id(&r));
    assert_ne!(answer_id(&r), answer_id(&ReportId::new_random()));
    assert_ne!(answer_id(&r).0, r.0);
}

#[test]
fn the_later_report_is_merged_into_the_earlier() {
    let old = report(54.78, "schlagloch", 3);
    let new = report(54.78, "schlagloch", 0);
    assert_eq!(merge_roles(&old, &new).0.id, new.id);
    assert_eq!(merge_roles(&new, &old).0.id, new.id);
    assert_eq!(merge_roles(&new, &old).1.id, old.id);
}
