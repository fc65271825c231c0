//! A button for something that cannot be undone (withdraw a report, erase data): it
//! first asks, in place, with the consequence spelled out and a way back; the keyboard
//! focus follows the question and returns to the button when the citizen cancels.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pages::report::focus;

/// The button and, once pressed, the question with "yes" and "cancel".
#[component]
pub fn ConfirmButton(
    /// `data-testid` of the button; the question's buttons add `-confirm` and `-cancel`.
    testid: &'static str,
    /// Fluent key of the button.
    label: &'static str,
    /// Fluent key of the question (what happens, that it cannot be undone).
    question: &'static str,
    /// Fluent key of the confirming button.
    confirm: &'static str,
    /// While the action runs (both buttons wait).
    #[prop(into)]
    busy: Signal<bool>,
    /// Runs the action.
    on_confirm: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let question_id = format!("{testid}-question");
    let button_id = format!("{testid}-button");
    let ask = {
        let question_id = question_id.clone();
        move |_| {
            asking.set(true);
            focus(&question_id);
        }
    };
    let cancel = {
        let button_id = button_id.clone();
        move |_| {
            asking.set(false);
            focus(&button_id);
        }
    };
    let heading_id = format!("{testid}-question-text");
    move || {
        if asking.get() {
            let cancel = cancel.clone();
            view! {
                <div class="kern-alert kern-alert--warning confirm" id=question_id.clone() tabindex="-1"
                    role="group" aria-labelledby=heading_id.clone() data-testid=format!("{testid}-question")>
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--warning" aria-hidden="true"></span>
                        <p class="kern-title" id=heading_id.clone()>{move || i18n.t(question)}</p>
                    </div>
                    <div class="kern-alert__body">
                        <div class="kern-btn-wrapper">
                            <button type="button" class="kern-btn kern-btn--primary" data-testid=format!("{testid}-confirm")
                                disabled=move || busy.get() on:click=move |_| on_confirm.run(())>
                                <span class="kern-label">{move || i18n.t(confirm)}</span>
                            </button>
                            <button type="button" class="kern-btn kern-btn--secondary" data-testid=format!("{testid}-cancel")
                                disabled=move || busy.get() on:click=cancel>
                                <span class="kern-label">{move || i18n.t("confirm-cancel")}</span>
                            </button>
                        </div>
                    </div>
                </div>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="kern-btn kern-btn--secondary" id=button_id.clone() data-testid=testid
                    disabled=move || busy.get() on:click=ask.clone()>
                    <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t(label)}</span>
                </button>
            }
            .into_any()
        }
    }
}
