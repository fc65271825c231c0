//! The field worker's side: the staff session (signing in is in `login.rs`), the assigned
//! cases kept offline, and actions queued offline (transition, internal note, message to
//! the citizen) that are sent in order with idempotency keys. An action the server refuses is kept as conflicted with
//! the server's reason until the worker dismisses it; it is never dropped silently.

use futures_util::stream::{self, StreamExt};
use rusqlite::{OptionalExtension, params};

use augenmerk_domain::api::{NewMessage, NewNote, TransitionRequest};
use augenmerk_domain::audit::AuditAction;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::staff::{StaffReportDetail, StaffUser};
use augenmerk_domain::{ActionId, BlobHash, MessageId, NoteId, ReportId, Status};

use crate::error::{ClientError, RemoteError, Result};
use crate::model::{ActionState, FieldAction, LocalAction, LocalCase};
use crate::retry::with_retry;
use crate::sync::SyncSummary;
use crate::text::checked_text;
use crate::{Client, time};

// The staff session in the `meta` table (written at sign-in, see `login.rs`).
pub(crate) const STAFF_TOKEN: &str = "staff_token";
pub(crate) const STAFF_USER: &str = "staff_user";
pub(crate) const STAFF_EXPIRES: &str = "staff_expires_at";

/// Cases per page when pulling.
const CASE_PAGE: u32 = 200;

/// The states of actions that still need the worker or the server: their case is kept.
fn open_action_states() -> [&'static str; 2] {
    [ActionState::Pending.as_str(), ActionState::Conflicted.as_str()]
}

impl Client {
    /// Ends the staff session (pending actions stay queued for the next login).
    pub async fn logout(&self) -> Result<()> {
        if let (Some(token), Ok(api)) = (self.staff_token()?, self.api()) {
            // Best effort: the local session ends even if the server cannot be reached.
            if let Err(e) = api.logout(&token).await {
                tracing::info!(error = %e, "could not end the session on the server");
            }
        }
        self.delete_meta(&[STAFF_TOKEN, STAFF_USER, STAFF_EXPIRES])
    }

    /// The logged-in staff member, if any.
    pub fn staff_user(&self) -> Result<Option<StaffUser>> {
        Ok(self.meta(STAFF_USER)?.and_then(|u| serde_json::from_str(&u).ok()))
    }

    pub(crate) fn staff_token(&self) -> Result<Option<String>> {
        self.meta(STAFF_TOKEN)
    }

    /// The cases on this device, soonest due first.
    pub fn cases(&self) -> Result<Vec<LocalCase>> {
        let rows: Vec<(String, String)> = self.db(|c| {
            let mut stmt = c.prepare("SELECT detail, fetched_at FROM cases")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let actions = self.actions()?;
        let mut cases: Vec<LocalCase> = rows
            .into_iter()
            .filter_map(|(detail, fetched)| {
                let detail: StaffReportDetail = serde_json::from_str(&detail).ok()?;
                Some(self.local_case(detail, time::parse(&fetched), &actions))
            })
            .collect();
        cases.sort_by(|a, b| {
            let due = |c: &LocalCase| {
                c.detail
                    .report
                    .due_at
                    .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
            };
            due(a)
                .cmp(&due(b))
                .then(a.detail.report.received_at.cmp(&b.detail.report.received_at))
        });
        Ok(cases)
    }

    /// One case.
    pub fn case(&self, id: &ReportId) -> Result<LocalCase> {
        let row: Option<(String, String)> = self.db(|c| {
            Ok(c.query_row(
                "SELECT detail, fetched_at FROM cases WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        let (detail, fetched) = row.ok_or_else(|| ClientError::NotFound(format!("case {id}")))?;
        let detail: StaffReportDetail =
            serde_json::from_str(&detail).map_err(|e| ClientError::NotFound(format!("case {id}: {e}")))?;
        Ok(self.local_case(detail, time::parse(&fetched), &self.actions()?))
    }

    fn local_case(
        &self,
        detail: StaffReportDetail,
        fetched_at: chrono::DateTime<chrono::Utc>,
        all: &[LocalAction],
    ) -> LocalCase {
        let actions: Vec<LocalAction> = all
            .iter()
            .filter(|a| {
                a.case_id == detail.report.id && matches!(a.state, ActionState::Pending | ActionState::Conflicted)
            })
            .cloned()
            .collect();
        let local_status = expected_status(detail.report.status, &actions);
        LocalCase {
            detail,
            local_status,
            actions,
            fetched_at,
        }
    }

    /// All actions on this device, oldest first.
    pub fn actions(&self) -> Result<Vec<LocalAction>> {
        let rows: Vec<(String, String, String, String, Option<String>, String)> = self.db(|c| {
            let mut stmt =
                c.prepare("SELECT id, case_id, payload, state, error, created_at FROM actions ORDER BY seq")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, case, payload, state, error, at)| {
                Some(LocalAction {
                    id: id.parse().ok()?,
                    case_id: case.parse().ok()?,
                    action: serde_json::from_str(&payload).ok()?,
                    state: ActionState::parse(&state)?,
                    error,
                    created_at: time::parse(&at),
                })
            })
            .collect())
    }

    /// Queues a status change (with a public comment and completion photos captured
    /// before); checked against the process as the worker sees the case. `expected` is the
    /// status the worker saw: if the case moved on this device meanwhile (another queued
    /// transition), nothing is queued ([`ClientError::CaseMoved`]); `None` takes the case
    /// as it is now (the command line, which shows nothing before).
    pub fn queue_transition(
        &self,
        case: &ReportId,
        to: Status,
        expected: Option<Status>,
        comment: Option<String>,
        photos: Vec<BlobHash>,
    ) -> Result<ActionId> {
        let current = self.case(case)?;
        if let Some(expected) = expected
            && expected != current.local_status
        {
            return Err(ClientError::CaseMoved {
                expected,
                current: current.local_status,
            });
        }
        if !current.local_status.can_move_to(to) {
            return Err(ClientError::Invalid(vec![FieldError::new("to", "illegal_transition")]));
        }
        if to.needs_target() {
            // These need a choice (authority, original) the field app does not offer.
            return Err(ClientError::Invalid(vec![FieldError::new("to", "not_from_the_field")]));
        }
        let comment = augenmerk_domain::text::parse_comment("public_comment", comment.as_deref())
            .map_err(|e| ClientError::Invalid(vec![e]))?;
        self.check_photos(&photos)?;
        self.queue_action(
            case,
            FieldAction::Transition {
                to,
                expected: current.local_status,
                comment,
                photos,
            },
        )
    }

    /// Queues an internal note.
    pub fn queue_note(&self, case: &ReportId, body: &str) -> Result<ActionId> {
        self.case(case)?;
        let body = checked_text(body)?;
        self.queue_action(case, FieldAction::Note { body })
    }

    /// Queues a message to the citizen.
    pub fn queue_case_message(&self, case: &ReportId, body: &str) -> Result<ActionId> {
        self.case(case)?;
        let body = checked_text(body)?;
        self.queue_action(case, FieldAction::Message { body })
    }

    /// The worker has seen a conflicted action: stop showing it.
    pub fn dismiss_action(&self, id: &ActionId) -> Result<()> {
        let n = self.db(|c| {
            Ok(c.execute(
                "UPDATE actions SET state = ?2 WHERE id = ?1 AND state = ?3",
                params![
                    id.to_string(),
                    ActionState::Dismissed.as_str(),
                    ActionState::Conflicted.as_str()
                ],
            )?)
        })?;
        if n == 0 {
            return Err(ClientError::NotFound(format!("conflicted action {id}")));
        }
        Ok(())
    }

    fn check_photos(&self, photos: &[BlobHash]) -> Result<()> {
        self.db(|c| {
            for h in photos {
                let known: bool = c.query_row(
                    "SELECT EXISTS (SELECT 1 FROM photos WHERE hash = ?1)",
                    [h.as_str()],
                    |r| r.get(0),
                )?;
                if !known {
                    return Err(ClientError::Invalid(vec![FieldError::new("photos", "not_captured")]));
                }
            }
            Ok(())
        })
    }

    fn queue_action(&self, case: &ReportId, action: FieldAction) -> Result<ActionId> {
        let id = ActionId::new_random();
        let payload = serde_json::to_string(&action).map_err(|e| ClientError::Server(e.to_string()))?;
        self.db(|c| {
            c.execute(
                "INSERT INTO actions (id, case_id, kind, payload, state, created_at) VALUES (?1, ?2, ?3, ?4, ?6, ?5)",
                params![
                    id.to_string(),
                    case.to_string(),
                    action.kind(),
                    payload,
                    time::ts(&time::now()),
                    ActionState::Pending.as_str()
                ],
            )?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Sends pending actions in order. A refused action is marked conflicted and the
    /// case's later actions still go (each is checked by the server on its own).
    pub(crate) async fn push_actions(&self, summary: &mut SyncSummary) -> Result<()> {
        let Some(token) = self.staff_token()? else {
            return Ok(());
        };
        let api = self.api()?;
        let pending: Vec<LocalAction> = self
            .actions()?
            .into_iter()
            .filter(|a| a.state == ActionState::Pending)
            .collect();
        for action in pending {
            let case = action.case_id;
            let result: std::result::Result<(), RemoteError> = match &action.action {
                FieldAction::Transition {
                    to,
                    expected,
                    comment,
                    photos,
                } => {
                    let req = TransitionRequest {
                        to: *to,
                        public_comment: comment.clone(),
                        forward_to: None,
                        duplicate_of: None,
                        expected_status: Some(*expected),
                        id: Some(action.id),
                        photos: photos.clone(),
                    };
                    let mut outcome = Ok(());
                    // Twice at most: a server that lost a photo we believed it had gets it again.
                    for _ in 0..2 {
                        for h in photos {
                            match self.upload_photo(&token, h).await {
                                Ok(_) => {}
                                Err(ClientError::Remote(e)) if e.status() == Some(401) => {
                                    return Err(self.session_expired(e));
                                }
                                Err(ClientError::Remote(e)) => {
                                    outcome = Err(e);
                                    break;
                                }
                                Err(e) => return Err(e),
                            }
                        }
                        if outcome.is_err() {
                            break;
                        }
                        outcome = with_retry(&self.options.retry, || api.transition(&token, &case, &req))
                            .await
                            .map(drop);
                        match &outcome {
                            Err(e) if e.code() == Some("unknown_blob") => self.mark_photos_missing(photos)?,
                            _ => break,
                        }
                    }
                    outcome
                }
                FieldAction::Note { body } => {
                    let req = NewNote {
                        id: Some(NoteId(action.id.0)),
                        body: body.clone(),
                    };
                    with_retry(&self.options.retry, || api.note(&token, &case, &req))
                        .await
                        .map(drop)
                }
                FieldAction::Message { body } => {
                    let req = NewMessage {
                        id: Some(MessageId(action.id.0)),
                        body: body.clone(),
                    };
                    with_retry(&self.options.retry, || api.staff_message(&token, &case, &req))
                        .await
                        .map(drop)
                }
            };
            match result {
                Ok(()) => {
                    self.finish_action(&action.id, ActionState::Done, None)?;
                    summary.actions_done += 1;
                }
                Err(e) if e.status() == Some(401) => return Err(self.session_expired(e)),
                Err(e) if !e.is_transient() => {
                    self.finish_action(&action.id, ActionState::Conflicted, Some(&conflict_reason(&e)))?;
                    summary.actions_conflicted += 1;
                }
                // The network is gone: keep this and all later actions for the next run.
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn session_expired(&self, e: RemoteError) -> ClientError {
        tracing::info!(error = %e, "staff session no longer valid");
        match self.delete_meta(&[STAFF_TOKEN]) {
            Ok(()) => ClientError::NotLoggedIn,
            Err(db) => db,
        }
    }

    fn finish_action(&self, id: &ActionId, state: ActionState, error: Option<&str>) -> Result<()> {
        self.db(|c| {
            c.execute(
                "UPDATE actions SET state = ?2, error = ?3, done_at = ?4 WHERE id = ?1",
                params![id.to_string(), state.as_str(), error, time::ts(&time::now())],
            )?;
            Ok(())
        })
    }

    /// Pulls the open cases the worker may see (their own and their department's), with
    /// their photos; drops local cases that are no longer theirs unless actions wait.
    pub(crate) async fn pull_cases(&self, summary: &mut SyncSummary) -> Result<()> {
        let Some(token) = self.staff_token()? else {
            return Ok(());
        };
        let api = self.api()?;
        let statuses = "received,assigned,in_progress";
        let mut listed = Vec::new();
        let mut page = 1;
        loop {
            let result = with_retry(&self.options.retry, || {
                api.staff_reports(&token, statuses, page, CASE_PAGE)
            })
            .await;
            let items = match result {
                Ok(p) => p,
                Err(e) if e.status() == Some(401) => return Err(self.session_expired(e)),
                Err(e) => return Err(e.into()),
            };
            let n = items.items.len();
            listed.extend(items.items.into_iter().map(|s| (s.report.id, s.report.updated_at)));
            if n < CASE_PAGE as usize || u64::from(page) * u64::from(CASE_PAGE) >= items.total {
                break;
            }
            page += 1;
        }
        let known: Vec<(String, String)> = self.db(|c| {
            let mut stmt = c.prepare("SELECT id, updated_at FROM cases")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        // Cases with actions of this worker are refreshed too, so the result (e.g. "resolved") shows.
        let touched: Vec<ReportId> = self
            .actions()?
            .iter()
            .filter(|a| a.state != ActionState::Dismissed)
            .map(|a| a.case_id)
            .collect();
        let mut wanted: Vec<ReportId> = listed
            .iter()
            .filter(|(id, updated)| {
                !known
                    .iter()
                    .any(|(k, u)| *k == id.to_string() && time::parse(u) == *updated)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in &touched {
            if !wanted.contains(id) && known.iter().any(|(k, _)| *k == id.to_string()) {
                wanted.push(*id);
            }
        }
        let results: Vec<Result<bool>> = stream::iter(wanted)
            .map(|id| self.pull_case(&token, id))
            .buffer_unordered(self.options.parallel_requests.max(1) * 2)
            .collect()
            .await;
        for r in results {
            if r? {
                summary.cases_pulled += 1;
            }
        }
        // Drop cases that left the worker's list, but keep those with pending or conflicted actions.
        let keep: Vec<String> = listed.iter().map(|(id, _)| id.to_string()).collect();
        self.db(|c| {
            let mut stmt = c.prepare(
                "SELECT id FROM cases WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.case_id = cases.id AND a.state IN (?1, ?2))",
            )?;
            let ids: Vec<String> = stmt
                .query_map(open_action_states(), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids.iter().filter(|i| !keep.contains(i)) {
                c.execute("DELETE FROM cases WHERE id = ?1", [id])?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Fetches one case and its photos; `false` if it is no longer visible.
    async fn pull_case(&self, token: &str, id: ReportId) -> Result<bool> {
        let api = self.api()?;
        let detail = match with_retry(&self.options.retry, || api.staff_report(token, &id)).await {
            Ok(d) => d,
            Err(e) if crate::api::is_not_found(&e) => {
                // No longer visible to this worker; kept while the worker's actions need it.
                self.db(|c| {
                    c.execute(
                        "DELETE FROM cases WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM actions a
                             WHERE a.case_id = cases.id AND a.state IN (?2, ?3))",
                        params![
                            id.to_string(),
                            ActionState::Pending.as_str(),
                            ActionState::Conflicted.as_str()
                        ],
                    )?;
                    Ok(())
                })?;
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        let mut photos = detail.report.photos.clone();
        for a in &detail.audit {
            if let AuditAction::StatusChanged { photos: p, .. } = &a.action {
                photos.extend(p.iter().cloned());
            }
        }
        for hash in photos {
            if self.photos.contains(&hash) {
                continue;
            }
            let bytes = with_retry(&self.options.retry, || api.get_blob(token, &hash)).await?;
            // Kept under the server's name even if the bytes differ: the server strips
            // metadata from uploads of other clients and keeps the address they chose.
            self.photos.put_named(&hash, &bytes)?;
            self.db(|c| {
                c.execute(
                    "INSERT INTO photos (hash, size, origin, on_server, created_at) VALUES (?1, ?2, 'downloaded', 1, ?3)
                     ON CONFLICT (hash) DO NOTHING",
                    params![hash.as_str(), bytes.len() as i64, time::ts(&time::now())],
                )?;
                Ok(())
            })?;
        }
        let json = serde_json::to_string(&detail).map_err(|e| ClientError::Server(e.to_string()))?;
        self.db(|c| {
            c.execute(
                "INSERT INTO cases (id, detail, updated_at, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET detail = excluded.detail, updated_at = excluded.updated_at,
                     fetched_at = excluded.fetched_at",
                params![
                    id.to_string(),
                    json,
                    time::ts(&detail.report.updated_at),
                    time::ts(&time::now())
                ],
            )?;
            Ok(())
        })?;
        Ok(true)
    }
}

/// The status a case will have once its pending transitions are applied.
fn expected_status(server: Status, actions: &[LocalAction]) -> Status {
    actions
        .iter()
        .filter(|a| a.state == ActionState::Pending)
        .fold(server, |status, a| match &a.action {
            FieldAction::Transition { to, .. } => *to,
            _ => status,
        })
}

/// Why the server refused a field worker's action, as the case page shows it: with the
/// HTTP status (staff pass it on to support), then the engine's wording of the refusal.
fn conflict_reason(e: &RemoteError) -> String {
    match e {
        RemoteError::Status {
            status,
            code,
            message,
            details,
            ..
        } => {
            let details: Vec<(String, String)> = details.iter().map(|d| (d.field.clone(), d.problem.clone())).collect();
            format!(
                "{status}: {}",
                augenmerk_sync::refusal_reason(code.as_deref(), message, &details)
            )
        }
        _ => e.to_string(),
    }
}
