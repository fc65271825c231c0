//! Triage (issue 21): since when a report's citizen waits for an answer, kept by
//! `add_message` and filtered on in the inbox, and each staff member's saved filters.

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::public::MessageAuthor;
use augenmerk_domain::staff::StaffMessage;
use augenmerk_domain::triage::SavedFilter;
use augenmerk_domain::{MessageId, SavedFilterId, UserId};
use augenmerk_store::Store;
use std::sync::Arc;

use crate::common::{both, intake, report, t};
use crate::fixtures::{is_not_found, municipality};

async fn a_citizen_message_waits_until_the_municipality_answers(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let r = report(&a, None, 0);
    let quiet = report(&a, None, 1);
    for x in [&r, &quiet] {
        store.insert_report(intake(x)).await.unwrap();
    }
    let message = |author, minute| StaffMessage {
        id: MessageId::new_random(),
        report_id: r.id,
        author,
        staff_author: None,
        staff_author_name: None,
        body: "Text".into(),
        created_at: t(minute),
    };
    let waiting = || async { store.awaiting_replies(&a, &[r.id, quiet.id]).await.unwrap() };
    let listed = |awaiting: bool| {
        let a = &a;
        async move {
            let q = ReportQuery {
                awaiting_reply: Some(awaiting),
                ..ReportQuery::default()
            };
            let page = store.query_reports(a, &q, None, t(100)).await.unwrap();
            page.items.into_iter().map(|x| x.id).collect::<Vec<_>>()
        }
    };

    assert!(waiting().await.is_empty());
    store
        .add_message(&a, message(MessageAuthor::Citizen, 10), vec![])
        .await
        .unwrap();
    store
        .add_message(&a, message(MessageAuthor::Citizen, 11), vec![])
        .await
        .unwrap();
    // Since the first unanswered message.
    assert_eq!(waiting().await, vec![(r.id, t(10))]);
    assert_eq!(listed(true).await, vec![r.id]);
    assert_eq!(listed(false).await, vec![quiet.id]);
    // Another municipality sees nothing of it.
    assert!(store.awaiting_replies(&b, &[r.id]).await.unwrap().is_empty());

    store
        .add_message(&a, message(MessageAuthor::Municipality, 12), vec![])
        .await
        .unwrap();
    assert!(waiting().await.is_empty());
    assert!(listed(true).await.is_empty());

    store
        .add_message(&a, message(MessageAuthor::Citizen, 13), vec![])
        .await
        .unwrap();
    assert_eq!(waiting().await, vec![(r.id, t(13))]);

    // "Me" left unresolved by the caller never widens the list.
    let unresolved = ReportQuery {
        assigned_to_me: Some(true),
        ..ReportQuery::default()
    };
    assert_eq!(
        store.query_reports(&a, &unresolved, None, t(100)).await.unwrap().total,
        0
    );
}

async fn saved_filters_belong_to_one_account_of_one_municipality(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let (me, colleague) = (UserId::new_random(), UserId::new_random());
    let filter = |name: &str, minute| SavedFilter {
        id: SavedFilterId::new_random(),
        name: name.into(),
        query: ReportQuery {
            status: Some("received".into()),
            awaiting_reply: Some(true),
            assigned_to_me: Some(true),
            ..ReportQuery::default()
        },
        created_at: t(minute),
    };
    let first = filter("Rückfragen", 1);
    let second = filter("Überfällig", 2);
    store.add_saved_filter(&a, &me, &second).await.unwrap();
    store.add_saved_filter(&a, &me, &first).await.unwrap();
    assert_eq!(
        store.list_saved_filters(&a, &me).await.unwrap(),
        vec![first.clone(), second.clone()],
        "oldest first, the query as saved"
    );
    assert!(store.list_saved_filters(&a, &colleague).await.unwrap().is_empty());
    assert!(store.list_saved_filters(&b, &me).await.unwrap().is_empty());

    assert!(is_not_found(store.delete_saved_filter(&a, &colleague, &first.id).await));
    assert!(is_not_found(store.delete_saved_filter(&b, &me, &first.id).await));
    store.delete_saved_filter(&a, &me, &first.id).await.unwrap();
    assert!(is_not_found(store.delete_saved_filter(&a, &me, &first.id).await));
    assert_eq!(store.list_saved_filters(&a, &me).await.unwrap(), vec![second]);
}

both!(
    a_citizen_message_waits_until_the_municipality_answers,
    saved_filters_belong_to_one_account_of_one_municipality
);
