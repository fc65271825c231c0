//! A report's case page: what the citizen sent (anonymized photos, place, category and
//! answers under their question labels, description), how the rules routed it and why,
//! the audit trail, the thread with the citizen and the internal notes (marked "intern").
//! Actions: change the status with a public comment (forward to an authority, mark as a
//! duplicate of a nearby report), re-categorise and re-route, assign, write to the
//! citizen with reply templates, add a note, choose what the public map shows of it.
//!
//! The page's state is one copyable [`Case`] whose methods do the actions; the cards of
//! the two columns live in `main` and `side`, their texts in `text`.

mod citizen;
mod duplicates;
mod main;
mod side;
mod text;

use leptos::prelude::*;

use augenmerk_domain::api::{NewMessage, NewNote, ReportUpdate, TransitionRequest};
use augenmerk_domain::public_map::Publication;
use augenmerk_domain::report::Priority;
use augenmerk_domain::staff::{StaffReportDetail, StaffReportSummary};
use augenmerk_domain::templates::ReplyTemplate;
use augenmerk_domain::{ActionId, AuthorityId, CategoryId, DepartmentId, MessageId, NoteId, ReportId, Status, UserId};

use super::api::{Api, use_api};
use super::map::{Pin, area_shapes, draw, remove};
use super::widgets::{Notice, PriorityBadge, overdue_badge, status_badge};
use super::{Page, Refs, use_console};
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::format;
use crate::i18n::use_i18n;
use text::{channel_key, responsible};

pub use text::leaf_options;

/// The case page's state: the report as loaded and the forms' fields (copyable: signals).
#[derive(Clone, Copy)]
struct Case {
    /// The report's id.
    id: StoredValue<String>,
    api: Api,
    refs: RwSignal<Refs>,
    detail: RwSignal<Option<StaffReportDetail>>,
    error: RwSignal<Option<UiError>>,
    notice: RwSignal<Option<&'static str>>,
    templates: RwSignal<Vec<ReplyTemplate>>,
    nearby: RwSignal<Vec<StaffReportSummary>>,
    /// The photos' hashes with their object URLs once loaded.
    photos: RwSignal<Vec<(String, Option<String>)>>,
    busy: RwSignal<bool>,
    // Form state.
    target: RwSignal<String>,
    comment: RwSignal<String>,
    forward_to: RwSignal<String>,
    duplicate_of: RwSignal<String>,
    category: RwSignal<String>,
    department: RwSignal<String>,
    assignee: RwSignal<String>,
    priority: RwSignal<String>,
    reroute: RwSignal<bool>,
    message: RwSignal<String>,
    note: RwSignal<String>,
    /// The duplicate suggestions.
    dups: duplicates::Suggestions,
    /// The public map shows the exact position, not the grid cell.
    exact: RwSignal<bool>,
    /// The citizen's text and photos may be published.
    approved: RwSignal<bool>,
}

impl Case {
    fn new(id: String) -> Self {
        Self {
            id: StoredValue::new(id),
            api: use_api(),
            refs: use_console().refs,
            detail: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            templates: RwSignal::new(Vec::new()),
            nearby: RwSignal::new(Vec::new()),
            photos: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
            target: RwSignal::new(String::new()),
            comment: RwSignal::new(String::new()),
            forward_to: RwSignal::new(String::new()),
            duplicate_of: RwSignal::new(String::new()),
            category: RwSignal::new(String::new()),
            department: RwSignal::new(String::new()),
            assignee: RwSignal::new(String::new()),
            priority: RwSignal::new(String::new()),
            reroute: RwSignal::new(false),
            message: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            dups: duplicates::Suggestions::new(),
            exact: RwSignal::new(false),
            approved: RwSignal::new(false),
        }
    }

    /// Loads the report (again) and the photos not yet shown.
    fn load(self) {
        let Self { api, photos, .. } = self;
        let id = self.id.get_value();
        leptos::task::spawn_local(async move {
            match api.report(&id).await {
                Ok(d) => {
                    let r = &d.report;
                    self.category.set(r.category.to_string());
                    self.department
                        .set(r.department.as_ref().map(|d| d.to_string()).unwrap_or_default());
                    self.assignee.set(r.assignee.map(|u| u.to_string()).unwrap_or_default());
                    self.priority.set(r.priority.as_str().to_owned());
                    self.target.set(String::new());
                    self.exact.set(d.publication.exact);
                    self.approved.set(d.publication.approved);
                    let known: Vec<String> = photos.with_untracked(|p| p.iter().map(|(h, _)| h.clone()).collect());
                    for h in &r.photos {
                        let hash = h.as_str().to_owned();
                        if known.contains(&hash) {
                            continue;
                        }
                        photos.update(|p| p.push((hash.clone(), None)));
                        leptos::task::spawn_local(async move {
                            if let Ok(url) = api.photo_url(&hash).await {
                                photos.update(|p| {
                                    if let Some(slot) = p.iter_mut().find(|(h, _)| *h == hash) {
                                        slot.1 = Some(url);
                                    }
                                });
                            }
                        });
                    }
                    self.detail.set(Some(d));
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// Loads what the forms offer: reply templates and nearby reports (duplicates).
    /// A failed request is tried twice more (a busy server, a network hiccup) and then
    /// shown: an empty template list must not pass for "no templates".
    fn load_offers(self) {
        let id = self.id.get_value();
        leptos::task::spawn_local(async move {
            let mut wait_ms = 1_000;
            for attempt in 1..=3 {
                match self.api.reply_templates(&id).await {
                    Ok(t) => {
                        self.templates.set(t);
                        break;
                    }
                    Err(e) if attempt == 3 => self.error.set(Some(e)),
                    Err(_) => {
                        gloo_timers::future::TimeoutFuture::new(wait_ms).await;
                        wait_ms *= 2;
                    }
                }
            }
            if let Ok(n) = self.api.nearby(&id).await {
                self.nearby.set(n);
            }
        });
    }

    /// Ends an action: announces `key` and reloads, or shows the error.
    fn done(self, result: Result<(), UiError>, key: &'static str) {
        self.busy.set(false);
        match result {
            Ok(()) => {
                self.error.set(None);
                self.notice.set(Some(key));
                self.load();
            }
            Err(e) => {
                self.notice.set(None);
                self.error.set(Some(e));
            }
        }
    }

    fn transition(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let Some(to) = Status::parse(&self.target.get_untracked()) else {
            self.error.set(Some(UiError::localized("c-e-choose-status")));
            return;
        };
        let expected = self.detail.with_untracked(|d| d.as_ref().map(|d| d.report.status));
        let request = TransitionRequest {
            to,
            public_comment: Some(self.comment.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
            forward_to: (to == Status::Forwarded)
                .then(|| AuthorityId::parse(&self.forward_to.get_untracked()).ok())
                .flatten(),
            duplicate_of: (to == Status::Duplicate)
                .then(|| self.duplicate_of.get_untracked().trim().parse::<ReportId>().ok())
                .flatten(),
            expected_status: expected,
            id: Some(ActionId::new_random()),
            photos: Vec::new(),
        };
        let id = self.id.get_value();
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = self.api.transition(&id, &request).await;
            if result.is_ok() {
                self.comment.set(String::new());
            }
            self.done(result, "c-case-status-saved");
        });
    }

    fn update_handling(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let Some(d) = self.detail.get_untracked() else { return };
        let r = &d.report;
        let new_category = CategoryId::parse(&self.category.get_untracked())
            .ok()
            .filter(|c| c != &r.category);
        let new_department = DepartmentId::parse(&self.department.get_untracked())
            .ok()
            .filter(|x| Some(x) != r.department.as_ref());
        let chosen_user = self.assignee.get_untracked();
        let new_assignee = chosen_user.parse::<UserId>().ok().filter(|u| Some(*u) != r.assignee);
        let new_priority = Priority::parse(&self.priority.get_untracked()).filter(|p| *p != r.priority);
        let update = ReportUpdate {
            category: new_category,
            department: new_department,
            assignee: new_assignee,
            clear_assignee: chosen_user.is_empty() && r.assignee.is_some(),
            priority: new_priority,
            due_at: None,
            reroute: self.reroute.get_untracked(),
        };
        let id = self.id.get_value();
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = self.api.update_report(&id, &update).await;
            if result.is_ok() {
                self.reroute.set(false);
            }
            self.done(result, "c-case-handling-saved");
        });
    }

    fn save_publication(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let publication = Publication {
            exact: self.exact.get_untracked(),
            approved: self.approved.get_untracked(),
        };
        let id = self.id.get_value();
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = self.api.set_publication(&id, &publication).await;
            self.done(result, "c-case-publication-saved");
        });
    }

    fn send_message(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let body = self.message.get_untracked().trim().to_owned();
        if body.is_empty() {
            return;
        }
        let id = self.id.get_value();
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let request = NewMessage {
                id: Some(MessageId::new_random()),
                body,
            };
            let result = self.api.send_message(&id, &request).await;
            if result.is_ok() {
                self.message.set(String::new());
            }
            self.done(result, "c-case-message-sent");
        });
    }

    fn add_note(self, ev: web_sys::SubmitEvent) {
        ev.prevent_default();
        let body = self.note.get_untracked().trim().to_owned();
        if body.is_empty() {
            return;
        }
        let id = self.id.get_value();
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let request = NewNote {
                id: Some(NoteId::new_random()),
                body,
            };
            let result = self.api.add_note(&id, &request).await;
            if result.is_ok() {
                self.note.set(String::new());
            }
            self.done(result, "c-case-note-added");
        });
    }
}

/// The case page.
#[component]
pub fn CasePage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let console = use_console();
    let case = Case::new(id);
    let Case {
        refs,
        detail,
        error,
        notice,
        ..
    } = case;
    case.load();
    case.load_offers();
    case.dups.load(case);

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

    let content = move || {
        detail.get().map(|d| {
            let lang = i18n.lang();
            let rf = refs.get();
            let r = d.report.clone();
            let id = r.id.to_string();
            let short: String = id.chars().take(8).collect();
            let title = rf.category_name(lang, r.category.as_str());
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
                                {duplicates::count_badge(&d)}
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
                            {main::report_card(case, &d, &rf)}
                            {main::place_card(&d, &rf)}
                            {main::thread_card(case, &d)}
                            {main::notes_card(case, &d)}
                            {main::audit_card(&d, &rf)}
                            <super::deliveries::Deliveries id=id.clone() />
                        </div>
                        <aside class="case-side" aria-label=i18n.t("c-case-actions")>
                            {citizen::citizen_card(&d)}
                            {duplicates::suggestions_card(case, case.dups, &d)}
                            {side::transition_card(case, &d)}
                            {side::handling_card(case, &d, &rf)}
                            {side::publication_card(case)}
                            {side::routing_card(&d, &rf)}
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
