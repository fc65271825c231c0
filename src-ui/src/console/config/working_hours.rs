//! Working hours: the days and the time of day the municipality works, in its time zone.
//! Rules with a time condition ("within / outside working hours") read them. They are a
//! part of the settings object, saved with the rest of it unchanged.

use leptos::prelude::*;

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::rules::WorkingHours;

use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem};
use crate::console::api::use_api;
use crate::console::settings_io::{load_settings, save_settings};
use crate::console::use_console;
use crate::console::widgets::{Notice, TextField};
use crate::i18n::use_i18n;

/// The weekdays as the form lists them: number (1 = Monday) and label.
const DAYS: [(u8, &str); 7] = [
    (1, "c-wh-mon"),
    (2, "c-wh-tue"),
    (3, "c-wh-wed"),
    (4, "c-wh-thu"),
    (5, "c-wh-fri"),
    (6, "c-wh-sat"),
    (7, "c-wh-sun"),
];

/// The days of the form in the settings' order (Monday first), each once.
fn chosen_days(days: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = DAYS.iter().map(|(d, _)| *d).filter(|d| days.contains(d)).collect();
    out.dedup();
    out
}

/// The working hours form (a section of the configuration).
#[component]
pub(super) fn WorkingHoursConfig() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let console = use_console();
    let settings: RwSignal<Option<MunicipalitySettings>> = RwSignal::new(None);
    let days: RwSignal<Vec<u8>> = RwSignal::new(Vec::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let timezone = RwSignal::new(String::new());
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let notice: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let problems = Signal::derive(move || error.with(|e| e.as_ref().map(|e| e.details.clone()).unwrap_or_default()));
    let show = move |s: MunicipalitySettings| {
        let wh = &s.working_hours;
        days.set(chosen_days(&wh.days));
        start.set(wh.start.clone());
        end.set(wh.end.clone());
        timezone.set(wh.timezone.clone());
        settings.set(Some(s));
    };
    load_settings(api, show, error);
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(mut s) = settings.get_untracked() else { return };
        s.working_hours = WorkingHours {
            timezone: timezone.get_untracked().trim().to_owned(),
            days: chosen_days(&days.get_untracked()),
            start: start.get_untracked().trim().to_owned(),
            end: end.get_untracked().trim().to_owned(),
        };
        save_settings(api, console, s, show, "c-saved", error, notice);
    };
    view! {
        <ErrorAlert error=error.into() />
        <Notice notice=notice />
        <section class="console-card" aria-labelledby="wh-h">
            <h2 class="console-card__title" id="wh-h">{move || i18n.t("c-config-working-hours")}</h2>
            <p class="kern-hint">{move || i18n.t("c-wh-hint")}</p>
            // novalidate: the server checks the times and names the field it refuses.
            <form on:submit=save data-testid="working-hours" novalidate>
                <fieldset class="kern-fieldset">
                    <legend class="kern-label">{move || i18n.t("c-wh-days")}</legend>
                    <div class="kern-fieldset__body">
                        {DAYS.iter().map(|(day, label)| {
                            let (day, label) = (*day, *label);
                            let id = format!("wh-day-{day}");
                            view! {
                                <div class="kern-form-check">
                                    <input class="kern-form-check__checkbox" type="checkbox" id=id.clone() data-testid=id.clone()
                                        prop:checked=move || days.with(|d| d.contains(&day))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            days.update(|d| {
                                                d.retain(|x| *x != day);
                                                if on { d.push(day); }
                                            });
                                        } />
                                    <label class="kern-label" for=id>{move || i18n.t(label)}</label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <FieldProblem problems=problems field="working_hours" />
                <TextField id="wh-start" label="c-wh-start" value=start hint="c-wh-time-hint" />
                <FieldProblem problems=problems field="working_hours.start" />
                <TextField id="wh-end" label="c-wh-end" value=end hint="c-wh-end-hint" />
                <FieldProblem problems=problems field="working_hours.end" />
                <TextField id="wh-timezone" label="c-wh-timezone" value=timezone hint="c-wh-timezone-hint" />
                <FieldProblem problems=problems field="working_hours.timezone" />
                <button type="submit" class="kern-btn kern-btn--primary" data-testid="wh-save">
                    <span class="kern-label">{move || i18n.t("c-save")}</span></button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::chosen_days;

    #[test]
    fn days_come_out_monday_first_and_once() {
        assert_eq!(chosen_days(&[6, 1, 3, 3, 9]), [1, 3, 6]);
        assert!(chosen_days(&[]).is_empty());
    }
}
