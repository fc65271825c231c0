//! The case page's main column: what the citizen sent, the place, the thread with the
//! citizen, the internal notes and the audit trail.

use leptos::prelude::*;

use augenmerk_domain::staff::StaffReportDetail;

use super::Case;
use super::text::{actor_text, answers_view, audit_text};
use crate::components::thread::{MessageThread, ThreadMessage};
use crate::console::Refs;
use crate::format;
use crate::i18n::use_i18n;

/// The description, the answers and the anonymized photos.
pub(super) fn report_card(case: Case, d: &StaffReportDetail, rf: &Refs) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let r = d.report.clone();
    let photos = case.photos;
    view! {
        <section class="console-card" aria-labelledby="case-report-h">
            <h2 class="console-card__title" id="case-report-h">{i18n.t("c-case-report")}</h2>
            <p class="kern-body case-description" data-testid="case-description">
                {if r.description.is_empty() { i18n.t("c-case-no-description") } else { r.description.clone() }}</p>
            {answers_view(rf, i18n, &r.category, &r.answers)}
            <h3 class="console-card__subtitle">{i18n.t("c-case-photos")}</h3>
            {if r.photos.is_empty() {
                view! { <p class="kern-body kern-body--small console-muted">{i18n.t("c-case-no-photos")}</p> }.into_any()
            } else {
                view! {
                    <ul class="case-photos" data-testid="case-photos">
                        {move || photos.get().into_iter().enumerate().map(|(i, (_, url))| view! {
                            <li>{match url {
                                Some(u) => { let link = u.clone(); view! { <a href=link target="_blank" rel="noopener">
                                    <img src=u alt=i18n.t_args("c-case-photo-alt", &[("number", ((i + 1) as f64).into())]) /></a> }.into_any() },
                                None => view! { <span class="case-photos__loading">{i18n.t("loading")}</span> }.into_any(),
                            }}</li>
                        }).collect_view()}
                    </ul>
                    <p class="kern-hint">{i18n.t("c-case-photos-anonymized")}</p>
                }.into_any()
            }}
            {super::duplicates::merged_view(case, d)}
        </section>
    }
}

/// The place: Gemeinde, address hint, coordinates and the map.
pub(super) fn place_card(d: &StaffReportDetail, rf: &Refs) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let r = d.report.clone();
    view! {
        <section class="console-card" aria-labelledby="case-place-h">
            <h2 class="console-card__title" id="case-place-h">{i18n.t("c-case-place")}</h2>
            <p class="kern-body">
                {rf.is_amt().then(|| view! {
                    <span data-testid="case-gemeinde" data-ags=r.gemeinde.to_string()>
                        {i18n.t_args("c-case-gemeinde", &[("name", rf.gemeinde_name(r.gemeinde.as_str()).into())])}
                    </span><br />
                })}
                {r.address_hint.clone().map(|a| view! { <strong>{a}</strong><br /> })}
                <span data-testid="case-coordinates">{format::coordinates(r.location.lat, r.location.lon)}</span>
            </p>
            <div id="case-map" class="console-map" role="region" aria-label=i18n.t("c-case-map-label")></div>
        </section>
    }
}

/// The thread with the citizen and the form to write (with reply templates).
pub(super) fn thread_card(case: Case, d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let Case {
        templates,
        message,
        busy,
        ..
    } = case;
    view! {
        <section class="console-card" aria-labelledby="case-thread-h">
            <h2 class="console-card__title" id="case-thread-h">{i18n.t("c-case-thread")}</h2>
            {if d.messages.is_empty() {
                view! { <p class="kern-body kern-body--small console-muted">{i18n.t("c-case-no-messages")}</p> }.into_any()
            } else {
                view! {
                    <MessageThread messages=thread_messages(d) citizen="message-citizen" testid="case-message" />
                }.into_any()
            }}
            <form on:submit=move |ev| case.send_message(ev) class="compose">
                <div class="kern-form-input">
                    <label class="kern-label" for="case-template">{i18n.t("c-case-template")}</label>
                    <div class="kern-form-input__select-wrapper">
                        <select class="kern-form-input__select" id="case-template" data-testid="case-template"
                            on:change=move |ev| {
                                let chosen = event_target_value(&ev);
                                if let Some(t) = templates.with_untracked(|ts| ts.iter().find(|t| t.id == chosen).cloned()) {
                                    message.set(t.body);
                                }
                            }>
                            <option value="">{i18n.t("c-case-template-none")}</option>
                            {move || templates.get().into_iter().map(|t| view! { <option value=t.id.clone()>{t.name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="kern-form-input">
                    <label class="kern-label" for="case-message-body">{i18n.t("c-case-message")}</label>
                    <p class="kern-hint" id="case-message-hint">{i18n.t("c-case-message-hint")}</p>
                    <textarea class="kern-form-input__input" id="case-message-body" data-testid="case-message-body" rows="4"
                        aria-describedby="case-message-hint"
                        prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="case-message-send" disabled=move || busy.get()>
                    <span class="kern-icon kern-icon--mail" aria-hidden="true"></span>
                    <span class="kern-label">{i18n.t("c-case-message-send")}</span>
                </button>
            </form>
        </section>
    }
}

/// The thread as shown: citizen messages no staff message answered yet are marked.
fn thread_messages(d: &StaffReportDetail) -> Vec<ThreadMessage> {
    let waiting = super::citizen::unanswered(&d.messages);
    d.messages
        .iter()
        .map(|m| ThreadMessage {
            unanswered: waiting.contains(&m.id),
            ..ThreadMessage::from(m)
        })
        .collect()
}

/// The internal notes (marked "intern") and the form to add one.
pub(super) fn notes_card(case: Case, d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let Case { note, busy, .. } = case;
    view! {
        <section class="console-card console-card--internal" aria-labelledby="case-notes-h">
            <h2 class="console-card__title" id="case-notes-h">{i18n.t("c-case-notes")}
                <span class="intern-badge" data-testid="intern-badge">{i18n.t("c-intern")}</span></h2>
            <p class="kern-hint">{i18n.t("c-case-notes-hint")}</p>
            <ul class="thread">
                {d.notes.iter().map(|n| view! {
                    <li class="message message--note" data-testid="case-note">
                        <p class="kern-body kern-body--small kern-body--bold">
                            <span class="intern-badge intern-badge--small">{i18n.t("c-intern")}</span>" "
                            {n.author_name.clone()}" · "{format::date_time(lang, n.created_at)}</p>
                        <p class="kern-body">{n.body.clone()}</p>
                    </li>
                }).collect_view()}
            </ul>
            <form on:submit=move |ev| case.add_note(ev)>
                <div class="kern-form-input">
                    <label class="kern-label" for="case-note-body">{i18n.t("c-case-note")}</label>
                    <textarea class="kern-form-input__input" id="case-note-body" data-testid="case-note-body" rows="3"
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="kern-btn kern-btn--secondary" data-testid="case-note-add" disabled=move || busy.get()>
                    <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                    <span class="kern-label">{i18n.t("c-case-note-add")}</span>
                </button>
            </form>
        </section>
    }
}

/// The audit trail, newest first.
pub(super) fn audit_card(d: &StaffReportDetail, rf: &Refs) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <section class="console-card" aria-labelledby="case-audit-h">
            <h2 class="console-card__title" id="case-audit-h">{i18n.t("c-case-audit")}</h2>
            <ol class="audit" data-testid="case-audit">
                {d.audit.iter().rev().map(|e| view! {
                    <li class="audit__item">
                        <p class="audit__what">{audit_text(rf, lang, i18n, e)}</p>
                        <p class="audit__meta">{actor_text(i18n, &e.actor)}" · "{format::date_time(lang, e.at)}</p>
                        {e.public_comment.clone().map(|c| view! { <p class="audit__comment">"„"{c}"“"</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
