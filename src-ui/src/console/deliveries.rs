//! The mails and forwardings about a case, on the case page: to whom, why, and whether
//! they went out (with the error of a failed attempt), so that staff can see that the
//! citizen, the department or the authority was told, or why not.

use leptos::prelude::*;

use augenmerk_domain::mail::{DeliveryChannel, DeliveryRecord, DeliveryState};

use super::api::use_api;
use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::format;
use crate::i18n::use_i18n;

fn state_view(state: DeliveryState) -> (&'static str, &'static str, &'static str) {
    match state {
        DeliveryState::Queued => ("queued", "c-delivery-queued", "kern-badge kern-badge--info"),
        DeliveryState::Retrying => ("retrying", "c-delivery-retrying", "kern-badge kern-badge--warning"),
        DeliveryState::Sent => ("sent", "c-delivery-sent", "kern-badge kern-badge--success"),
        DeliveryState::Failed => ("failed", "c-delivery-failed", "kern-badge kern-badge--danger"),
        DeliveryState::Suppressed => ("suppressed", "c-delivery-suppressed", "kern-badge"),
    }
}

/// The Fluent key of what a delivery was (a mail's kind, or an Open311 forwarding).
fn what_key(d: &DeliveryRecord) -> String {
    match (d.channel, d.kind) {
        (DeliveryChannel::Open311, _) => "c-delivery-open311".to_owned(),
        (DeliveryChannel::Mail, Some(kind)) => format!("c-mail-kind-{}", kind.as_str().replace('_', "-")),
        (DeliveryChannel::Mail, None) => "c-delivery-mail".to_owned(),
    }
}

/// The case's deliveries, newest first.
#[component]
pub fn Deliveries(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let list: RwSignal<Option<Vec<DeliveryRecord>>> = RwSignal::new(None);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let load = move |id: String| {
        leptos::task::spawn_local(async move {
            match api.deliveries(&id).await {
                Ok(mut l) => {
                    l.sort_by_key(|d| std::cmp::Reverse(d.queued_at));
                    error.set(None);
                    list.set(Some(l));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(id.clone());
    let rows = move || {
        let lang = i18n.lang();
        list.get().map(|l| {
            if l.is_empty() {
                return view! { <p class="kern-body kern-body--small console-muted">{i18n.t("c-deliveries-none")}</p> }.into_any();
            }
            view! {
                <ul class="deliveries" data-testid="deliveries">
                    {l.into_iter().map(|d| {
                        let (state, key, class) = state_view(d.state);
                        let when = d.done_at.unwrap_or(d.queued_at);
                        view! {
                            <li class="deliveries__item" data-testid="delivery" data-state=state
                                data-channel=match d.channel { DeliveryChannel::Mail => "mail", DeliveryChannel::Open311 => "open311" }
                                data-kind=d.kind.map(|k| k.as_str()).unwrap_or("")>
                                <p class="kern-body kern-body--small kern-body--bold">{i18n.t(&what_key(&d))}" "
                                    <span class=class><span class="kern-label kern-label--small">{i18n.t(key)}</span></span></p>
                                <p class="kern-body kern-body--small">{i18n.t("c-delivery-to")}": "{d.to.clone()}</p>
                                {d.subject.clone().map(|s| view! { <p class="kern-body kern-body--small">"„"{s}"“"</p> })}
                                <p class="kern-body kern-body--small console-muted">{format::date_time(lang, when)}
                                    {(d.attempts > 1).then(|| view! { " · "{i18n.t_args("c-delivery-attempts", &[("count", f64::from(d.attempts).into())])} })}
                                    {d.next_attempt_at.map(|n| view! { " · "{i18n.t("c-delivery-next")}" "{format::date_time(lang, n)} })}</p>
                                {d.error.clone().map(|e| view! { <p class="kern-body kern-body--small delivery-error" data-testid="delivery-error">{e}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })
    };
    view! {
        <section class="console-card" aria-labelledby="case-deliveries-h" data-testid="case-deliveries">
            <h2 class="console-card__title" id="case-deliveries-h">{move || i18n.t("c-deliveries")}</h2>
            <ErrorAlert error=error.into() />
            {rows}
            <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="deliveries-reload"
                on:click=move |_| load(id.clone())>
                <span class="kern-icon kern-icon--autorenew kern-icon--small" aria-hidden="true"></span>
                <span class="kern-label">{move || i18n.t("c-deliveries-reload")}</span>
            </button>
        </section>
    }
}
