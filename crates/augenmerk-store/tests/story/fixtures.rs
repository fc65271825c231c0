//! Fixtures of the storage story beyond `common`: a category tree with a subtree, a
//! municipality that uses it, status transitions as the process handlers write them,
//! devices, staff accounts, and a check for [`StoreError::NotFound`].

use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{Role, StaffUser};
use augenmerk_domain::{Ags, CategoryTree, DeviceId, Status, UserId};
use augenmerk_store::{MunicipalityRecord, PublicEvent, ReportWrite, Store, StoreError};

use crate::common::{ags, settings, t};

pub fn tree() -> CategoryTree {
    CategoryTree::from_json(
        r#"{"categories": [
            {"id": "strasse", "de": "Straße", "en": "Road", "subcategories": [
                {"id": "schlagloch", "de": "Schlagloch", "en": "Pothole",
                 "questions": [{"id": "tiefe", "de": "Tiefe", "en": "Depth", "type": "integer"}]},
                {"id": "beleuchtung", "de": "Beleuchtung", "en": "Lighting"}]},
            {"id": "muell", "de": "Müll", "en": "Litter"}]}"#,
    )
    .unwrap()
}

pub async fn municipality(store: &dyn Store, code: &str) -> Ags {
    let a = ags(code);
    store
        .create_municipality(MunicipalityRecord {
            ags: a.clone(),
            name: format!("Gemeinde {code}"),
            categories: tree(),
            settings: settings(),
            config_version: 1,
        })
        .await
        .unwrap();
    a
}

/// Moves a report to another status as the process handlers would.
pub fn transition(r: &Report, to: Status, at: i64, comment: &str) -> ReportWrite {
    let mut next = r.clone();
    next.status = to;
    next.updated_at = t(at);
    ReportWrite {
        report: next,
        audit: vec![AuditEntry {
            report_id: r.id,
            at: t(at),
            actor: Actor::Staff {
                user: UserId::new_random(),
                name: "Frau Petersen".into(),
            },
            action: AuditAction::StatusChanged {
                from: r.status,
                to,
                request: None,
                photos: Vec::new(),
            },
            public_comment: Some(comment.into()),
        }],
        events: vec![PublicEvent::Status(PublicStatusChange {
            from: Some(r.status),
            to,
            comment: Some(comment.into()),
            at: t(at),
            photos: Vec::new(),
        })],
        jobs: Vec::new(),
        subscription: None,
    }
}

pub async fn device(store: &dyn Store) -> DeviceId {
    let id = DeviceId::new_random();
    store
        .create_device(id, format!("token-{id}"), Some("linux".into()), None)
        .await
        .unwrap();
    id
}

pub fn staff(municipality: &Ags, username: &str, role: Role) -> StaffUser {
    StaffUser {
        id: UserId::new_random(),
        municipality: municipality.clone(),
        username: username.into(),
        display_name: username.to_uppercase(),
        role,
        department: None,
        active: true,
        email: None,
        mail: Default::default(),
    }
}

pub fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}
