//! Boundaries, municipalities and their configuration: categories, settings, departments,
//! areas and rules, each change counting up the configuration version.

use augenmerk_domain::api::AreaDefinition;
use augenmerk_domain::rules::{Rule, RuleAction};
use augenmerk_domain::staff::Department;
use augenmerk_domain::{AreaId, DepartmentId, Priority, RuleId};
use augenmerk_store::{BoundaryRecord, MunicipalityRecord, Store, StoreError};
use std::sync::Arc;

use crate::common::{ags, both, settings};
use crate::fixtures::{is_not_found, municipality, tree};

async fn boundaries_municipalities_and_configuration(shared: &Arc<dyn Store>) {
    let store: &dyn Store = &**shared;

    let b = |code: &str, name: &str| BoundaryRecord {
        ags: ags(code),
        name: name.into(),
        geometry: "{}".into(),
        administration: None,
    };
    store
        .upsert_boundaries(vec![b("01001000", "Flensburg"), b("01002000", "Kiel")])
        .await
        .unwrap();
    store
        .upsert_boundaries(vec![b("01001000", "Flensburg, Stadt")])
        .await
        .unwrap();
    let all = store.list_boundaries().await.unwrap();
    assert_eq!(
        all.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        ["Flensburg, Stadt", "Kiel"]
    );

    let a = municipality(store, "01001000").await;
    let dup = store
        .create_municipality(MunicipalityRecord {
            ags: a.clone(),
            name: "again".into(),
            categories: tree(),
            settings: settings(),
            config_version: 1,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    let other = ags("01002000");
    assert!(is_not_found(store.get_municipality(&other).await));
    assert_eq!(store.list_municipalities().await.unwrap().len(), 1);
    let version = || async { store.get_municipality(&a).await.unwrap().config_version };
    assert_eq!(version().await, 1);

    let mut smaller = tree();
    smaller.categories.pop();
    store.put_categories(&a, smaller.clone()).await.unwrap();
    assert_eq!(store.get_municipality(&a).await.unwrap().categories, smaller);
    let mut s = settings();
    s.accent_color = Some("#005ea5".into());
    store.put_settings(&a, s.clone()).await.unwrap();
    assert_eq!(store.get_municipality(&a).await.unwrap().settings, s);
    assert!(is_not_found(store.put_settings(&other, s).await));
    assert_eq!(version().await, 3);

    let tiefbau = Department {
        id: DepartmentId::parse("tiefbau").unwrap(),
        name: "Tiefbau".into(),
        email: None,
    };
    store.put_department(&a, tiefbau.clone()).await.unwrap();
    let renamed = Department {
        name: "Tiefbauamt".into(),
        email: Some("tiefbau@example.org".into()),
        ..tiefbau
    };
    store.put_department(&a, renamed.clone()).await.unwrap();
    assert_eq!(store.list_departments(&a).await.unwrap(), vec![renamed.clone()]);
    assert!(store.list_departments(&other).await.unwrap().is_empty());
    assert!(is_not_found(store.delete_department(&other, &renamed.id).await));
    store.delete_department(&a, &renamed.id).await.unwrap();
    assert!(is_not_found(store.delete_department(&a, &renamed.id).await));
    assert_eq!(version().await, 6);

    let area = AreaDefinition {
        id: AreaId::parse("altstadt").unwrap(),
        name: "Altstadt".into(),
        geometry: serde_json::json!({"type": "Polygon", "coordinates": [[[9.4, 54.7], [9.5, 54.7], [9.5, 54.8], [9.4, 54.7]]]}),
    };
    store.put_area(&a, area.clone()).await.unwrap();
    assert_eq!(store.list_areas(&a).await.unwrap(), vec![area.clone()]);
    assert!(store.list_areas(&other).await.unwrap().is_empty());
    store.delete_area(&a, &area.id).await.unwrap();
    assert!(store.list_areas(&a).await.unwrap().is_empty());
    assert_eq!(version().await, 8);

    assert!(store.get_rules(&a).await.unwrap().is_empty());
    assert!(is_not_found(store.get_rules(&other).await));
    let rule = |id: &str| Rule {
        id: RuleId::parse(id).unwrap(),
        name: id.into(),
        enabled: true,
        conditions: vec![],
        action: RuleAction {
            priority: Some(Priority::High),
            ..Default::default()
        },
    };
    store.put_rules(&a, vec![rule("zweite"), rule("erste")]).await.unwrap();
    let ids: Vec<String> = store
        .get_rules(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(ids, ["zweite", "erste"], "rule order is kept");
    assert_eq!(version().await, 9);
}

both!(boundaries_municipalities_and_configuration);
