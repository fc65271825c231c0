//! The report form's parts after the place: the error summary, the category with the
//! "already reported?" list, the category's questions, and description, contact and
//! consent.

use leptos::prelude::*;

use augenmerk_domain::ReportId;
use augenmerk_domain::public::NearbyReport;

use super::{Form, focus};
use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem, field_anchor, field_label, problem_text};
use crate::draft::mailed_to;
use crate::format;
use crate::i18n::use_i18n;
use crate::pages::report_form::{CategoryPicker, Questions};
use crate::route::Route;

/// The list of problems at the top of the form, each a link to its field.
pub(super) fn error_summary(f: Form) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let Form {
        draft,
        config,
        problems,
        ..
    } = f;
    let question_label = move |id: &str| -> Option<String> {
        let config = config.get()?;
        let category = draft.with(|d| d.category.clone())?;
        let questions = config.categories.effective_questions(&category)?;
        let q = questions.into_iter().find(|q| q.id.as_str() == id)?;
        Some(i18n.lang().choose(&q.de, &q.en).to_owned())
    };
    let list = problems.get();
    (!list.is_empty()).then(|| {
        view! {
            <div class="kern-alert kern-alert--danger" id="error-summary" tabindex="-1" role="alert"
                data-testid="error-summary">
                <div class="kern-alert__header">
                    <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                    <span class="kern-title">{i18n.t("errors-title")}</span>
                </div>
                <div class="kern-alert__body">
                    <ul class="kern-list">
                        {list.into_iter().map(|p| {
                            let href = format!("#{}", field_anchor(&p.field));
                            let text = format!("{}: {}", field_label(&i18n, &p.field, question_label), problem_text(&i18n, &p));
                            let anchor = field_anchor(&p.field);
                            view! { <li><a class="kern-link" href=href on:click=move |ev| {
                                ev.prevent_default();
                                focus(&anchor);
                            }>{text}</a></li> }
                        }).collect_view()}
                    </ul>
                </div>
            </div>
        }
    })
}

/// The category section: the picker (once the place is known) and the reports nearby.
pub(super) fn category_section(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let Form {
        draft,
        config,
        problems,
        ..
    } = f;
    let on_select_category = Callback::new(move |id| f.select_category(id));
    let category_view = move || {
        let Some(config) = config.get() else {
            return view! { <p class="kern-hint">{move || i18n.t("category-needs-location")}</p> }.into_any();
        };
        let selected = Signal::derive(move || draft.with(|d| d.category.clone()));
        view! {
            <CategoryPicker tree=config.categories.clone() selected=selected on_select=on_select_category problems=problems />
        }
        .into_any()
    };
    view! {
        <section class="form-section" aria-labelledby="category-heading">
            <h2 class="kern-heading-small" id="category-heading">{move || i18n.t("section-category")}</h2>
            {category_view}
            <Nearby form=f />
        </section>
    }
}

/// The chosen category's questions, if it has any.
pub(super) fn questions_section(f: Form) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let Form {
        draft,
        config,
        problems,
        ..
    } = f;
    let on_answer = Callback::new(move |answer| f.answer(answer));
    let config = config.get()?;
    let category = draft.with(|d| d.category.clone())?;
    let questions: Vec<_> = config
        .categories
        .effective_questions(&category)?
        .into_iter()
        .cloned()
        .collect();
    if questions.is_empty() {
        return None;
    }
    let answers = Signal::derive(move || draft.with(|d| d.answers.clone()));
    Some(view! {
        <section class="form-section" aria-labelledby="questions-heading">
            <h2 class="kern-heading-small" id="questions-heading">{move || i18n.t("section-questions")}</h2>
            <Questions questions=questions answers=answers on_answer=on_answer problems=problems />
        </section>
    })
}

/// Description, e-mail, whether the address goes with a mailed report, and consent.
pub(super) fn details_section(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let Form {
        draft,
        config,
        problems,
        ..
    } = f;
    view! {
        <section class="form-section" aria-labelledby="details-heading">
            <h2 class="kern-heading-small" id="details-heading">{move || i18n.t("section-details")}</h2>
            <div class="kern-form-input">
                <label class="kern-label" for=field_anchor("description")>{move || i18n.t("description")}
                    <span class="kern-label__optional">{move || format!(" – {}", i18n.t("optional"))}</span></label>
                <textarea id=field_anchor("description") class="kern-form-input__input" rows="4" maxlength=augenmerk_domain::report::MAX_DESCRIPTION_CHARS.to_string()
                    data-testid="description" prop:value=move || draft.with(|d| d.description.clone())
                    on:input=move |ev| draft.update(|d| d.description = event_target_value(&ev))></textarea>
                <FieldProblem problems=problems field="description" />
            </div>
            <div class="kern-form-input">
                <label class="kern-label" for=field_anchor("contact_email")>{move || i18n.t("email")}
                    <span class="kern-label__optional">{move || format!(" – {}", i18n.t("optional"))}</span></label>
                <input id=field_anchor("contact_email") class="kern-form-input__input" type="email"
                    autocomplete="email" data-testid="email" prop:value=move || draft.with(|d| d.email.clone())
                    on:change=move |ev| draft.update(|d| d.email = event_target_value(&ev)) />
                <p class="kern-hint">{move || i18n.t("email-help")}</p>
                <FieldProblem problems=problems field="contact_email" />
            </div>
            {move || share_contact(f)}
            <div class="kern-form-check consent" id=field_anchor("consent")>
                <input class="kern-form-check__checkbox" type="checkbox" id="consent-input" data-testid="consent"
                    prop:checked=move || draft.with(|d| d.consent)
                    on:change=move |ev| draft.update(|d| d.consent = event_target_checked(&ev)) />
                <label class="kern-label" for="consent-input">{move || i18n.t("consent")}</label>
            </div>
            <FieldProblem problems=problems field="consent" />
            <crate::components::legal::ConsentNotice config=config />
        </section>
    }
}

/// Where the report is mailed to an administration not on the platform: whether the
/// citizen's address goes with it (only with an address; off unless chosen).
fn share_contact(f: Form) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let draft = f.draft;
    let to = draft.with(|d| d.chosen_municipality().and_then(mailed_to).map(str::to_owned))?;
    let no_email = move || draft.with(|d| d.email.trim().is_empty());
    Some(view! {
        <div class="share-contact">
            <div class="kern-form-check">
                <input class="kern-form-check__checkbox" type="checkbox" id="share-contact-input"
                    data-testid="share-contact" aria-describedby="share-contact-hint"
                    prop:disabled=no_email
                    prop:checked=move || draft.with(|d| d.share_contact && !d.email.trim().is_empty())
                    on:change=move |ev| draft.update(|d| d.share_contact = event_target_checked(&ev)) />
                <label class="kern-label" for="share-contact-input">
                    {let to = to.clone(); move || i18n.t_args("share-contact", &[("to", to.clone().into())])}
                </label>
            </div>
            <p class="kern-hint" id="share-contact-hint">
                {move || if no_email() { i18n.t("share-contact-needs-email") } else { i18n.t("share-contact-help") }}
            </p>
        </div>
    })
}

/// "Already reported?": open reports of the chosen category near the place, asked for
/// whenever the place or the category changes (not on every keystroke elsewhere); the
/// citizen may follow one instead of reporting again.
#[component]
fn Nearby(form: Form) -> impl IntoView {
    let i18n = use_i18n();
    let Form { draft, config, .. } = form;
    let nearby: RwSignal<Vec<NearbyReport>> = RwSignal::new(Vec::new());
    // Reports of that list the citizen chose to follow instead of reporting again.
    let following: RwSignal<Vec<ReportId>> = RwSignal::new(Vec::new());
    let follow_error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let follow = move |id: ReportId| {
        let backend = form.backend();
        leptos::task::spawn_local(async move {
            match backend.follow_report(&id.to_string()).await {
                Ok(_) => {
                    follow_error.set(None);
                    following.update(|f| f.push(id));
                }
                Err(e) => follow_error.set(Some(e)),
            }
        });
    };
    let nearby_key = Memo::new(move |_| draft.with(|d| Some((d.location()?, d.category.clone()?))));
    Effect::new(move |_| {
        let Some((at, category)) = nearby_key.get() else {
            nearby.set(Vec::new());
            return;
        };
        let backend = form.backend();
        leptos::task::spawn_local(async move {
            // Offline (or refused): nothing to offer, and the report works as before.
            let found = backend
                .nearby_reports(at.lat, at.lon, category.as_str())
                .await
                .unwrap_or_default();
            // Only if the citizen has not moved on to another place or category meanwhile.
            if nearby_key.get_untracked() == Some((at, category)) {
                nearby.set(found);
            }
        });
    });
    move || {
        let list = nearby.get();
        (!list.is_empty()).then(|| {
            let lang = i18n.lang();
            let tree = config.get().map(|c| c.categories);
            view! {
                <div class="kern-alert kern-alert--info nearby" role="status" data-testid="nearby">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                        <span class="kern-title">{i18n.t("nearby-title")}</span>
                    </div>
                    <div class="kern-alert__body">
                        <p class="kern-body">{i18n.t("nearby-lead")}</p>
                        <ul class="kern-list">
                            {list.into_iter().map(|n| {
                                let name = tree
                                    .as_ref()
                                    .and_then(|t| t.find(&n.category))
                                    .map(|c| lang.pick(&c.name()).to_owned())
                                    .unwrap_or_else(|| n.category.as_str().to_owned());
                                let text = i18n.t_args("nearby-item", &[
                                    ("status", lang.pick(&n.status.label()).to_owned().into()),
                                    ("date", format::date_time(lang, n.created_at).into()),
                                    ("distance", format::distance(lang, n.distance_m).into()),
                                ]);
                                let id = n.id;
                                let own = n.own;
                                let is_followed = move || following.with(|f| f.contains(&id));
                                view! {
                                    <li class="nearby__item" data-testid="nearby-report" data-report-id=n.id.to_string()>
                                        <span><strong>{name}</strong>": "{text}</span>
                                        {own.then(|| view! {
                                            <a class="kern-link" data-testid="nearby-own" href=Route::Report(id.to_string()).href()>
                                                {move || i18n.t("nearby-own")}</a>
                                        })}
                                        <Show when=move || !own && is_followed() fallback=move || {
                                            (!own).then(|| view! {
                                                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small"
                                                    data-testid="nearby-follow" on:click=move |_| follow(id)>
                                                    <span class="kern-label">{move || i18n.t("nearby-follow")}</span>
                                                </button>
                                            })
                                        }>
                                            <span class="nearby__following" data-testid="nearby-following">
                                                <span class="kern-icon kern-icon--check kern-icon--small" aria-hidden="true"></span>
                                                {move || i18n.t("nearby-following")}" "
                                                <a class="kern-link" href=Route::MyReports.href()>{move || i18n.t("nearby-see-followed")}</a>
                                            </span>
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <ErrorAlert error=follow_error.into() />
                    </div>
                </div>
            }
        })
    }
}
