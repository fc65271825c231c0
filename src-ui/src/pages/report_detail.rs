//! One of the citizen's reports: status and its history, photos, answers, and the thread
//! with the municipality, where the citizen can answer.

use leptos::prelude::*;

use augenmerk_domain::device::{LocalReportDetail, SyncState};

use crate::backend::UiError;
use crate::components::answers::AnswerList;
use crate::components::confirm::ConfirmButton;
use crate::components::errors::ErrorAlert;
use crate::components::photo::photo_src_signal;
use crate::components::status::{StatusBadge, StatusHistory};
use crate::components::thread::{MessageThread, ThreadMessage};
use crate::draft::Draft;
use crate::format;
use crate::i18n::use_i18n;
use crate::route::{Route, navigate};
use crate::shell::use_ctx;

/// The report page.
#[component]
pub fn ReportDetail(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let detail: RwSignal<Option<LocalReportDetail>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let reply = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let backend = ctx.backend.clone();
    let load = {
        let id = id.clone();
        move || {
            let backend = backend.clone();
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match backend.report(&id).await {
                    Ok(d) => {
                        error.set(None);
                        detail.set(Some(d));
                        let _ = backend.mark_seen(&id).await;
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    load();
    crate::shell::reload_after_sync(ctx.sync, load.clone());
    let send = {
        let backend = ctx.backend.clone();
        let id = id.clone();
        let load = load.clone();
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let body = reply.get_untracked();
            if body.trim().is_empty() {
                return;
            }
            let backend = backend.clone();
            let id = id.clone();
            let load = load.clone();
            sending.set(true);
            leptos::task::spawn_local(async move {
                let result = backend.reply(&id, body.trim()).await;
                sending.set(false);
                match result {
                    Ok(()) => {
                        reply.set(String::new());
                        load();
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };

    let content = move || {
        let send = send.clone();
        detail.get().map(|d| {
            let lang = i18n.lang();
            let r = d.report.clone();
            let status = r.status.map(|s| s.as_str()).unwrap_or("");
            let title = r.category_name.clone().unwrap_or_else(|| r.category.as_str().to_owned());
            let sent = r.sync_state == SyncState::Sent;
            let queued = r.sync_state == SyncState::Queued;
            let history = d.history.clone();
            let messages = d.messages.clone();
            let answers = d.answers.clone();
            let mail_updates = d.mail_updates;
            // Mailed to an administration not on the platform: it answers (if at all)
            // outside Augenmerk, and no updates come from here.
            let mailed_to = r.mailed_to.clone();
            let mailed = mailed_to.is_some();
            view! {
                <article class="report-detail" data-testid="report-detail" data-status=status>
                    <h1 class="kern-heading-large">{title}</h1>
                    <div class="report-detail__status">
                        <StatusBadge status=r.status sync_state=r.sync_state mailed_to=r.mailed_to.clone() />
                        <span class="kern-body kern-body--small kern-body--muted">
                            {format::date_time(lang, r.created_at)}" · "
                            {r.place_name.clone().map(|p| view! { <span data-testid="place-name">{p}</span>" · " })}
                            {format::coordinates(r.location.lat, r.location.lon)}
                        </span>
                    </div>
                    {(r.sync_state == SyncState::Rejected).then(|| view! {
                        <Refused id=r.id.to_string() reason=r.last_error.clone().unwrap_or_default() error=error />
                    })}
                    <Show when=move || queued>
                        <p class="kern-alert kern-alert--info">{move || i18n.t("detail-waiting")}</p>
                    </Show>
                    // What the server said about mail updates; unknown before it has the report.
                    {(sent && !mailed).then(|| view! { <crate::pages::status::MailUpdatesLine state=mail_updates /> })}
                    <p class="kern-body">{r.description.clone()}</p>
                    <ul class="photo-strip">
                        {r.photos.iter().cloned().map(|h| {
                            let src = photo_src_signal(h);
                            view! { <li>{move || src.get().map(|s| view! { <img src=s alt=move || i18n.t("photo-of-report") /> })}</li> }
                        }).collect_view()}
                    </ul>
                    <AnswerList municipality={r.municipality.as_str().to_owned()} category={r.category.clone()}
                        answers={answers.into_iter().collect::<Vec<_>>()} kept=d.questions.clone() />
                    // Nobody has handled it yet (or it never left the device): the citizen may take it back.
                    {(queued || (sent && r.status.is_some_and(augenmerk_domain::privacy::withdrawable))).then(|| view! {
                        <Withdraw id=r.id.to_string() error=error />
                    })}
                    <section aria-labelledby="history-heading">
                        <h2 class="kern-heading-small" id="history-heading">{move || i18n.t("history")}</h2>
                        <StatusHistory history=history />
                    </section>
                    {mailed_to.map(|to| view! {
                        <p class="kern-body" data-testid="mailed-note">
                            {move || i18n.t_args("mailed-note", &[("to", to.clone().into())])}</p>
                    })}
                    {(!mailed).then(|| view! {
                        <section aria-labelledby="thread-heading">
                            <h2 class="kern-heading-small" id="thread-heading">{move || i18n.t("thread")}</h2>
                            <Show when={let empty = messages.is_empty(); move || empty}>
                                <p class="kern-hint">{move || i18n.t("thread-empty")}</p>
                            </Show>
                            <MessageThread messages=messages.iter().map(ThreadMessage::from).collect()
                                citizen="message-you" testid="message" />
                            <Show when=move || sent>
                                <form class="reply" on:submit=send.clone()>
                                    <div class="kern-form-input">
                                        <label class="kern-label" for="reply-body">{move || i18n.t("reply-label")}</label>
                                        <textarea id="reply-body" class="kern-form-input__input" rows="3" maxlength=augenmerk_domain::text::MAX_MESSAGE_CHARS.to_string()
                                            data-testid="reply-body" prop:value=move || reply.get()
                                            on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                                    </div>
                                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="reply-send"
                                        disabled=move || sending.get()>
                                        <span class="kern-label">{move || i18n.t("reply-send")}</span>
                                    </button>
                                </form>
                            </Show>
                        </section>
                    })}
                </article>
            }
        })
    };
    view! {
        <div class="page">
            <p><a class="kern-link" href="#/reports">
                <span class="kern-icon kern-icon--arrow-back kern-icon--small" aria-hidden="true"></span>
                {move || i18n.t("back-to-my-reports")}</a></p>
            <ErrorAlert error=error.into() />
            {content}
        </div>
    }
}

/// The message key that explains a refusal to the citizen; the server names a withdrawn
/// category in its answer, other reasons are explained generally (the answer itself is
/// shown beside).
pub(crate) fn refusal_text_key(reason: &str) -> &'static str {
    if reason.contains("unknown_category") {
        "refused-category"
    } else {
        "refused-other"
    }
}

/// Why the server refused a report, and the way on: correct it in the form and send it
/// again in its place, or give it up (after a second, confirming click).
#[component]
fn Refused(id: String, reason: String, error: RwSignal<Option<UiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let confirming = RwSignal::new(false);
    let overwriting = RwSignal::new(false);
    let explanation = refusal_text_key(&reason);
    let edit = {
        let backend = ctx.backend.clone();
        let id = id.clone();
        move |_| {
            // The form holds one draft: a report begun there is only replaced on a second tap.
            let current = Draft::load();
            let other_draft = current.has_content() && current.replaces.map(|r| r.to_string()).as_ref() != Some(&id);
            if other_draft && !overwriting.get_untracked() {
                overwriting.set(true);
                return;
            }
            let backend = backend.clone();
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let reopened = match backend.reopen_report(&id).await {
                    Ok(r) => r,
                    Err(e) => return error.set(Some(e)),
                };
                let at = reopened.draft.location;
                match backend.locate(at.lat, at.lon).await {
                    Ok(municipality) => {
                        Draft::reopened(reopened, municipality).save();
                        navigate(&Route::NewReport);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let discard = {
        let backend = ctx.backend.clone();
        move |_| {
            if !confirming.get_untracked() {
                confirming.set(true);
                return;
            }
            let backend = backend.clone();
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match backend.discard_report(&id).await {
                    Ok(()) => {
                        // A draft reopened from it goes too: its photos were the report's.
                        if Draft::load().replaces.is_some_and(|r| r.to_string() == id) {
                            Draft::clear();
                        }
                        navigate(&Route::MyReports)
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    view! {
        <section class="kern-alert kern-alert--danger refused" data-testid="refused" aria-labelledby="refused-title">
            <div class="kern-alert__header">
                <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                <h2 class="kern-title" id="refused-title">{move || i18n.t("refused-title")}</h2>
            </div>
            <div class="kern-alert__body">
                <p class="kern-body">{move || i18n.t(explanation)}</p>
                <details class="refused__reason">
                    <summary class="kern-body kern-body--small">{move || i18n.t("refused-reason")}</summary>
                    <p class="kern-body kern-body--small" data-testid="refused-reason">{reason}</p>
                </details>
                <div class="kern-btn-wrapper">
                    <button type="button" class="kern-btn kern-btn--primary" data-testid="refused-edit" on:click=edit>
                        <span class="kern-label">{move || if overwriting.get() { i18n.t("refused-edit-overwrite") } else { i18n.t("refused-edit") }}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--secondary" data-testid="refused-discard" on:click=discard>
                        <span class="kern-label">{move || if confirming.get() { i18n.t("refused-discard-confirm") } else { i18n.t("refused-discard") }}</span>
                    </button>
                </div>
            </div>
        </section>
    }
}

/// "Withdraw this report", after a confirmation: it is erased (the municipality keeps no
/// trace but the fact) and leaves "my reports".
#[component]
fn Withdraw(id: String, error: RwSignal<Option<UiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let busy = RwSignal::new(false);
    let withdraw = Callback::new(move |()| {
        let backend = ctx.backend.clone();
        let sync = ctx.sync;
        let id = id.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match backend.withdraw_report(&id).await {
                Ok(()) => {
                    if let Ok(status) = backend.sync_status().await {
                        sync.set(status);
                    }
                    navigate(&Route::MyReports);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    view! {
        <section aria-labelledby="withdraw-heading" data-testid="withdraw">
            <h2 class="kern-heading-small" id="withdraw-heading">{move || i18n.t("withdraw-heading")}</h2>
            <p class="kern-body">{move || i18n.t("withdraw-text")}</p>
            <ConfirmButton testid="withdraw-report" label="withdraw-button" question="withdraw-question"
                confirm="withdraw-confirm" busy=busy on_confirm=withdraw />
        </section>
    }
}
