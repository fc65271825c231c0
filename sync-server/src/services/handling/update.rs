//! Changing a report's routing by hand: category, department and assignee, priority,
//! due date, or routing it again by the rules. Each part of a request is checked, then
//! applied to the next version of the report with its audit entries; the whole change
//! is stored at once (or, when nothing changed, not at all).

use chrono::{DateTime, Utc};

use augenmerk_domain::api::ReportUpdate;
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::StaffUser;
use augenmerk_domain::{CategoryId, ReportId, Status};
use augenmerk_store::PublicEvent;

use super::{Change, entry, staff_actor, store_change, visible_report};
use crate::error::{ApiError, ApiResult};
use crate::services::intake;
use crate::state::{AppState, Tenant};

/// Re-categorises, re-assigns, re-prioritises or re-routes a report.
pub async fn update(state: &AppState, user: &StaffUser, id: &ReportId, req: ReportUpdate) -> ApiResult<Report> {
    let report = visible_report(state, user, id).await?;
    let tenant = state.tenant(&user.municipality).await?;
    let mut draft = Draft {
        next: report.clone(),
        audit: Vec::new(),
        events: Vec::new(),
        actor: staff_actor(user),
        now: Utc::now(),
    };
    if let Some(category) = req.category.clone()
        && category != report.category
    {
        recategorise(&tenant, &mut draft, category)?;
    }
    check_assignment(state, &tenant, user, &req).await?;
    draft.reassign(&req);
    if let Some(p) = req.priority
        && p != draft.next.priority
    {
        draft.record(AuditAction::PriorityChanged {
            from: draft.next.priority,
            to: p,
        });
        draft.next.priority = p;
    }
    if let Some(due) = req.due_at
        && Some(due) != draft.next.due_at
    {
        draft.record(AuditAction::DueChanged {
            from: draft.next.due_at,
            to: Some(due),
        });
        draft.next.due_at = Some(due);
    }
    if req.reroute {
        draft.reroute(&tenant)?;
    }
    if draft.audit.is_empty() {
        return Ok(report);
    }
    let Draft {
        mut next,
        audit,
        events,
        now,
        ..
    } = draft;
    next.updated_at = now;
    let change = Change {
        before: &report,
        audit,
        events,
        comment: None,
        at: now,
    };
    store_change(state, &tenant, next.clone(), change).await?;
    Ok(next)
}

/// The next version of a report, with what changed so far.
struct Draft {
    next: Report,
    audit: Vec<AuditEntry>,
    events: Vec<PublicEvent>,
    actor: Actor,
    now: DateTime<Utc>,
}

impl Draft {
    fn record(&mut self, action: AuditAction) {
        self.audit.push(entry(&self.next, self.now, &self.actor, action));
    }

    /// Applies the department and assignee asked for (checked before); a received report
    /// that somebody is now responsible for becomes assigned, and the citizen sees it.
    fn reassign(&mut self, req: &ReportUpdate) {
        let new_department = req.department.clone().or_else(|| self.next.department.clone());
        let new_assignee = if req.clear_assignee {
            None
        } else {
            req.assignee.or(self.next.assignee)
        };
        if (new_department.as_ref(), new_assignee) == (self.next.department.as_ref(), self.next.assignee) {
            return;
        }
        self.record(AuditAction::Assigned {
            from_department: self.next.department.clone(),
            to_department: new_department.clone(),
            from_user: self.next.assignee,
            to_user: new_assignee,
        });
        self.next.department = new_department;
        self.next.assignee = new_assignee;
        if self.next.status == Status::Received && (self.next.department.is_some() || self.next.assignee.is_some()) {
            self.record(AuditAction::StatusChanged {
                from: Status::Received,
                to: Status::Assigned,
                request: None,
                photos: Vec::new(),
            });
            self.events.push(PublicEvent::Status(PublicStatusChange {
                from: Some(Status::Received),
                to: Status::Assigned,
                comment: None,
                at: self.now,
                photos: Vec::new(),
            }));
            self.next.status = Status::Assigned;
        }
    }

    /// Routes an open report again by the municipality's rules.
    fn reroute(&mut self, tenant: &Tenant) -> ApiResult<()> {
        if !self.next.status.is_open() {
            return Err(ApiError::new(ErrorCode::IllegalTransition).context(
                serde_json::json!({ "reason": "only open reports can be re-routed", "status": self.next.status }),
            ));
        }
        let evaluation = intake::route(tenant, &self.next);
        intake::apply_routing(
            tenant,
            &mut self.next,
            &evaluation,
            self.actor.clone(),
            self.now,
            &mut self.audit,
            &mut self.events,
        );
        Ok(())
    }
}

/// Moves a report to another offered leaf category, keeping the answers the new
/// category also asks; the others no longer apply.
fn recategorise(tenant: &Tenant, draft: &mut Draft, category: CategoryId) -> ApiResult<()> {
    let tree = &tenant.record.categories;
    let cat = tree.find(&category).ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownCategory).context(serde_json::json!({ "category": category.as_str() }))
    })?;
    if !cat.subcategories.is_empty() {
        return Err(FieldError::new("category", "not_a_leaf").into());
    }
    if !tree.is_offered(&category) {
        return Err(FieldError::new("category", "inactive").into());
    }
    let questions = tree.effective_questions(&category).unwrap_or_default();
    draft.next.answers.retain(|q, _| questions.iter().any(|x| &x.id == q));
    draft.record(AuditAction::Recategorised {
        from: draft.next.category.clone(),
        to: category.clone(),
    });
    draft.next.category = category;
    Ok(())
}

/// A department asked for must be the municipality's; a person, an active account of it.
async fn check_assignment(state: &AppState, tenant: &Tenant, user: &StaffUser, req: &ReportUpdate) -> ApiResult<()> {
    if let Some(department) = &req.department
        && !tenant.departments.iter().any(|d| &d.id == department)
    {
        return Err(FieldError::new("department", "unknown_department").into());
    }
    if let Some(assignee) = &req.assignee {
        let person = state
            .store
            .get_user(&user.municipality, assignee)
            .await
            .map_err(|_| ApiError::validation(vec![FieldError::new("assignee", "unknown_user")]))?;
        if !person.active {
            return Err(FieldError::new("assignee", "inactive_user").into());
        }
    }
    Ok(())
}
