//! Small pieces the console's pages share: labelled inputs and selects in KERN's markup,
//! a success notice, the priority's name and badge.

use leptos::prelude::*;

use augenmerk_domain::Status;
use augenmerk_domain::device::SyncState;
use augenmerk_domain::report::Priority;

use crate::components::status::StatusBadge;
use crate::i18n::{I18n, use_i18n};

/// The Fluent key of a priority's name.
pub fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::Low => "c-priority-low",
        Priority::Normal => "c-priority-normal",
        Priority::High => "c-priority-high",
        Priority::Urgent => "c-priority-urgent",
    }
}

/// All priorities, lowest first.
pub const PRIORITIES: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

/// A priority as a badge (only high and urgent stand out).
#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    let i18n = use_i18n();
    let class = match priority {
        Priority::Urgent => "kern-badge kern-badge--danger",
        Priority::High => "kern-badge kern-badge--warning",
        _ => "kern-badge",
    };
    view! {
        <span class=class data-priority=priority.as_str()>
            <span class="kern-label kern-label--small">{move || i18n.t(priority_key(priority))}</span>
        </span>
    }
}

/// A status badge (the citizen pages' component, for a report on the server).
pub fn status_badge(status: Status) -> impl IntoView {
    view! { <StatusBadge status=Some(status) sync_state=SyncState::Sent /> }
}

/// "Overdue", as a red badge.
pub fn overdue_badge(i18n: I18n) -> impl IntoView {
    view! {
        <span class="kern-badge kern-badge--danger" data-testid="overdue-badge">
            <span class="kern-icon kern-icon--warning kern-icon--small" aria-hidden="true"></span>
            <span class="kern-label kern-label--small">{move || i18n.t("c-overdue")}</span>
        </span>
    }
}

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] input_type: Option<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for=id.clone()>{move || i18n.t(label)}
                {required.then(|| view! { <span class="required-marker">" *"</span> })}</label>
            {hint.map(|h| view! { <p class="kern-hint" id=hint_id.clone()>{move || i18n.t(h)}</p> })}
            <input class="kern-form-input__input" id=id.clone() data-testid=id.clone()
                type=input_type.unwrap_or_else(|| "text".into()) required=required
                aria-describedby=hint.map(|_| format!("{id}-hint"))
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </div>
    }
}

/// A labelled textarea bound to a signal.
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] rows: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for=id.clone()>{move || i18n.t(label)}</label>
            <textarea class="kern-form-input__input" id=id.clone() data-testid=id.clone() rows=rows.unwrap_or(3).to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        </div>
    }
}

/// A labelled select bound to a signal; `options` are (value, text) pairs, reactive.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="kern-form-input">
            <label class="kern-label" for=id.clone()>{move || i18n.t(label)}</label>
            <div class="kern-form-input__select-wrapper">
                <select class="kern-form-input__select" id=id.clone() data-testid=id.clone()
                    on:change=move |ev| value.set(event_target_value(&ev))>
                    {move || {
                        let current = value.get();
                        options.get().into_iter().map(|(v, text)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{text}</option> }
                        }).collect_view()
                    }}
                </select>
            </div>
        </div>
    }
}

/// A success notice (a Fluent key) that screen readers announce.
#[component]
pub fn Notice(notice: RwSignal<Option<&'static str>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div role="status" aria-live="polite" class="console-notice">
            {move || notice.get().map(|key| view! {
                <div class="kern-alert kern-alert--success" data-testid="console-notice">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                        <span class="kern-title">{i18n.t(key)}</span>
                    </div>
                </div>
            })}
        </div>
    }
}

/// Reads the file chosen in an `<input type="file">` as text: `on_text` gets its content,
/// `on_error` what went wrong (the imports of areas, the boundary and the directory).
pub fn read_chosen_file(
    ev: &web_sys::Event,
    on_text: impl FnOnce(String) + 'static,
    on_error: impl FnOnce(crate::backend::UiError) + 'static,
) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => on_text(text.as_string().unwrap_or_default()),
            Err(e) => on_error(crate::backend::UiError::unexpected(format!("{e:?}"))),
        }
    });
}
