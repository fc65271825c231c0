//! Routing: applying the decisive rule's action ([`crate::rules::evaluate`]) to a report.
//!
//! Pure: the report changes in place, and what the change means for the audit trail and
//! the citizen's status feed comes back as [`Routed`] for the caller to store with it.
//! Intake, re-routing by staff and taking in mailed reports all route this way.

use chrono::{DateTime, Duration, Utc};

use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::ids::ReportId;
use crate::process::Status;
use crate::public::PublicStatusChange;
use crate::report::Report;
use crate::rules::{RuleAction, RuleEvaluation};
use crate::staff::ExternalAuthority;

/// What routing changed: an audit entry for each change (the first names the rule) and
/// the status change the citizen sees, if the status moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    /// In the order they happened.
    pub audit: Vec<AuditEntry>,
    /// For the citizen's feed.
    pub status_change: Option<PublicStatusChange>,
}

/// Applies a rule evaluation's action to a report: department and assignee, priority,
/// due date (counted from arrival), forwarding to an external authority (one of
/// `authorities`, whose name the citizen is told), and the status that follows
/// (forwarded, or assigned when somebody is responsible now) where the process allows it.
pub fn apply_routing(
    report: &mut Report,
    evaluation: &RuleEvaluation,
    authorities: &[ExternalAuthority],
    actor: Actor,
    now: DateTime<Utc>,
) -> Routed {
    let mut trail = Trail {
        report_id: report.id,
        at: now,
        actor,
        audit: Vec::new(),
    };
    trail.record(
        AuditAction::Routed {
            rule: evaluation.matched.clone(),
        },
        None,
    );
    report.routed_by = evaluation.matched.clone();
    let action = &evaluation.action;
    assign(report, action, &mut trail);
    if let Some(p) = action.priority
        && p != report.priority
    {
        trail.record(
            AuditAction::PriorityChanged {
                from: report.priority,
                to: p,
            },
            None,
        );
        report.priority = p;
    }
    if let Some(hours) = action.due_hours {
        let due = report.received_at + Duration::hours(i64::from(hours));
        if report.due_at != Some(due) {
            trail.record(
                AuditAction::DueChanged {
                    from: report.due_at,
                    to: Some(due),
                },
                None,
            );
            report.due_at = Some(due);
        }
    }
    let status_change = forward_or_assign(report, action, authorities, &mut trail);
    Routed {
        audit: trail.audit,
        status_change,
    }
}

/// The audit entries of one routing, all by the same actor at the same time.
struct Trail {
    report_id: ReportId,
    at: DateTime<Utc>,
    actor: Actor,
    audit: Vec<AuditEntry>,
}

impl Trail {
    fn record(&mut self, action: AuditAction, public_comment: Option<String>) {
        self.audit.push(AuditEntry {
            report_id: self.report_id,
            at: self.at,
            actor: self.actor.clone(),
            action,
            public_comment,
        });
    }
}

/// The action's department and assignee, each where it names one.
fn assign(report: &mut Report, action: &RuleAction, trail: &mut Trail) {
    if action.department.is_none() && action.assignee.is_none() {
        return;
    }
    let (from_department, from_user) = (report.department.clone(), report.assignee);
    if action.department.is_some() {
        report.department = action.department.clone();
    }
    if action.assignee.is_some() {
        report.assignee = action.assignee;
    }
    if (from_department.as_ref(), from_user) != (report.department.as_ref(), report.assignee) {
        trail.record(
            AuditAction::Assigned {
                from_department,
                to_department: report.department.clone(),
                from_user,
                to_user: report.assignee,
            },
            None,
        );
    }
}

/// Forwards the report when the action says so, and moves it to forwarded (or to
/// assigned when somebody is responsible now) where the process allows; the citizen is
/// told, with the authority's name when it was forwarded.
fn forward_or_assign(
    report: &mut Report,
    action: &RuleAction,
    authorities: &[ExternalAuthority],
    trail: &mut Trail,
) -> Option<PublicStatusChange> {
    let target = if let Some(authority) = &action.forward_to {
        report.forwarded_to = Some(authority.clone());
        trail.record(
            AuditAction::ForwardedTo {
                authority: authority.clone(),
            },
            None,
        );
        Status::Forwarded
    } else if report.department.is_some() || report.assignee.is_some() {
        Status::Assigned
    } else {
        return None;
    };
    if report.status == target || !report.status.can_move_to(target) {
        return None;
    }
    let comment = (target == Status::Forwarded).then(|| {
        let name = report
            .forwarded_to
            .as_ref()
            .and_then(|id| authorities.iter().find(|a| &a.id == id))
            .map(|a| a.name.clone())
            .unwrap_or_default();
        format!("Weitergeleitet an die zuständige Stelle: {name}")
    });
    trail.record(
        AuditAction::StatusChanged {
            from: report.status,
            to: target,
            request: None,
            photos: Vec::new(),
        },
        comment.clone(),
    );
    let change = PublicStatusChange {
        from: Some(report.status),
        to: target,
        comment,
        at: trail.at,
        photos: Vec::new(),
    };
    report.status = target;
    Some(change)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::report::Priority;
    use crate::rules::Rule;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().expect("valid time")
    }

    /// A report as intake builds it: received, routed to nobody yet.
    fn received() -> Report {
        serde_json::from_value(json!({
            "id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "municipality": "01001000", "gemeinde": "01001000", "device_id": null,
            "category": "schlagloch", "answers": {}, "description": "",
            "location": {"lat": 54.78, "lon": 9.43}, "address_hint": null, "photos": [],
            "contact_email": null, "consent": false, "consent_version": null,
            "status": "received", "priority": "normal", "due_at": null,
            "department": null, "assignee": null, "forwarded_to": null,
            "duplicate_of": null, "routed_by": null, "channel": "app",
            "created_at": now(), "received_at": now(), "updated_at": now()
        }))
        .expect("report")
    }

    fn evaluation(rule: serde_json::Value) -> RuleEvaluation {
        let rule: Rule = serde_json::from_value(rule).expect("rule");
        RuleEvaluation {
            matched: Some(rule.id),
            action: rule.action,
            trace: Vec::new(),
        }
    }

    fn authorities() -> Vec<ExternalAuthority> {
        serde_json::from_value(json!([{"id": "lbv-sh", "name": "LBV.SH"}])).expect("authorities")
    }

    #[test]
    fn a_department_rule_assigns_sets_priority_and_due_date_and_tells_the_citizen() {
        let mut report = received();
        let routed = apply_routing(
            &mut report,
            &evaluation(json!({"id": "gefahr", "name": "Gefahr", "conditions": [],
                "action": {"department": "tiefbau", "priority": "urgent", "due_hours": 4}})),
            &authorities(),
            Actor::System,
            now(),
        );
        assert_eq!(report.department.as_ref().map(|d| d.as_str()), Some("tiefbau"));
        assert_eq!(report.priority, Priority::Urgent);
        assert_eq!(report.due_at, Some(now() + Duration::hours(4)));
        assert_eq!(report.status, Status::Assigned);
        assert_eq!(report.routed_by.as_ref().map(|r| r.as_str()), Some("gefahr"));
        let actions: Vec<&AuditAction> = routed.audit.iter().map(|e| &e.action).collect();
        assert!(matches!(
            actions.as_slice(),
            [
                AuditAction::Routed { .. },
                AuditAction::Assigned { .. },
                AuditAction::PriorityChanged { .. },
                AuditAction::DueChanged { .. },
                AuditAction::StatusChanged {
                    from: Status::Received,
                    to: Status::Assigned,
                    ..
                },
            ]
        ));
        let change = routed.status_change.expect("status change");
        assert_eq!(
            (change.from, change.to, change.comment),
            (Some(Status::Received), Status::Assigned, None)
        );
    }

    #[test]
    fn forwarding_names_the_authority_in_the_public_comment() {
        let mut report = received();
        let routed = apply_routing(
            &mut report,
            &evaluation(json!({"id": "landesstrasse", "name": "L", "conditions": [],
                "action": {"forward_to": "lbv-sh"}})),
            &authorities(),
            Actor::System,
            now(),
        );
        assert_eq!(report.status, Status::Forwarded);
        assert_eq!(report.forwarded_to.as_ref().map(|a| a.as_str()), Some("lbv-sh"));
        let comment = "Weitergeleitet an die zuständige Stelle: LBV.SH";
        assert_eq!(routed.status_change.and_then(|c| c.comment).as_deref(), Some(comment));
        assert_eq!(
            routed.audit.last().and_then(|e| e.public_comment.as_deref()),
            Some(comment)
        );
    }

    #[test]
    fn no_matching_rule_is_recorded_and_changes_nothing_else() {
        let mut report = received();
        let before = report.clone();
        let routed = apply_routing(
            &mut report,
            &RuleEvaluation {
                matched: None,
                action: RuleAction::default(),
                trace: Vec::new(),
            },
            &[],
            Actor::System,
            now(),
        );
        assert_eq!(report, before);
        assert_eq!(routed.audit.len(), 1);
        assert!(matches!(routed.audit[0].action, AuditAction::Routed { rule: None }));
        assert_eq!(routed.status_change, None);
    }

    #[test]
    fn routing_again_to_the_same_place_records_only_the_rule() {
        let mut report = received();
        let rule = evaluation(json!({"id": "strasse", "name": "S", "conditions": [],
            "action": {"department": "tiefbau", "due_hours": 240}}));
        apply_routing(&mut report, &rule, &[], Actor::System, now());
        let routed = apply_routing(&mut report, &rule, &[], Actor::System, now());
        assert_eq!(routed.audit.len(), 1);
        assert_eq!(routed.status_change, None);
    }
}
