//! The staff inbox: filters, paging, sorting, field workers' visibility, counts per status
//! and category, and the open reports nearby.

use augenmerk_domain::api::ReportQuery;
use augenmerk_domain::report::{Answer, Report};
use augenmerk_domain::{CategoryId, DepartmentId, GeoPoint, Priority, QuestionId, Status, UserId};
use augenmerk_store::{ReportWrite, Store, Visibility};
use std::sync::Arc;

use crate::common::{both, intake, report_in as report, t};
use crate::fixtures::municipality;

async fn inbox_filters_paging_sorting_counts_and_nearby(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;
    let a = municipality(store, "01001000").await;
    let b = municipality(store, "01002000").await;
    let tiefbau = DepartmentId::parse("tiefbau").unwrap();
    let worker = UserId::new_random();

    // Twelve reports of A, one a minute, with varied fields; one of B that must never show.
    let mut all = Vec::new();
    for i in 0..12_i64 {
        let category = ["schlagloch", "beleuchtung", "muell"][(i % 3) as usize];
        let mut r = report(&a, None, category, i);
        r.status = [Status::Received, Status::Assigned, Status::Resolved, Status::InProgress][(i % 4) as usize];
        r.priority = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent][(i % 4) as usize];
        r.due_at = (i % 2 == 0).then(|| t(100 + i));
        r.department = (i < 4).then(|| tiefbau.clone());
        r.assignee = (i == 11).then_some(worker);
        r.location = GeoPoint {
            lat: 54.78 + 0.001 * i as f64,
            lon: 9.43,
        };
        r.updated_at = t(1000 - i);
        if i == 5 {
            r.description = "Straßenlaterne flackert, 50% dunkel".into();
            r.address_hint = Some("vor Nr. 12".into());
        }
        if i == 6 {
            r.answers
                .insert(QuestionId::parse("tiefe").unwrap(), Answer::Text("ÜBER zehn cm".into()));
        }
        store
            .insert_report(ReportWrite::new(r.clone(), vec![], vec![]))
            .await
            .unwrap();
        all.push(r);
    }
    store
        .insert_report(intake(&report(&b, None, "muell", 0)))
        .await
        .unwrap();

    let now = t(105);
    let tenant = &a;
    let run = |q: ReportQuery| async move { store.query_reports(tenant, &q, None, now).await.unwrap() };
    let idx = |page: &augenmerk_domain::staff::Page<Report>| -> Vec<usize> {
        page.items
            .iter()
            .map(|r| all.iter().position(|x| x.id == r.id).unwrap())
            .collect()
    };

    // Default: newest first, 50 a page.
    let p = run(ReportQuery::default()).await;
    assert_eq!((p.total, p.page, p.page_size), (12, 1, 50));
    assert_eq!(idx(&p), (0..12).rev().collect::<Vec<_>>());
    // Paging.
    let p = run(ReportQuery {
        page: Some(2),
        page_size: Some(5),
        ..Default::default()
    })
    .await;
    assert_eq!((p.total, idx(&p)), (12, vec![6, 5, 4, 3, 2]));
    let p = run(ReportQuery {
        page: Some(4),
        page_size: Some(5),
        ..Default::default()
    })
    .await;
    assert!(p.items.is_empty() && p.total == 12);
    let p = run(ReportQuery {
        page: Some(0),
        page_size: Some(10_000),
        ..Default::default()
    })
    .await;
    assert_eq!((p.page, p.page_size), (1, 200));

    let q = |f: fn(&mut ReportQuery)| {
        let mut q = ReportQuery::default();
        f(&mut q);
        q
    };
    let sorted = |mut v: Vec<usize>| {
        v.sort_unstable();
        v
    };
    // Status list, with an unknown name ignored.
    let p = run(q(|q| q.status = Some("received, in_progress,bogus".into()))).await;
    assert_eq!(sorted(idx(&p)), [0, 3, 4, 7, 8, 11]);
    assert_eq!(run(q(|q| q.status = Some("bogus".into()))).await.total, 0);
    // Category with its subtree.
    let p = run(q(|q| q.category = Some(CategoryId::parse("strasse").unwrap()))).await;
    assert_eq!(sorted(idx(&p)), [0, 1, 3, 4, 6, 7, 9, 10]);
    let p = run(q(|q| q.category = Some(CategoryId::parse("muell").unwrap()))).await;
    assert_eq!(sorted(idx(&p)), [2, 5, 8, 11]);
    // Department, assignee, priority.
    let p = run(q(|q| q.department = Some(DepartmentId::parse("tiefbau").unwrap()))).await;
    assert_eq!(sorted(idx(&p)), [0, 1, 2, 3]);
    let p = store
        .query_reports(
            &a,
            &ReportQuery {
                assignee: Some(worker),
                ..Default::default()
            },
            None,
            now,
        )
        .await;
    assert_eq!(idx(&p.unwrap()), [11]);
    let p = run(q(|q| q.priority = Some(Priority::Urgent))).await;
    assert_eq!(sorted(idx(&p)), [3, 7, 11]);
    // Overdue: open, due before now (due at t(100 + i) for even i; now = t(105)).
    let p = run(q(|q| q.overdue = Some(true))).await;
    assert_eq!(sorted(idx(&p)), [0, 4], "2 is resolved, 6 and later are not due yet");
    assert_eq!(run(q(|q| q.overdue = Some(false))).await.total, 10);
    // Bounding box (lon, lat order); invalid boxes match nothing.
    let p = run(q(|q| q.bbox = Some("9.4,54.7835,9.5,54.7865".into()))).await;
    assert_eq!(sorted(idx(&p)), [4, 5, 6]);
    assert_eq!(run(q(|q| q.bbox = Some("garbage".into()))).await.total, 0);
    // Text search: case-insensitive beyond ASCII, LIKE wildcards are literal, answers count.
    assert_eq!(
        idx(&run(q(|q| q.q = Some("STRASSENLATERNE".into()))).await),
        Vec::<usize>::new()
    );
    assert_eq!(idx(&run(q(|q| q.q = Some("STRAẞENLATERNE".to_lowercase()))).await), [5]);
    assert_eq!(idx(&run(q(|q| q.q = Some("50%".into()))).await), [5]);
    assert_eq!(run(q(|q| q.q = Some("5_%".into()))).await.total, 0);
    assert_eq!(idx(&run(q(|q| q.q = Some("nr. 12".into()))).await), [5]);
    assert_eq!(idx(&run(q(|q| q.q = Some("über ZEHN".into()))).await), [6]);
    assert_eq!(
        run(q(|q| q.q = Some("tiefe".into()))).await.total,
        0,
        "question ids are not searched"
    );
    // Sorting.
    let p = run(q(|q| q.sort = Some("due_at".into()))).await;
    assert_eq!(
        idx(&p),
        [0, 2, 4, 6, 8, 10, 11, 9, 7, 5, 3, 1],
        "due first, then newest without due date"
    );
    let p = run(q(|q| q.sort = Some("priority".into()))).await;
    assert_eq!(idx(&p)[..4], [11, 7, 3, 10]);
    let p = run(q(|q| q.sort = Some("updated_at".into()))).await;
    assert_eq!(idx(&p), (0..12).collect::<Vec<_>>());
    // Field workers see their department's reports and their own.
    let v = Visibility {
        department: Some(tiefbau.clone()),
        user: worker,
    };
    let p = store
        .query_reports(&a, &ReportQuery::default(), Some(&v), now)
        .await
        .unwrap();
    assert_eq!(sorted(idx(&p)), [0, 1, 2, 3, 11]);
    let v_alone = Visibility {
        department: None,
        user: worker,
    };
    let p = store
        .query_reports(&a, &ReportQuery::default(), Some(&v_alone), now)
        .await
        .unwrap();
    assert_eq!(idx(&p), [11]);

    // Counts per status, every status listed.
    let counts = store.count_by_status(&a, None).await.unwrap();
    assert_eq!(counts.len(), Status::ALL.len());
    let count = |c: &[(Status, u64)], s: Status| c.iter().find(|(x, _)| *x == s).map(|(_, n)| *n);
    assert_eq!(count(&counts, Status::Received), Some(3));
    assert_eq!(count(&counts, Status::Closed), Some(0));
    let counts = store.count_by_status(&a, Some(&v)).await.unwrap();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 5);

    // The categories in use, with their counts (B's report is not A's).
    let in_use: Vec<(String, u64)> = store
        .categories_in_use(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    assert_eq!(
        in_use,
        [
            ("beleuchtung".to_owned(), 4),
            ("muell".to_owned(), 4),
            ("schlagloch".to_owned(), 4)
        ]
    );

    // Nearby: open reports within the radius, nearest first (0.001° latitude ≈ 111 m).
    let center = GeoPoint {
        lat: 54.7851,
        lon: 9.43,
    };
    let positions = |near: Vec<Report>| -> Vec<usize> {
        near.iter()
            .map(|r| all.iter().position(|x| x.id == r.id).unwrap())
            .collect()
    };
    let near = store.nearby_reports(&a, center, 250.0, 10, None).await.unwrap();
    assert_eq!(
        positions(near),
        [5, 4, 7, 3],
        "6 is resolved; 7 and 3 lie 211 m and 233 m away"
    );
    assert_eq!(store.nearby_reports(&a, center, 250.0, 2, None).await.unwrap().len(), 2);
    assert!(
        store
            .nearby_reports(&b, center, 250.0, 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    // A field worker's nearby reports are those of the inbox only (issue 25: the nearby
    // query once ignored the caller's visibility).
    let near = store.nearby_reports(&a, center, 250.0, 10, Some(&v)).await.unwrap();
    assert_eq!(positions(near), [3], "only 0–3 are Tiefbau's");
    assert!(
        store
            .nearby_reports(&a, center, 250.0, 10, Some(&v_alone))
            .await
            .unwrap()
            .is_empty()
    );
}

both!(inbox_filters_paging_sorting_counts_and_nearby);
