//! A field worker's case, offline: photos, answers, place, the thread with the citizen and
//! the internal notes; change the status (with a completion photo), add a note, write to
//! the citizen. Everything is queued and sent later; the server's refusals are shown.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::Status;
use augenmerk_domain::device::{ActionState, FieldAction, LocalCase};
use augenmerk_domain::public::AnonymizedPhoto;

use crate::backend::Backend;
use crate::backend::UiError;
use crate::components::answers::AnswerList;
use crate::components::errors::ErrorAlert;
use crate::components::photo::photo_src_signal;
use crate::components::thread::{MessageThread, ThreadMessage};
use crate::format;
use crate::i18n::use_i18n;
use crate::map;
use crate::shell::use_ctx;

/// The element of the case's map.
const MAP_ID: &str = "case-map";

/// A `geo:` URI (RFC 5870) of the place: a phone opens it in the worker's navigation app.
pub fn geo_uri(lat: f64, lon: f64) -> String {
    format!("geo:{lat:.6},{lon:.6}")
}

/// The case page's state (copyable: signals and stored values).
#[derive(Clone, Copy)]
struct FieldCase {
    id: StoredValue<String>,
    backend: StoredValue<Backend>,
    case: RwSignal<Option<LocalCase>>,
    error: RwSignal<Option<UiError>>,
    notice: RwSignal<Option<String>>,
    /// The case left this device's list: closed, or assigned to someone else.
    gone: RwSignal<bool>,
    target: RwSignal<Option<Status>>,
    comment: RwSignal<String>,
    /// Photos of the finished work, sent with the transition.
    completion: RwSignal<Vec<AnonymizedPhoto>>,
    note: RwSignal<String>,
    message: RwSignal<String>,
    busy: RwSignal<bool>,
}

impl FieldCase {
    fn new(id: String, backend: Backend) -> Self {
        Self {
            id: StoredValue::new(id),
            backend: StoredValue::new(backend),
            case: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            gone: RwSignal::new(false),
            target: RwSignal::new(None),
            comment: RwSignal::new(String::new()),
            completion: RwSignal::new(Vec::new()),
            note: RwSignal::new(String::new()),
            message: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
        }
    }

    fn load(self) {
        let Self {
            case,
            error,
            notice,
            gone,
            ..
        } = self;
        let (backend, id) = (self.backend.get_value(), self.id.get_value());
        leptos::task::spawn_local(async move {
            match backend.case_detail(&id).await {
                Ok(c) => {
                    error.set(None);
                    case.set(Some(c));
                }
                Err(e) if e.code.as_deref() == Some("not_found") => {
                    case.set(None);
                    notice.set(None);
                    gone.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    }

    /// Ends an action: tells `done` and reloads, or shows the error.
    fn after(self, result: Result<(), UiError>, done: &str) {
        self.busy.set(false);
        match result {
            Ok(()) => {
                self.error.set(None);
                self.notice.set(Some(done.to_owned()));
                self.load();
            }
            Err(e) => self.error.set(Some(e)),
        }
    }

    fn add_completion_photo(self, ev: web_sys::Event) {
        let Self {
            busy,
            completion,
            error,
            ..
        } = self;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let backend = self.backend.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let bytes = JsFuture::from(file.array_buffer())
                .await
                .map(|b| js_sys::Uint8Array::new(&b).to_vec());
            let result = match bytes {
                Ok(bytes) => backend.add_photo(bytes, &[]).await,
                Err(e) => Err(UiError::unexpected(format!("{e:?}"))),
            };
            busy.set(false);
            match result {
                Ok(p) => completion.update(|c| c.push(p)),
                Err(e) => error.set(Some(e)),
            }
        });
    }

    fn transition(self, ev: web_sys::SubmitEvent) {
        let Self {
            target,
            case,
            comment,
            completion,
            busy,
            ..
        } = self;
        ev.prevent_default();
        let (Some(to), Some(c)) = (target.get_untracked(), case.get_untracked()) else {
            return;
        };
        let (backend, id) = (self.backend.get_value(), self.id.get_value());
        let text = Some(comment.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let photos = completion.get_untracked().into_iter().map(|p| p.hash).collect();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = backend
                .queue_transition(&id, to, c.local_status, text, photos)
                .await
                .map(|_| ());
            if result.is_ok() {
                comment.set(String::new());
                completion.set(Vec::new());
                target.set(None);
            }
            self.after(result, "case-action-queued");
        });
    }

    fn add_note(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let body = self.note.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let (backend, id) = (self.backend.get_value(), self.id.get_value());
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = backend.queue_note(&id, body.trim()).await.map(|_| ());
            if result.is_ok() {
                self.note.set(String::new());
            }
            self.after(result, "case-action-queued");
        });
    }

    fn send_message(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let body = self.message.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let (backend, id) = (self.backend.get_value(), self.id.get_value());
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = backend.queue_case_message(&id, body.trim()).await.map(|_| ());
            if result.is_ok() {
                self.message.set(String::new());
            }
            self.after(result, "case-action-queued");
        });
    }

    /// Drops a queued action the server refused.
    fn dismiss(self, action: String) {
        let backend = self.backend.get_value();
        leptos::task::spawn_local(async move {
            let _ = backend.dismiss_action(&action).await;
            self.load();
        });
    }
}

/// The case page.
#[component]
pub fn Case(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let s = FieldCase::new(id, ctx.backend.clone());
    let FieldCase {
        case,
        error,
        notice,
        gone,
        ..
    } = s;
    s.load();
    // "Queued" is no longer true once a sync went through.
    crate::shell::reload_after_sync(ctx.sync, move || {
        notice.set(None);
        s.load();
    });

    // The place on a map once the case is shown (without tiles: the coordinates alone).
    let map_shown = RwSignal::new(false);
    {
        let ctx = ctx.clone();
        Effect::new(move |_| {
            let Some(c) = case.get() else {
                return;
            };
            let r = &c.detail.report;
            let point = map::Point {
                lat: r.location.lat,
                lon: r.location.lon,
                label: c.detail.category_name.clone(),
                href: String::new(),
            };
            map_shown.set(map::spot(MAP_ID, &ctx.tiles(), &point));
        });
    }
    on_cleanup(|| map::remove(MAP_ID));

    let content = move || {
        case.get().map(|c| {
            let lang = i18n.lang();
            let d = c.detail.clone();
            let r = d.report.clone();
            // Only steps the device can queue: forwarding and marking a duplicate need a
            // target (authority, original) that only the console offers.
            let next: Vec<Status> = c.local_status.next_without_target().collect();
            let actions = c.actions.clone();
            view! {
                <article class="case" data-testid="case-detail" data-status=c.local_status.as_str()>
                    <h1 class="kern-heading-large">{d.category_name.clone()}</h1>
                    <p class="kern-body kern-body--small kern-body--muted">
                        {lang.pick(&c.local_status.label()).to_owned()}" · "{format::date_time(lang, r.created_at)}
                    </p>
                    <p class="kern-body">{r.description.clone()}</p>
                    <section aria-labelledby="place-heading" class="case-place">
                        <h2 class="kern-heading-small" id="place-heading">{move || i18n.t("case-place")}</h2>
                        <p class="kern-body kern-body--bold" data-testid="case-address">
                            {r.address_hint.clone().unwrap_or_else(|| format::coordinates(r.location.lat, r.location.lon))}</p>
                        <p class="kern-body kern-body--small">{format::coordinates(r.location.lat, r.location.lon)}</p>
                        <p><a class="kern-btn kern-btn--secondary" data-testid="case-navigate"
                            href=geo_uri(r.location.lat, r.location.lon)>
                            <span class="kern-icon kern-icon--open-in-new" aria-hidden="true"></span>
                            <span class="kern-label">{move || i18n.t("case-navigate")}</span></a></p>
                        <div id=MAP_ID class="map map--small" class:map--hidden=move || !map_shown.get() role="region"
                            data-testid="case-map" aria-label=move || i18n.t("case-map")></div>
                    </section>
                    <ul class="photo-strip">
                        {r.photos.iter().cloned().map(|h| {
                            let src = photo_src_signal(h);
                            view! { <li>{move || src.get().map(|s| view! { <img src=s alt=move || i18n.t("photo-of-report") /> })}</li> }
                        }).collect_view()}
                    </ul>
                    <AnswerList municipality={r.municipality.as_str().to_owned()} category={r.category.clone()}
                        answers={r.answers.iter().filter_map(|(k, v)| Some((k.to_string(), serde_json::to_value(v).ok()?))).collect::<Vec<_>>()} />

                    {(!actions.is_empty()).then(|| queued_actions(s, actions))}
                    {transition_section(s, next)}
                    {thread_section(s, &d)}
                    {notes_section(s, &d)}
                </article>
            }
        })
    };
    view! {
        <div class="page">
            <p><a class="kern-link" href="#/field">
                <span class="kern-icon kern-icon--arrow-back kern-icon--small" aria-hidden="true"></span>
                {move || i18n.t("back-to-cases")}</a></p>
            <ErrorAlert error=error.into() />
            {move || notice.get().map(|key| view! { <p class="kern-alert kern-alert--success" role="status">{i18n.t(&key)}</p> })}
            <Show when=move || gone.get()>
                <div class="kern-alert kern-alert--info" role="status" data-testid="case-gone">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                        <span class="kern-title">{move || i18n.t("case-gone")}</span>
                    </div>
                </div>
            </Show>
            {content}
        </div>
    }
}

/// The actions waiting for the network, and those the server refused (to dismiss).
fn queued_actions(s: FieldCase, actions: Vec<augenmerk_domain::device::LocalAction>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    view! {
        <section aria-labelledby="queued-heading" class="queued">
            <h2 class="kern-heading-small" id="queued-heading">{move || i18n.t("case-queued")}</h2>
            <ul class="kern-list">
                {actions.into_iter().map(|a| {
                    let aid = a.id.to_string();
                    let conflicted = a.state == ActionState::Conflicted;
                    let what = match &a.action {
                        FieldAction::Transition { to, .. } => format!("{} → {}", i18n.t("case-transition"), lang.pick(&to.label())),
                        FieldAction::Note { .. } => i18n.t("case-note"),
                        FieldAction::Message { .. } => i18n.t("case-message"),
                    };
                    view! {
                        <li data-testid="case-action" data-state=a.state.as_str()>
                            <span class="kern-body">{what}</span>" "
                            {if conflicted {
                                view! {
                                    <span class="kern-badge kern-badge--danger"><span class="kern-label kern-label--small">{i18n.t("case-conflict")}</span></span>
                                    <p class="kern-error" data-testid="case-conflict">{a.error.clone().unwrap_or_default()}</p>
                                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                                        on:click=move |_| s.dismiss(aid.clone())>
                                        <span class="kern-label">{i18n.t("case-dismiss")}</span></button>
                                }.into_any()
                            } else {
                                view! { <span class="kern-badge kern-badge--warning"><span class="kern-label kern-label--small">{i18n.t("state-waiting-for-network")}</span></span> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The next status, with a comment and photos of the finished work.
fn transition_section(s: FieldCase, next: Vec<Status>) -> impl IntoView {
    let i18n = use_i18n();
    let FieldCase {
        target,
        comment,
        completion,
        busy,
        ..
    } = s;
    view! {
        <section aria-labelledby="transition-heading" class="form-section">
            <h2 class="kern-heading-small" id="transition-heading">{move || i18n.t("case-transition")}</h2>
            <form on:submit=move |ev| s.transition(ev)>
                <fieldset class="kern-fieldset">
                    <legend class="kern-label">{move || i18n.t("case-new-status")}</legend>
                    <div class="kern-fieldset__body">
                        {next.into_iter().map(|s| {
                            let rid = format!("to-{}", s.as_str());
                            view! {
                                <div class="kern-form-check">
                                    <input class="kern-form-check__radio" type="radio" name="to" id=rid.clone()
                                        data-testid="case-to" value=s.as_str()
                                        prop:checked=move || target.get() == Some(s)
                                        on:change=move |_| target.set(Some(s)) />
                                    <label class="kern-label" for=rid>{move || i18n.lang().pick(&s.label()).to_owned()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <div class="kern-form-input">
                    <label class="kern-label" for="case-comment">{move || i18n.t("case-comment")}</label>
                    <textarea id="case-comment" class="kern-form-input__input" rows="2" data-testid="case-comment"
                        prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <p class="kern-hint">{move || i18n.t("case-comment-help")}</p>
                </div>
                <div class="kern-form-input">
                    <label class="kern-btn kern-btn--secondary" for="case-photo">
                        <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("case-photo")}</span></label>
                    <input id="case-photo" class="kern-sr-only" type="file" accept="image/jpeg,image/png,image/webp"
                        data-testid="case-photo" on:change=move |ev| s.add_completion_photo(ev) />
                    <p class="kern-hint" data-testid="case-photo-count">
                        {move || i18n.t_args("case-photos-added", &[("count", (completion.get().len() as f64).into())])}</p>
                </div>
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="case-transition-submit"
                    disabled=move || busy.get() || target.get().is_none()>
                    <span class="kern-label">{move || i18n.t("case-transition-submit")}</span>
                </button>
            </form>
        </section>
    }
}

/// The thread with the citizen and the form to write.
fn thread_section(s: FieldCase, d: &augenmerk_domain::staff::StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let FieldCase { message, busy, .. } = s;
    view! {
        <section aria-labelledby="thread-heading" class="form-section">
            <h2 class="kern-heading-small" id="thread-heading">{move || i18n.t("thread")}</h2>
            <MessageThread messages=d.messages.iter().map(ThreadMessage::from).collect()
                citizen="message-citizen" testid="message" />
            <form on:submit=move |ev| s.send_message(ev)>
                <div class="kern-form-input">
                    <label class="kern-label" for="case-message">{move || i18n.t("case-message")}</label>
                    <textarea id="case-message" class="kern-form-input__input" rows="2" data-testid="case-message"
                        prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="kern-btn kern-btn--secondary" disabled=move || busy.get()>
                    <span class="kern-label">{move || i18n.t("case-message-send")}</span></button>
            </form>
        </section>
    }
}

/// The internal notes and the form to add one.
fn notes_section(s: FieldCase, d: &augenmerk_domain::staff::StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let FieldCase { note, busy, .. } = s;
    view! {
        <section aria-labelledby="notes-heading" class="form-section notes">
            <h2 class="kern-heading-small" id="notes-heading">{move || i18n.t("case-notes")}
                " "<span class="kern-badge kern-badge--warning"><span class="kern-label kern-label--small">{move || i18n.t("internal")}</span></span></h2>
            <ul class="thread">
                {d.notes.iter().map(|n| view! {
                    <li class="message message--note" data-testid="note">
                        <p class="kern-body kern-body--small kern-body--bold">{n.author_name.clone()}" · "{format::date_time(lang, n.created_at)}</p>
                        <p class="kern-body">{n.body.clone()}</p>
                    </li>
                }).collect_view()}
            </ul>
            <form on:submit=move |ev| s.add_note(ev)>
                <div class="kern-form-input">
                    <label class="kern-label" for="case-note">{move || i18n.t("case-note")}</label>
                    <textarea id="case-note" class="kern-form-input__input" rows="2" data-testid="case-note"
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="kern-btn kern-btn--secondary" disabled=move || busy.get()>
                    <span class="kern-label">{move || i18n.t("case-note-add")}</span></button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_navigation_link_is_a_geo_uri_of_the_place() {
        assert_eq!(super::geo_uri(54.81, 9.48), "geo:54.810000,9.480000");
        assert_eq!(super::geo_uri(54.7937123456, -0.5), "geo:54.793712,-0.500000");
    }
}
