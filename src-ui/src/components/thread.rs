//! The message thread between citizen and municipality, as the citizen's report page, the
//! field worker's case and the console's case show it: one list, one markup (the browser
//! tests find the messages by `data-testid` and `data-author`).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use augenmerk_domain::device::{LocalMessage, SyncState};
use augenmerk_domain::public::MessageAuthor;
use augenmerk_domain::staff::StaffMessage;

use crate::format;
use crate::i18n::use_i18n;

/// One message of a thread, whichever list it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadMessage {
    /// Citizen or municipality.
    pub author: MessageAuthor,
    /// The staff member's name (staff views only; the citizen sees "municipality").
    pub staff_name: Option<String>,
    /// Text.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// A reply that still waits for the network.
    pub queued: bool,
    /// A citizen's message no staff message answered yet (staff views only).
    pub unanswered: bool,
}

impl From<&StaffMessage> for ThreadMessage {
    fn from(m: &StaffMessage) -> Self {
        Self {
            author: m.author,
            staff_name: m.staff_author_name.clone(),
            body: m.body.clone(),
            created_at: m.created_at,
            queued: false,
            unanswered: false,
        }
    }
}

impl From<&LocalMessage> for ThreadMessage {
    fn from(m: &LocalMessage) -> Self {
        Self {
            author: m.author,
            staff_name: None,
            body: m.body.clone(),
            created_at: m.created_at,
            queued: m.sync_state == SyncState::Queued,
            unanswered: false,
        }
    }
}

/// The list of messages (`<ul class="thread">`). `citizen` is the text key naming the
/// citizen ("you" on their own page); `testid` marks each message for the tests.
#[component]
pub fn MessageThread(messages: Vec<ThreadMessage>, citizen: &'static str, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <ul class="thread">
            {messages.into_iter().map(|m| {
                let (author, class) = match m.author {
                    MessageAuthor::Citizen => ("citizen", "message message--citizen"),
                    MessageAuthor::Municipality => ("municipality", "message message--municipality"),
                };
                let who = {
                    let name = m.staff_name.clone();
                    move || match m.author {
                        MessageAuthor::Citizen => i18n.t(citizen),
                        MessageAuthor::Municipality => name.clone().unwrap_or_else(|| i18n.t("message-municipality")),
                    }
                };
                view! {
                    <li class=class data-testid=testid data-author=author data-unanswered=m.unanswered.then_some("true")>
                        <p class="kern-body kern-body--small kern-body--bold">{who}" · "
                            {format::date_time(lang, m.created_at)}
                            {m.queued.then(|| view! { " · " {move || i18n.t("state-waiting-for-network")} })}
                            {m.unanswered.then(|| view! { " " <span class="kern-badge kern-badge--warning unanswered-badge"
                                data-testid="message-unanswered">{move || i18n.t("c-message-unanswered")}</span> })}</p>
                        <p class="kern-body">{m.body}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
