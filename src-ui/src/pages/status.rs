//! The private status page a citizen reaches from the link in the receipt mail
//! (`#/status/<token>`): the report, its history and the thread, an answer form, and the
//! mail updates (confirm the address, unsubscribe, resubscribe, ask for a new link), and
//! the citizen's rights: download the report's data, withdraw it while it is untouched.
//!
//! No device and no login: the token in the link is the capability. The page talks to the
//! server directly (it only exists in the web build; the app has its own report page).

use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

use augenmerk_domain::mail::{MailUpdates, StatusPage};
use augenmerk_domain::public::{MessageAuthor, PublicMessage};

use crate::backend::web::WebBackend;
use crate::backend::{UiError, UiResult};
use crate::components::confirm::ConfirmButton;
use crate::components::errors::ErrorAlert;
use crate::components::status::{StatusBadge, StatusHistory};
use crate::format;
use crate::i18n::use_i18n;
use crate::route::Route;
use augenmerk_domain::device::SyncState;

/// The Fluent key that says whether updates about a report go out by mail (shared with
/// the report page of the app and the web).
pub fn mail_updates_key(state: MailUpdates) -> &'static str {
    match state {
        MailUpdates::None => "mail-updates-none",
        MailUpdates::Unconfirmed => "mail-updates-unconfirmed",
        MailUpdates::On => "mail-updates-on",
        MailUpdates::Off => "mail-updates-off",
    }
}

/// The wire name, for tests and styling.
fn mail_updates_name(state: MailUpdates) -> &'static str {
    match state {
        MailUpdates::None => "none",
        MailUpdates::Unconfirmed => "unconfirmed",
        MailUpdates::On => "on",
        MailUpdates::Off => "off",
    }
}

/// "E-mail updates: on" as one line.
#[component]
pub fn MailUpdatesLine(state: MailUpdates) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="kern-body kern-body--small mail-updates" data-testid="mail-updates" data-state=mail_updates_name(state)>
            <span class="kern-icon kern-icon--mail kern-icon--small" aria-hidden="true"></span>
            <span class="kern-body--bold">{move || i18n.t("mail-updates-label")}": "</span>
            {move || i18n.t(mail_updates_key(state))}
        </p>
    }
}

fn base(token: &str) -> String {
    // The token comes from the URL: encoded so that it stays one path segment.
    format!("/api/v1/status/{}", js_sys::encode_uri_component(token))
}

/// A request with a JSON answer (the unsubscribe route answers HTML to mail clients).
async fn call<T: DeserializeOwned>(builder: RequestBuilder, body: Option<&serde_json::Value>) -> UiResult<T> {
    let builder = builder.header("Accept", "application/json");
    let request = match body {
        Some(b) => builder.json(b).map_err(UiError::unexpected),
        None => builder.build().map_err(UiError::unexpected),
    };
    WebBackend::json(request).await
}

/// What the page is showing.
#[derive(Clone, PartialEq)]
enum View {
    Loading,
    Page(Box<StatusPage>),
    /// The link is unknown or was replaced.
    Unknown,
    /// A new link was requested: this one no longer works.
    Renewed,
    /// The citizen withdrew the report: it is erased, the link leads nowhere now.
    Withdrawn,
}

/// The status page.
#[component]
pub fn Status(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(View::Loading);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let base = base(&token);

    // Every action answers the page as it is afterwards (or an error).
    let apply = move |result: UiResult<StatusPage>, ok: Option<&'static str>| match result {
        Ok(p) => {
            error.set(None);
            notice.set(ok);
            shown.set(View::Page(Box::new(p)));
        }
        Err(e) if e.code.as_deref() == Some("not_found") => shown.set(View::Unknown),
        Err(e) => error.set(Some(e)),
    };
    {
        let url = base.clone();
        leptos::task::spawn_local(async move {
            apply(call(Request::get(&url), None).await, None);
        });
    }
    let action = {
        let base = base.clone();
        move |path: &'static str, ok: &'static str| {
            let url = format!("{base}/{path}");
            busy.set(true);
            leptos::task::spawn_local(async move {
                apply(call(Request::post(&url), None).await, Some(ok));
                busy.set(false);
            });
        }
    };
    let renewing = RwSignal::new(false);
    let renew = {
        let url = format!("{base}/renew");
        move |_| {
            // A second click confirms: the old link stops working at once.
            if !renewing.get_untracked() {
                renewing.set(true);
                return;
            }
            let url = url.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let request = Request::post(&url)
                    .header("Accept", "application/json")
                    .build()
                    .map_err(UiError::unexpected);
                match WebBackend::send(request).await {
                    Ok(_) => shown.set(View::Renewed),
                    Err(e) if e.code.as_deref() == Some("not_found") => shown.set(View::Unknown),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };

    let content = move || {
        let action = action.clone();
        let renew = renew.clone();
        match shown.get() {
            View::Loading => view! { <p class="kern-body" role="status">{move || i18n.t("loading")}</p> }.into_any(),
            View::Unknown => view! {
                <section class="kern-alert kern-alert--danger" data-testid="status-unknown" aria-labelledby="status-unknown-h">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                        <h1 class="kern-title" id="status-unknown-h">{move || i18n.t("status-unknown-title")}</h1>
                    </div>
                    <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("status-unknown-text")}</p></div>
                </section>
            }.into_any(),
            View::Renewed => view! {
                <section class="kern-alert kern-alert--success" data-testid="status-renewed" role="status">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                        <h1 class="kern-title">{move || i18n.t("status-renewed-title")}</h1>
                    </div>
                    <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("status-renewed-text")}</p></div>
                </section>
            }.into_any(),
            View::Withdrawn => view! {
                <section class="kern-alert kern-alert--success" data-testid="status-withdrawn" role="status">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                        <h1 class="kern-title">{move || i18n.t("status-withdrawn-title")}</h1>
                    </div>
                    <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("status-withdrawn-text")}</p></div>
                </section>
            }.into_any(),
            View::Page(p) => {
                let base = base.clone();
                let received = augenmerk_domain::privacy::withdrawable(p.report.status);
                let municipality = p.report.municipality.as_str().to_owned();
                view! {
                    <ReportView page=*p.clone() base=base.clone() />
                    <YourData base=base.clone() received=received municipality=municipality shown=shown error=error />
                    <Thread messages=p.report.messages.clone() base=base shown=shown error=error />
                    <MailBox page=*p busy=busy.into() on_action=Callback::new(move |(path, ok)| action(path, ok)) />
                    <section class="status-renew" aria-labelledby="status-renew-h">
                        <h2 class="kern-heading-small" id="status-renew-h">{move || i18n.t("status-renew-heading")}</h2>
                        <p class="kern-hint">{move || i18n.t("status-renew-hint")}</p>
                        <button type="button" class="kern-btn kern-btn--secondary" data-testid="status-renew"
                            disabled=move || busy.get() on:click=renew>
                            <span class="kern-label">{move || if renewing.get() { i18n.t("status-renew-confirm") } else { i18n.t("status-renew") }}</span>
                        </button>
                    </section>
                }.into_any()
            }
        }
    };
    view! {
        <div class="page status-page" data-testid="status-page">
            <ErrorAlert error=error.into() />
            <div role="status" aria-live="polite">
                {move || notice.get().map(|key| view! {
                    <p class="kern-alert kern-alert--success" data-testid="status-notice">{move || i18n.t(key)}</p>
                })}
            </div>
            {content}
        </div>
    }
}

/// The report: number, category, place, status with its history, department, photos.
#[component]
fn ReportView(page: StatusPage, base: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let r = page.report;
    let place = r
        .address_hint
        .clone()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(|| format::coordinates(r.location.lat, r.location.lon));
    let number = page.number.clone();
    view! {
        <article class="report-detail" data-testid="status-report" data-status=r.status.as_str()>
            <p class="kern-body kern-body--small kern-body--muted" data-testid="status-number">
                {move || i18n.t("status-number")}" "{number.clone()}</p>
            <h1 class="kern-heading-large">{r.category_name.clone()}</h1>
            <div class="report-detail__status">
                <StatusBadge status=Some(r.status) sync_state=SyncState::Sent mailed_to=r.mailed_to.clone() />
                <span class="kern-body kern-body--small kern-body--muted">{format::date_time(lang, r.created_at)}</span>
            </div>
            <dl class="status-facts">
                <div><dt class="kern-body kern-body--bold">{move || i18n.t("status-place")}</dt><dd class="kern-body">{place}</dd></div>
                <div><dt class="kern-body kern-body--bold">{move || i18n.t("status-municipality")}</dt><dd class="kern-body">{r.place_name.clone().unwrap_or_else(|| r.municipality_name.clone())}</dd></div>
                {page.department_name.clone().map(|d| view! {
                    <div><dt class="kern-body kern-body--bold">{move || i18n.t("status-department")}</dt>
                        <dd class="kern-body" data-testid="status-department">{d}</dd></div>
                })}
                {r.forwarded_to.clone().map(|a| view! {
                    <div><dt class="kern-body kern-body--bold">{move || i18n.t("status-forwarded")}</dt><dd class="kern-body">{a}</dd></div>
                })}
            </dl>
            {(!r.description.is_empty()).then(|| view! { <p class="kern-body">{r.description.clone()}</p> })}
            <ul class="photo-strip">
                {r.photos.iter().map(|h| {
                    let src = format!("{base}/photos/{}", h.as_str());
                    view! { <li><img src=src alt=move || i18n.t("photo-of-report") /></li> }
                }).collect_view()}
            </ul>
            <section aria-labelledby="status-history-h">
                <h2 class="kern-heading-small" id="status-history-h">{move || i18n.t("history")}</h2>
                <StatusHistory history=r.history />
            </section>
        </article>
    }
}

/// The thread with the municipality and the answer form.
#[component]
fn Thread(
    messages: Vec<PublicMessage>,
    base: String,
    shown: RwSignal<View>,
    error: RwSignal<Option<UiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let reply = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let empty = messages.is_empty();
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = reply.get_untracked().trim().to_owned();
        if body.is_empty() {
            return;
        }
        let base = base.clone();
        sending.set(true);
        leptos::task::spawn_local(async move {
            let sent: UiResult<PublicMessage> = call(
                Request::post(&format!("{base}/messages")),
                Some(&serde_json::json!({ "body": body })),
            )
            .await;
            match sent {
                // The whole page again: the thread as the server keeps it.
                Ok(_) => match call::<StatusPage>(Request::get(&base), None).await {
                    Ok(p) => {
                        reply.set(String::new());
                        shown.set(View::Page(Box::new(p)));
                    }
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    view! {
        <section aria-labelledby="status-thread-h">
            <h2 class="kern-heading-small" id="status-thread-h">{move || i18n.t("thread")}</h2>
            {empty.then(|| view! { <p class="kern-hint">{move || i18n.t("thread-empty")}</p> })}
            <ul class="thread">
                {messages.into_iter().map(|m| {
                    let (author, class, who) = match m.author {
                        MessageAuthor::Citizen => ("citizen", "message message--citizen", "message-you"),
                        MessageAuthor::Municipality => ("municipality", "message message--municipality", "message-municipality"),
                    };
                    view! {
                        <li class=class data-testid="message" data-author=author>
                            <p class="kern-body kern-body--small kern-body--bold">{move || i18n.t(who)}" · "{format::date_time(lang, m.created_at)}</p>
                            <p class="kern-body">{m.body.clone()}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="reply" on:submit=send>
                <div class="kern-form-input">
                    <label class="kern-label" for="status-reply">{move || i18n.t("reply-label")}</label>
                    <textarea id="status-reply" class="kern-form-input__input" rows="3" maxlength=augenmerk_domain::text::MAX_MESSAGE_CHARS.to_string()
                        data-testid="status-reply" prop:value=move || reply.get()
                        on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="status-reply-send" disabled=move || sending.get()>
                    <span class="kern-label">{move || i18n.t("reply-send")}</span>
                </button>
            </form>
        </section>
    }
}

/// Mail updates: the state, the masked address, and what the citizen can change.
#[component]
fn MailBox(page: StatusPage, busy: Signal<bool>, on_action: Callback<(&'static str, &'static str)>) -> impl IntoView {
    let i18n = use_i18n();
    let state = page.mail_updates;
    let button = move |path: &'static str, ok: &'static str, label: &'static str, primary: bool| {
        let class = if primary {
            "kern-btn kern-btn--primary"
        } else {
            "kern-btn kern-btn--secondary"
        };
        view! {
            <button type="button" class=class data-testid=format!("status-{path}") disabled=move || busy.get()
                on:click=move |_| on_action.run((path, ok))>
                <span class="kern-label">{move || i18n.t(label)}</span>
            </button>
        }
    };
    view! {
        <section class="status-mail" aria-labelledby="status-mail-h">
            <h2 class="kern-heading-small" id="status-mail-h">{move || i18n.t("status-mail-heading")}</h2>
            <MailUpdatesLine state=state />
            {(!page.email.is_empty()).then(|| view! {
                <p class="kern-body kern-body--small" data-testid="status-email">{move || i18n.t("status-mail-address")}": "{page.email.clone()}</p>
            })}
            <div class="kern-btn-wrapper">
                {match state {
                    MailUpdates::Unconfirmed => Some(view! {
                        {button("confirm", "status-confirmed", "status-confirm", true)}
                        {button("unsubscribe", "status-unsubscribed", "status-unsubscribe", false)}
                    }.into_any()),
                    MailUpdates::On => Some(button("unsubscribe", "status-unsubscribed", "status-unsubscribe", false).into_any()),
                    MailUpdates::Off => Some(button("resubscribe", "status-resubscribed", "status-resubscribe", true).into_any()),
                    MailUpdates::None => None,
                }}
            </div>
        </section>
    }
}

/// The citizen's rights over this report: download it (a plain link: the token in the
/// address is the permission), withdraw it while nobody has handled it, the notice.
#[component]
fn YourData(
    base: String,
    received: bool,
    municipality: String,
    shown: RwSignal<View>,
    error: RwSignal<Option<UiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let export = format!("{base}/export");
    let withdraw = Callback::new(move |()| {
        let base = base.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = Request::post(&format!("{base}/withdraw"))
                .header("Accept", "application/json")
                .build()
                .map_err(UiError::unexpected);
            match WebBackend::send(request).await {
                Ok(_) => shown.set(View::Withdrawn),
                Err(e) => {
                    // Someone took it up meanwhile: the page shows its state now.
                    if e.code.as_deref() == Some("illegal_transition")
                        && let Ok(p) = call::<StatusPage>(Request::get(&base), None).await
                    {
                        shown.set(View::Page(Box::new(p)));
                    }
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    });
    view! {
        <section class="status-privacy" aria-labelledby="status-privacy-h" data-testid="status-privacy">
            <h2 class="kern-heading-small" id="status-privacy-h">{move || i18n.t("status-privacy-heading")}</h2>
            <p class="kern-body">
                <a class="kern-link" href=export download="" data-testid="status-export">
                    <span class="kern-icon kern-icon--download kern-icon--small" aria-hidden="true"></span>
                    {move || i18n.t("status-export")}</a>
            </p>
            {received.then(|| view! {
                <p class="kern-body">{move || i18n.t("withdraw-text")}</p>
                <ConfirmButton testid="status-withdraw" label="withdraw-button" question="withdraw-question"
                    confirm="withdraw-confirm" busy=busy on_confirm=withdraw />
            })}
            <p class="kern-body">
                <a class="kern-link" href=Route::Privacy(Some(municipality)).href()>{move || i18n.t("footer-privacy")}</a>
            </p>
        </section>
    }
}
