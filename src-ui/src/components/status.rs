//! A report's status (and its way to the server) as a badge, and its history.

use leptos::prelude::*;

use augenmerk_domain::Status;
use augenmerk_domain::device::SyncState;
use augenmerk_domain::public::PublicStatusChange;

use crate::format;
use crate::i18n::use_i18n;

/// KERN badge variant for a status.
fn badge_class(status: Status) -> &'static str {
    match status {
        Status::Received | Status::Assigned => "kern-badge kern-badge--info",
        Status::InProgress => "kern-badge kern-badge--warning",
        Status::Resolved | Status::Closed => "kern-badge kern-badge--success",
        Status::Rejected => "kern-badge kern-badge--danger",
        _ => "kern-badge",
    }
}

/// The status of a report; before the server acknowledged it, its place in the queue; a
/// report mailed to an administration not on the platform says where it went.
#[component]
pub fn StatusBadge(
    status: Option<Status>,
    sync_state: SyncState,
    /// The administration the report was sent to by e-mail.
    #[prop(optional_no_strip)]
    mailed_to: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let lang = i18n.lang();
        match (sync_state, status) {
            (SyncState::Sent, Some(_)) if mailed_to.is_some() => view! {
                <span class="kern-badge kern-badge--info" data-testid="status-mailed">
                    <span class="kern-label kern-label--small">
                        {i18n.t_args("state-mailed", &[("to", mailed_to.clone().unwrap_or_default().into())])}
                    </span>
                </span>
            }
            .into_any(),
            (SyncState::Queued, _) => view! {
                <span class="kern-badge kern-badge--warning">
                    <span class="kern-label kern-label--small">{i18n.t("state-waiting-for-network")}</span>
                </span>
            }
            .into_any(),
            (SyncState::Rejected, _) => view! {
                <span class="kern-badge kern-badge--danger">
                    <span class="kern-label kern-label--small">{i18n.t("state-rejected")}</span>
                </span>
            }
            .into_any(),
            (SyncState::Sent, Some(s)) => view! {
                <span class=badge_class(s)>
                    <span class="kern-label kern-label--small">{lang.pick(&s.label()).to_owned()}</span>
                </span>
            }
            .into_any(),
            (SyncState::Sent, None) => view! {
                <span class="kern-badge kern-badge--info">
                    <span class="kern-label kern-label--small">{i18n.t("state-sent")}</span>
                </span>
            }
            .into_any(),
        }
    }
}

/// The status history with its public comments, oldest first (the reporter's views on
/// the device and behind the status link).
#[component]
pub fn StatusHistory(history: Vec<PublicStatusChange>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <ol class="timeline" data-testid="status-history">
            {history.into_iter().map(|h| view! {
                <li class="timeline__item">
                    <span class="kern-body kern-body--bold">{lang.pick(&h.to.label()).to_owned()}</span>
                    <span class="kern-body kern-body--small kern-body--muted">{format::date_time(lang, h.at)}</span>
                    {h.comment.map(|c| view! { <p class="kern-body">{c}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
}
