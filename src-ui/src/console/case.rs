//! A report's case page: what the citizen sent (anonymized photos, place, category and
//! answers under their question labels, description), how the rules routed it and why,
//! the audit trail, the thread with the citizen and the internal notes (marked "intern").
//! Actions: change the status with a public comment (forward to an authority, mark as a
//! duplicate of a nearby report), re-categorise and re-route, assign, write to the
//! citizen with reply templates, add a note.

use leptos::prelude::*;

use augenmerk_domain::api::{NewMessage, NewNote, ReportUpdate, TransitionRequest};
use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::public::MessageAuthor;
use augenmerk_domain::report::{Channel, Priority};
use augenmerk_domain::staff::{StaffReportDetail, StaffReportSummary};
use augenmerk_domain::templates::ReplyTemplate;
use augenmerk_domain::{ActionId, AuthorityId, CategoryId, DepartmentId, MessageId, NoteId, ReportId, Status, UserId};

use super::api::use_api;
use super::map::{Pin, area_shapes, draw, remove};
use super::widgets::{Notice, PRIORITIES, PriorityBadge, overdue_badge, priority_key, status_badge};
use super::{Page, Refs, use_console};
use crate::backend::UiError;
use crate::components::answers::shown_answers;
use crate::components::errors::ErrorAlert;
use crate::format;
use crate::i18n::{I18n, Lang, use_i18n};

/// The case page.
#[component]
pub fn CasePage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let refs = console.refs;
    let detail: RwSignal<Option<StaffReportDetail>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let templates: RwSignal<Vec<ReplyTemplate>> = RwSignal::new(Vec::new());
    let nearby: RwSignal<Vec<StaffReportSummary>> = RwSignal::new(Vec::new());
    let photos: RwSignal<Vec<(String, Option<String>)>> = RwSignal::new(Vec::new());
    let busy = RwSignal::new(false);

    // Form state.
    let target = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let forward_to = RwSignal::new(String::new());
    let duplicate_of = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let reroute = RwSignal::new(false);
    let message = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());

    let path = format!("/staff/reports/{id}");
    let load = {
        let path = path.clone();
        move || {
            let path = path.clone();
            leptos::task::spawn_local(async move {
                match api.get::<StaffReportDetail>(&path).await {
                    Ok(d) => {
                        let r = &d.report;
                        category.set(r.category.to_string());
                        department.set(r.department.as_ref().map(|d| d.to_string()).unwrap_or_default());
                        assignee.set(r.assignee.map(|u| u.to_string()).unwrap_or_default());
                        priority.set(r.priority.as_str().to_owned());
                        target.set(String::new());
                        let known: Vec<String> = photos.with_untracked(|p| p.iter().map(|(h, _)| h.clone()).collect());
                        for h in &r.photos {
                            let hash = h.as_str().to_owned();
                            if known.contains(&hash) {
                                continue;
                            }
                            photos.update(|p| p.push((hash.clone(), None)));
                            leptos::task::spawn_local(async move {
                                if let Ok(url) = api.object_url(&format!("/blobs/{hash}"), "image/jpeg").await {
                                    photos.update(|p| {
                                        if let Some(slot) = p.iter_mut().find(|(h, _)| *h == hash) {
                                            slot.1 = Some(url);
                                        }
                                    });
                                }
                            });
                        }
                        detail.set(Some(d));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    load();
    {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            if let Ok(t) = api.get::<Vec<ReplyTemplate>>(&format!("{path}/reply-templates")).await {
                templates.set(t);
            }
            if let Ok(n) = api.get::<Vec<StaffReportSummary>>(&format!("{path}/nearby")).await {
                nearby.set(n);
            }
        });
    }

    // The location map (drawn once the report and the areas are there).
    Effect::new(move |_| {
        let Some(d) = detail.get() else { return };
        let lang = i18n.lang();
        let r = refs.get();
        let pin = Pin {
            lat: d.report.location.lat,
            lon: d.report.location.lon,
            label: r.category_name(lang, d.report.category.as_str()),
            href: String::new(),
            status: d.report.status.as_str().to_owned(),
            overdue: d.overdue,
        };
        draw(
            "case-map",
            &console.tiles.get_untracked(),
            &area_shapes(&r.areas),
            &[pin],
            16,
        );
    });
    on_cleanup(|| remove("case-map"));

    let done = move |result: Result<(), UiError>, key: &'static str, load: &dyn Fn()| {
        busy.set(false);
        match result {
            Ok(()) => {
                error.set(None);
                notice.set(Some(key));
                load();
            }
            Err(e) => {
                notice.set(None);
                error.set(Some(e));
            }
        }
    };

    let submit_transition = {
        let (path, load) = (path.clone(), load.clone());
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let Some(to) = Status::parse(&target.get_untracked()) else {
                error.set(Some(UiError::localized("c-e-choose-status")));
                return;
            };
            let expected = detail.with_untracked(|d| d.as_ref().map(|d| d.report.status));
            let request = TransitionRequest {
                to,
                public_comment: Some(comment.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
                forward_to: (to == Status::Forwarded)
                    .then(|| AuthorityId::parse(&forward_to.get_untracked()).ok())
                    .flatten(),
                duplicate_of: (to == Status::Duplicate)
                    .then(|| duplicate_of.get_untracked().trim().parse::<ReportId>().ok())
                    .flatten(),
                expected_status: expected,
                id: Some(ActionId::new_random()),
                photos: Vec::new(),
            };
            let (path, load) = (path.clone(), load.clone());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = api
                    .post::<_, serde_json::Value>(&format!("{path}/transition"), &request)
                    .await
                    .map(|_| ());
                if result.is_ok() {
                    comment.set(String::new());
                }
                done(result, "c-case-status-saved", &load);
            });
        }
    };

    let submit_handling = {
        let (path, load) = (path.clone(), load.clone());
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let Some(d) = detail.get_untracked() else { return };
            let r = &d.report;
            let new_category = CategoryId::parse(&category.get_untracked())
                .ok()
                .filter(|c| c != &r.category);
            let new_department = DepartmentId::parse(&department.get_untracked())
                .ok()
                .filter(|x| Some(x) != r.department.as_ref());
            let chosen_user = assignee.get_untracked();
            let new_assignee = chosen_user.parse::<UserId>().ok().filter(|u| Some(*u) != r.assignee);
            let new_priority = Priority::parse(&priority.get_untracked()).filter(|p| *p != r.priority);
            let update = ReportUpdate {
                category: new_category,
                department: new_department,
                assignee: new_assignee,
                clear_assignee: chosen_user.is_empty() && r.assignee.is_some(),
                priority: new_priority,
                due_at: None,
                reroute: reroute.get_untracked(),
            };
            let (path, load) = (path.clone(), load.clone());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = api.patch::<_, serde_json::Value>(&path, &update).await.map(|_| ());
                if result.is_ok() {
                    reroute.set(false);
                }
                done(result, "c-case-handling-saved", &load);
            });
        }
    };

    let submit_message = {
        let (path, load) = (path.clone(), load.clone());
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let body = message.get_untracked().trim().to_owned();
            if body.is_empty() {
                return;
            }
            let (path, load) = (path.clone(), load.clone());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let request = NewMessage {
                    id: Some(MessageId::new_random()),
                    body,
                };
                let result = api
                    .post::<_, serde_json::Value>(&format!("{path}/messages"), &request)
                    .await
                    .map(|_| ());
                if result.is_ok() {
                    message.set(String::new());
                }
                done(result, "c-case-message-sent", &load);
            });
        }
    };

    let submit_note = {
        let (path, load) = (path.clone(), load.clone());
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let body = note.get_untracked().trim().to_owned();
            if body.is_empty() {
                return;
            }
            let (path, load) = (path.clone(), load.clone());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let request = NewNote {
                    id: Some(NoteId::new_random()),
                    body,
                };
                let result = api
                    .post::<_, serde_json::Value>(&format!("{path}/notes"), &request)
                    .await
                    .map(|_| ());
                if result.is_ok() {
                    note.set(String::new());
                }
                done(result, "c-case-note-added", &load);
            });
        }
    };

    let content = move || {
        let submit_transition = submit_transition.clone();
        let submit_handling = submit_handling.clone();
        let submit_message = submit_message.clone();
        let submit_note = submit_note.clone();
        detail.get().map(|d| {
            let lang = i18n.lang();
            let rf = refs.get();
            let r = d.report.clone();
            let id = r.id.to_string();
            let short: String = id.chars().take(8).collect();
            let title = rf.category_name(lang, r.category.as_str());
            let next: Vec<Status> = r.status.next().to_vec();
            view! {
                <article class="case-page" data-testid="case" data-id=id.clone() data-status=r.status.as_str()>
                    <header class="case-head">
                        <div>
                            <p class="case-head__kicker">{i18n.t("c-case-kicker")}" #"{short}</p>
                            <h1 class="kern-heading-large" data-testid="case-title">{title}</h1>
                            <p class="case-head__badges">
                                <span data-testid="case-status" data-status=r.status.as_str()>{status_badge(r.status)}</span>
                                <PriorityBadge priority=r.priority />
                                {d.overdue.then(|| overdue_badge(i18n))}
                            </p>
                        </div>
                        <dl class="case-facts">
                            <div><dt>{i18n.t("c-col-received")}</dt><dd>{format::date_time(lang, r.received_at)}</dd></div>
                            <div><dt>{i18n.t("c-col-due")}</dt><dd>{r.due_at.map(|x| format::date_time(lang, x)).unwrap_or_else(|| "—".into())}</dd></div>
                            <div><dt>{i18n.t("c-case-channel")}</dt><dd>{i18n.t(channel_key(r.channel))}</dd></div>
                            <div><dt>{i18n.t("c-col-responsible")}</dt><dd>{responsible(&rf, &r, i18n)}</dd></div>
                        </dl>
                    </header>
                    <div class="case-grid">
                        <div class="case-main">
                            <section class="console-card" aria-labelledby="case-report-h">
                                <h2 class="console-card__title" id="case-report-h">{i18n.t("c-case-report")}</h2>
                                <p class="kern-body case-description" data-testid="case-description">
                                    {if r.description.is_empty() { i18n.t("c-case-no-description") } else { r.description.clone() }}</p>
                                {answers_view(&rf, i18n, &r.category, &r.answers)}
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
                            </section>

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

                            <section class="console-card" aria-labelledby="case-thread-h">
                                <h2 class="console-card__title" id="case-thread-h">{i18n.t("c-case-thread")}</h2>
                                {if d.messages.is_empty() {
                                    view! { <p class="kern-body kern-body--small console-muted">{i18n.t("c-case-no-messages")}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="thread">
                                            {d.messages.iter().map(|m| {
                                                let (class, who) = match m.author {
                                                    MessageAuthor::Citizen => ("message message--citizen", i18n.t("message-citizen")),
                                                    MessageAuthor::Municipality => ("message message--municipality",
                                                        m.staff_author_name.clone().unwrap_or_else(|| i18n.t("message-municipality"))),
                                                };
                                                view! {
                                                    <li class=class data-testid="case-message">
                                                        <p class="kern-body kern-body--small kern-body--bold">{who}" · "{format::date_time(lang, m.created_at)}</p>
                                                        <p class="kern-body">{m.body.clone()}</p>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <form on:submit=submit_message class="compose">
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
                                <form on:submit=submit_note>
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

                            <section class="console-card" aria-labelledby="case-audit-h">
                                <h2 class="console-card__title" id="case-audit-h">{i18n.t("c-case-audit")}</h2>
                                <ol class="audit" data-testid="case-audit">
                                    {d.audit.iter().rev().map(|e| view! {
                                        <li class="audit__item">
                                            <p class="audit__what">{audit_text(&rf, lang, i18n, e)}</p>
                                            <p class="audit__meta">{actor_text(i18n, &e.actor)}" · "{format::date_time(lang, e.at)}</p>
                                            {e.public_comment.clone().map(|c| view! { <p class="audit__comment">"„"{c}"“"</p> })}
                                        </li>
                                    }).collect_view()}
                                </ol>
                            </section>

                            <super::deliveries::Deliveries id=r.id.to_string() />
                        </div>

                        <aside class="case-side" aria-label=i18n.t("c-case-actions")>
                            <section class="console-card" aria-labelledby="case-transition-h">
                                <h2 class="console-card__title" id="case-transition-h">{i18n.t("c-case-transition")}</h2>
                                {if next.is_empty() {
                                    view! { <p class="kern-body kern-body--small">{i18n.t("c-case-final")}</p> }.into_any()
                                } else {
                                    view! {
                                        <form on:submit=submit_transition data-testid="case-transition-form">
                                            <div class="kern-form-input">
                                                <label class="kern-label" for="case-to">{i18n.t("c-case-new-status")}</label>
                                                <div class="kern-form-input__select-wrapper">
                                                    <select class="kern-form-input__select" id="case-to" data-testid="case-to"
                                                        prop:value=move || target.get()
                                                        on:change=move |ev| target.set(event_target_value(&ev))>
                                                        <option value="">{i18n.t("c-choose")}</option>
                                                        {next.iter().map(|s| view! {
                                                            <option value=s.as_str()>{lang.pick(&s.label()).to_owned()}</option>
                                                        }).collect_view()}
                                                    </select>
                                                </div>
                                            </div>
                                            {move || (target.get() == "forwarded").then(|| {
                                                let authorities = refs.with(|r| r.settings.as_ref().map(|s| s.authorities.clone()).unwrap_or_default());
                                                view! {
                                                    <div class="kern-form-input">
                                                        <label class="kern-label" for="case-forward">{i18n.t("c-case-forward-to")}</label>
                                                        <div class="kern-form-input__select-wrapper">
                                                            <select class="kern-form-input__select" id="case-forward" data-testid="case-forward"
                                                                on:change=move |ev| forward_to.set(event_target_value(&ev))>
                                                                <option value="">{i18n.t("c-choose")}</option>
                                                                {authorities.into_iter().map(|a| view! { <option value=a.id.to_string()>{a.name}</option> }).collect_view()}
                                                            </select>
                                                        </div>
                                                    </div>
                                                }
                                            })}
                                            {move || (target.get() == "duplicate").then(|| view! {
                                                <fieldset class="kern-fieldset">
                                                    <legend class="kern-label">{i18n.t("c-case-duplicate-of")}</legend>
                                                    <div class="kern-fieldset__body">
                                                        {nearby.get().into_iter().map(|n| {
                                                            let nid = n.report.id.to_string();
                                                            let rid = format!("dup-{nid}");
                                                            let label = format!("#{} · {} · {}", nid.chars().take(8).collect::<String>(),
                                                                lang.pick(&n.report.status.label()), format::date_time(lang, n.report.received_at));
                                                            view! {
                                                                <div class="kern-form-check">
                                                                    <input class="kern-form-check__radio" type="radio" name="dup" id=rid.clone()
                                                                        data-testid="case-duplicate-candidate" value=nid.clone()
                                                                        on:change=move |_| duplicate_of.set(nid.clone()) />
                                                                    <label class="kern-label" for=rid>{label}</label>
                                                                </div>
                                                            }
                                                        }).collect_view()}
                                                        {nearby.with(Vec::is_empty).then(|| view! { <p class="kern-hint">{i18n.t("c-case-no-nearby")}</p> })}
                                                        <div class="kern-form-input">
                                                            <label class="kern-label" for="case-duplicate-id">{i18n.t("c-case-duplicate-id")}</label>
                                                            <input class="kern-form-input__input" id="case-duplicate-id" data-testid="case-duplicate-id"
                                                                prop:value=move || duplicate_of.get() on:input=move |ev| duplicate_of.set(event_target_value(&ev)) />
                                                        </div>
                                                    </div>
                                                </fieldset>
                                            })}
                                            <div class="kern-form-input">
                                                <label class="kern-label" for="case-comment">{i18n.t("c-case-public-comment")}</label>
                                                <p class="kern-hint" id="case-comment-hint">{i18n.t("c-case-public-comment-hint")}</p>
                                                <textarea class="kern-form-input__input" id="case-comment" data-testid="case-comment" rows="3"
                                                    aria-describedby="case-comment-hint"
                                                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                                            </div>
                                            <button type="submit" class="kern-btn kern-btn--primary kern-btn--block" data-testid="case-transition-submit"
                                                disabled=move || busy.get() || target.get().is_empty()>
                                                <span class="kern-label">{i18n.t("c-case-transition-submit")}</span>
                                            </button>
                                        </form>
                                    }.into_any()
                                }}
                            </section>

                            <section class="console-card" aria-labelledby="case-handling-h">
                                <h2 class="console-card__title" id="case-handling-h">{i18n.t("c-case-handling")}</h2>
                                <form on:submit=submit_handling data-testid="case-handling-form">
                                    {select_field("case-category", i18n.t("c-filter-category"), category, leaf_options(&rf, lang, Some(r.category.as_str())))}
                                    {select_field("case-department", i18n.t("c-filter-department"),  department,
                                        std::iter::once((String::new(), "—".to_owned())).chain(rf.departments.iter().map(|d| (d.id.to_string(), d.name.clone()))).collect())}
                                    {select_field("case-assignee", i18n.t("c-case-assignee"), assignee,
                                        std::iter::once((String::new(), "—".to_owned())).chain(rf.users.iter().filter(|u| u.active).map(|u| (u.id.to_string(), u.display_name.clone()))).collect())}
                                    {select_field("case-priority", i18n.t("c-col-priority"), priority,
                                        PRIORITIES.iter().map(|p| (p.as_str().to_owned(), i18n.t(priority_key(*p)))).collect())}
                                    <div class="kern-form-check">
                                        <input class="kern-form-check__checkbox" type="checkbox" id="case-reroute" data-testid="case-reroute"
                                            prop:checked=move || reroute.get() on:change=move |ev| reroute.set(event_target_checked(&ev)) />
                                        <label class="kern-label" for="case-reroute">{i18n.t("c-case-reroute")}</label>
                                    </div>
                                    <button type="submit" class="kern-btn kern-btn--secondary kern-btn--block" data-testid="case-handling-submit"
                                        disabled=move || busy.get()>
                                        <span class="kern-label">{i18n.t("c-save")}</span>
                                    </button>
                                </form>
                            </section>

                            <section class="console-card" aria-labelledby="case-routing-h" data-testid="case-routing">
                                <h2 class="console-card__title" id="case-routing-h">{i18n.t("c-case-routing")}</h2>
                                {routing_view(&rf, lang, i18n, &d)}
                            </section>
                        </aside>
                    </div>
                </article>
            }
        })
    };

    view! {
        <div class="console-page">
            <p class="back-link"><a class="kern-link" href=Page::Inbox.href() data-testid="case-back">
                <span class="kern-icon kern-icon--arrow-back kern-icon--small" aria-hidden="true"></span>
                {move || i18n.t("c-back-to-inbox")}</a></p>
            <ErrorAlert error=error.into() />
            <Notice notice=notice />
            {content}
        </div>
    }
}

fn select_field(
    id: &'static str,
    label: String,
    value: RwSignal<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for=id>{label}</label>
            <div class="kern-form-input__select-wrapper">
                <select class="kern-form-input__select" id=id data-testid=id on:change=move |ev| value.set(event_target_value(&ev))>
                    {options.into_iter().map(|(v, t)| {
                        let selected = v == value.get_untracked();
                        view! { <option value=v selected=selected>{t}</option> }
                    }).collect_view()}
                </select>
            </div>
        </div>
    }
}

/// Leaf categories ("Straße › Schlagloch"), where reports are filed. Inactive
/// ones (and everything under an inactive group) are left out: the server
/// refuses them for new filings. `keep` is listed anyway, so that a report
/// filed before its category was switched off still shows its category.
pub fn leaf_options(refs: &Refs, lang: Lang, keep: Option<&str>) -> Vec<(String, String)> {
    use augenmerk_domain::category::Category;
    fn contains(c: &Category, id: &str) -> bool {
        c.id.as_str() == id || c.subcategories.iter().any(|s| contains(s, id))
    }
    fn walk(
        cats: &[Category],
        prefix: &str,
        on: bool,
        lang: Lang,
        keep: Option<&str>,
        out: &mut Vec<(String, String)>,
    ) {
        for c in cats {
            // A category is offered when it and all its groups are active.
            let active = on && c.active;
            if !active && !keep.is_some_and(|k| contains(c, k)) {
                continue;
            }
            let name = lang.choose(&c.de, &c.en);
            let full = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix} › {name}")
            };
            if c.subcategories.is_empty() {
                out.push((c.id.to_string(), full));
            } else {
                walk(&c.subcategories, &full, active, lang, keep, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&refs.tree.categories, "", true, lang, keep, &mut out);
    out
}

fn responsible(refs: &Refs, r: &augenmerk_domain::report::Report, i18n: I18n) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &r.department {
        parts.push(refs.department_name(d.as_str()));
    }
    if let Some(u) = &r.assignee {
        parts.push(refs.user_name(&u.to_string()));
    }
    if let Some(a) = &r.forwarded_to {
        parts.push(format!("→ {}", refs.authority_name(a.as_str())));
    }
    if parts.is_empty() {
        i18n.t("c-nobody")
    } else {
        parts.join(" · ")
    }
}

fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::App => "c-channel-app",
        Channel::Open311 => "c-channel-open311",
        Channel::Staff => "c-channel-staff",
    }
}

/// The answers under their question labels (the citizen pages' shared labelling).
fn answers_view(
    refs: &Refs,
    i18n: I18n,
    category: &CategoryId,
    answers: &augenmerk_domain::report::Answers,
) -> impl IntoView + use<> {
    let questions: Vec<augenmerk_domain::Question> = refs
        .tree
        .effective_questions(category)
        .unwrap_or_default()
        .into_iter()
        .cloned()
        .collect();
    let values: Vec<(String, serde_json::Value)> = answers
        .iter()
        .map(|(id, a)| {
            (
                id.to_string(),
                serde_json::to_value(a).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    let rows = shown_answers(&i18n, &questions, &values);
    (!rows.is_empty()).then(|| {
        view! {
            <dl class="case-answers" data-testid="case-answers">
                {rows.into_iter().map(|a| view! {
                    <div class="case-answers__row"><dt>{a.question}</dt><dd>{a.answer}</dd></div>
                }).collect_view()}
            </dl>
        }
    })
}

/// Which rule routed the report and why (the decisive rule's conditions).
fn routing_view(refs: &Refs, lang: Lang, i18n: I18n, d: &StaffReportDetail) -> impl IntoView + use<> {
    let routed_by = d.report.routed_by.as_ref().map(|r| r.to_string());
    let Some(eval) = d.routing.clone() else {
        return view! { <p class="kern-body kern-body--small">{i18n.t("c-case-no-routing")}</p> }.into_any();
    };
    let decisive = eval.trace.iter().find(|t| t.matched).cloned();
    let action = &eval.action;
    let mut effects = Vec::new();
    if let Some(dep) = &action.department {
        effects.push(format!(
            "{}: {}",
            i18n.t("c-filter-department"),
            refs.department_name(dep.as_str())
        ));
    }
    if let Some(u) = &action.assignee {
        effects.push(format!(
            "{}: {}",
            i18n.t("c-case-assignee"),
            refs.user_name(&u.to_string())
        ));
    }
    if let Some(a) = &action.forward_to {
        effects.push(format!(
            "{}: {}",
            i18n.t("c-case-forward-to"),
            refs.authority_name(a.as_str())
        ));
    }
    if let Some(p) = action.priority {
        effects.push(format!("{}: {}", i18n.t("c-col-priority"), i18n.t(priority_key(p))));
    }
    if let Some(h) = action.due_hours {
        effects.push(i18n.t_args("c-rule-due-hours", &[("hours", f64::from(h).into())]));
    }
    match decisive {
        Some(rule) => view! {
            <p class="kern-body" data-testid="case-routing-rule" data-rule=rule.rule.to_string()>
                <strong>{rule.name.clone()}</strong>
                {(routed_by.as_deref() != Some(rule.rule.as_str())).then(|| view! {
                    <span class="kern-hint">" "{i18n.t("c-case-routing-now")}</span> })}
            </p>
            <ul class="routing-reasons">
                {if rule.conditions.is_empty() {
                    view! { <li>{i18n.t("c-rule-default")}</li> }.into_any()
                } else {
                    rule.conditions.iter().map(|c| view! { <li>{lang.pick(&c.explanation).to_owned()}</li> }).collect_view().into_any()
                }}
            </ul>
            {(!effects.is_empty()).then(|| view! {
                <p class="kern-body kern-body--small console-muted">{effects.join(" · ")}</p>
            })}
        }
        .into_any(),
        None => view! { <p class="kern-body kern-body--small">{i18n.t("c-case-no-rule-matched")}</p> }.into_any(),
    }
}

fn actor_text(i18n: I18n, actor: &Actor) -> String {
    match actor {
        Actor::System => i18n.t("c-actor-system"),
        Actor::Citizen { .. } => i18n.t("message-citizen"),
        Actor::Staff { name, .. } => name.clone(),
        Actor::Authority { authority } => use_console().refs.with(|r| r.authority_name(authority.as_str())),
    }
}

fn audit_text(refs: &Refs, lang: Lang, i18n: I18n, e: &AuditEntry) -> String {
    let status = |s: &Status| lang.pick(&s.label()).to_owned();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    match &e.action {
        AuditAction::Created { channel } => {
            i18n.t_args("c-audit-created", &[("channel", i18n.t(channel_key(*channel)).into())])
        }
        AuditAction::StatusChanged { from, to, .. } => i18n.t_args(
            "c-audit-status",
            &[("from", status(from).into()), ("to", status(to).into())],
        ),
        AuditAction::Recategorised { from, to } => i18n.t_args(
            "c-audit-category",
            &[
                ("from", refs.category_name(lang, from.as_str()).into()),
                ("to", refs.category_name(lang, to.as_str()).into()),
            ],
        ),
        AuditAction::Assigned {
            to_department, to_user, ..
        } => i18n.t_args(
            "c-audit-assigned",
            &[
                (
                    "department",
                    opt(to_department.as_ref().map(|d| refs.department_name(d.as_str()))).into(),
                ),
                (
                    "user",
                    opt(to_user.as_ref().map(|u| refs.user_name(&u.to_string()))).into(),
                ),
            ],
        ),
        AuditAction::Routed { rule } => match rule {
            Some(r) => i18n.t_args("c-audit-routed", &[("rule", r.to_string().into())]),
            None => i18n.t("c-audit-routed-none"),
        },
        AuditAction::ForwardedTo { authority } => i18n.t_args(
            "c-audit-forwarded",
            &[("authority", refs.authority_name(authority.as_str()).into())],
        ),
        AuditAction::ExternalAccepted {
            authority,
            service_request_id,
        } => i18n.t_args(
            "c-audit-external-accepted",
            &[
                ("authority", refs.authority_name(authority.as_str()).into()),
                ("number", service_request_id.clone().into()),
            ],
        ),
        AuditAction::ExternalUpdate { authority, status, .. } => i18n.t_args(
            "c-audit-external-update",
            &[
                ("authority", refs.authority_name(authority.as_str()).into()),
                ("status", status.clone().into()),
            ],
        ),
        AuditAction::MarkedDuplicate { of } => i18n.t_args(
            "c-audit-duplicate",
            &[("of", of.to_string().chars().take(8).collect::<String>().into())],
        ),
        AuditAction::PriorityChanged { from, to } => i18n.t_args(
            "c-audit-priority",
            &[
                ("from", i18n.t(priority_key(*from)).into()),
                ("to", i18n.t(priority_key(*to)).into()),
            ],
        ),
        AuditAction::DueChanged { to, .. } => i18n.t_args(
            "c-audit-due",
            &[("to", opt(to.map(|t| format::date_time(lang, t))).into())],
        ),
        AuditAction::PersonalDataRemoved { reason, scope } => i18n.t_args(
            "c-audit-personal-data-removed",
            &[
                ("scope", i18n.t(super::privacy_requests::scope_key(*scope)).into()),
                ("reason", i18n.t(super::privacy_requests::reason_key(*reason).1).into()),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augenmerk_domain::category::{Category, CategoryTree};

    fn cat(id: &str, active: bool, subs: Vec<Category>) -> Category {
        let mut c = Category::new(CategoryId::parse(id).expect("id"), id, id);
        c.active = active;
        c.subcategories = subs;
        c
    }

    fn refs() -> Refs {
        let tree = CategoryTree {
            categories: vec![
                cat(
                    "road",
                    true,
                    vec![cat("pothole", true, vec![]), cat("sign", false, vec![])],
                ),
                cat("old", false, vec![cat("bench", true, vec![])]),
            ],
        };
        Refs {
            tree,
            ..Refs::default()
        }
    }

    fn ids(options: &[(String, String)]) -> Vec<&str> {
        options.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn inactive_categories_are_offered_only_to_a_report_already_filed_on_one() {
        let r = refs();
        assert_eq!(ids(&leaf_options(&r, Lang::De, None)), ["pothole"]);
        assert_eq!(ids(&leaf_options(&r, Lang::De, Some("pothole"))), ["pothole"]);
        assert_eq!(ids(&leaf_options(&r, Lang::De, Some("sign"))), ["pothole", "sign"]);
        // Active itself, but under a group that was switched off.
        let under_old = leaf_options(&r, Lang::De, Some("bench"));
        assert_eq!(ids(&under_old), ["pothole", "bench"]);
        assert_eq!(under_old[1].1, "old › bench");
    }
}
