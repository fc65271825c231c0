//! The dry run: the unsaved rules tried on a recent report or a sample (category, place,
//! answers), with the rule that would decide and why each rule before it did not.

use leptos::prelude::*;

use augenmerk_domain::api::{DryRunRequest, DryRunResponse, RuleSample};
use augenmerk_domain::geo::GeoPoint;
use augenmerk_domain::staff::StaffReportSummary;
use augenmerk_domain::{CategoryId, ReportId};

use super::Rules;
use super::editor::select;
use super::text::SAMPLE_AT;
use crate::backend::UiError;
use crate::console::case::leaf_options;
use crate::i18n::use_i18n;

/// The dry run's card.
#[component]
pub(super) fn DryRun(s: Rules) -> impl IntoView {
    let i18n = use_i18n();
    let Rules {
        api,
        refs,
        rules,
        error,
        ..
    } = s;
    let d_mode = RwSignal::new("sample".to_owned());
    let d_report = RwSignal::new(String::new());
    let d_category = RwSignal::new(String::new());
    let d_lat = RwSignal::new(SAMPLE_AT.0.to_string());
    let d_lon = RwSignal::new(SAMPLE_AT.1.to_string());
    let d_answer = RwSignal::new(String::new());
    let recent: RwSignal<Vec<StaffReportSummary>> = RwSignal::new(Vec::new());
    let result: RwSignal<Option<DryRunResponse>> = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        if let Ok(p) = api.reports("page=1&page_size=20&sort=received_at").await {
            if let Some(first) = p.items.first() {
                d_report.set(first.report.id.to_string());
            }
            recent.set(p.items);
        }
    });
    let run = move |_| {
        let rules_now = rules.get_untracked();
        let request = if d_mode.get_untracked() == "report" {
            match d_report.get_untracked().parse::<ReportId>() {
                Ok(id) => DryRunRequest {
                    report_id: Some(id),
                    sample: None,
                    rules: Some(rules_now),
                },
                Err(_) => {
                    error.set(Some(UiError::localized("c-e-choose-report")));
                    return;
                }
            }
        } else {
            let category = CategoryId::parse(&d_category.get_untracked());
            let (lat, lon) = (
                d_lat.get_untracked().replace(',', ".").trim().parse::<f64>(),
                d_lon.get_untracked().replace(',', ".").trim().parse::<f64>(),
            );
            let (Ok(category), Ok(lat), Ok(lon)) = (category, lat, lon) else {
                error.set(Some(UiError::localized("c-e-sample-incomplete")));
                return;
            };
            let mut answers = serde_json::Map::new();
            // "frage=wert" pairs, so answer conditions can be tried too.
            for pair in d_answer.get_untracked().split(';') {
                if let Some((k, v)) = pair.split_once('=') {
                    let v = v.trim();
                    let value = match v {
                        "true" | "ja" | "yes" => serde_json::Value::Bool(true),
                        "false" | "nein" | "no" => serde_json::Value::Bool(false),
                        _ => v
                            .parse::<f64>()
                            .ok()
                            .and_then(|n| serde_json::Number::from_f64(n).map(serde_json::Value::Number))
                            .unwrap_or_else(|| serde_json::Value::String(v.to_owned())),
                    };
                    answers.insert(k.trim().to_owned(), value);
                }
            }
            DryRunRequest {
                report_id: None,
                sample: Some(RuleSample {
                    category,
                    answers,
                    location: GeoPoint { lat, lon },
                    at: None,
                }),
                rules: Some(rules_now),
            }
        };
        leptos::task::spawn_local(async move {
            match api.dry_run(&request).await {
                Ok(r) => {
                    error.set(None);
                    result.set(Some(r));
                }
                Err(mut e) => {
                    // Name the sample's missing or invalid answers: the form has no field per question.
                    if !e.details.is_empty() {
                        let list = e
                            .details
                            .iter()
                            .map(|d| format!("{} ({})", d.field.trim_start_matches("answers."), d.problem))
                            .collect::<Vec<_>>()
                            .join(", ");
                        e.message.de = format!("{} {list}", e.message.de);
                        e.message.en = format!("{} {list}", e.message.en);
                    }
                    result.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    let leaf = Signal::derive(move || refs.with(|r| leaf_options(r, i18n.lang(), None)));
    let recent_options = Signal::derive(move || {
        let lang = i18n.lang();
        let r = refs.get();
        recent
            .get()
            .into_iter()
            .map(|s| {
                let id = s.report.id.to_string();
                let label = format!(
                    "#{} · {} · {}",
                    id.chars().take(8).collect::<String>(),
                    r.category_name(lang, s.report.category.as_str()),
                    s.report.address_hint.clone().unwrap_or_default()
                );
                (id, label)
            })
            .collect::<Vec<_>>()
    });
    let trace = move || {
        let lang = i18n.lang();
        result.get().map(|r| {
            let matched = r.evaluation.matched.as_ref().map(|m| m.to_string()).unwrap_or_default();
            let matched_name = rules.with(|rs| rs.iter().find(|x| x.id.as_str() == matched).map(|x| x.name.clone()));
            view! {
                <div class="dry-run__result" data-testid="dry-run-result" data-matched=matched.clone()>
                    {match matched_name {
                        Some(name) => view! {
                            <div class="kern-alert kern-alert--success" role="status">
                                <div class="kern-alert__header">
                                    <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                                    <span class="kern-title">{i18n.t_args("c-dry-run-decides", &[("rule", name.into())])}</span>
                                </div>
                            </div>
                        }.into_any(),
                        None => view! {
                            <div class="kern-alert kern-alert--warning" role="status">
                                <div class="kern-alert__header"><span class="kern-title">{i18n.t("c-case-no-rule-matched")}</span></div>
                            </div>
                        }.into_any(),
                    }}
                    {(!r.areas.is_empty()).then(|| view! {
                        <p class="kern-body kern-body--small">{i18n.t("c-dry-run-areas")}": "
                            {r.areas.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")}</p>
                    })}
                    <ol class="trace">
                        {r.evaluation.trace.into_iter().map(|t| view! {
                            <li class="trace__rule" class:trace__rule--matched=t.matched data-testid="dry-run-trace" data-rule=t.rule.to_string()
                                data-matched=t.matched.to_string()>
                                <p class="trace__name">
                                    <span class=if t.matched { "kern-icon kern-icon--success kern-icon--small" } else { "kern-icon kern-icon--close kern-icon--small" } aria-hidden="true"></span>
                                    " "{t.name.clone()}
                                    {(!t.enabled).then(|| format!(" ({})", i18n.t("c-rule-disabled")))}
                                </p>
                                <ul>
                                    {t.conditions.iter().map(|c| view! {
                                        <li class:trace__cond--holds=c.holds>{if c.holds { "✓ " } else { "✗ " }}{lang.pick(&c.explanation).to_owned()}</li>
                                    }).collect_view()}
                                </ul>
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            }
        })
    };
    view! {
        <section class="console-card dry-run" aria-labelledby="dry-run-h" data-testid="dry-run">
            <h2 class="console-card__title" id="dry-run-h">{move || i18n.t("c-dry-run")}</h2>
            <p class="kern-hint">{move || i18n.t("c-dry-run-hint")}</p>
            <fieldset class="kern-fieldset">
                <legend class="kern-label">{move || i18n.t("c-dry-run-against")}</legend>
                <div class="kern-fieldset__body kern-fieldset__body--horizontal">
                    <div class="kern-form-check">
                        <input class="kern-form-check__radio" type="radio" name="dry-mode" id="dry-sample" data-testid="dry-sample"
                            prop:checked=move || d_mode.get() == "sample" on:change=move |_| d_mode.set("sample".into()) />
                        <label class="kern-label" for="dry-sample">{move || i18n.t("c-dry-run-sample")}</label>
                    </div>
                    <div class="kern-form-check">
                        <input class="kern-form-check__radio" type="radio" name="dry-mode" id="dry-report" data-testid="dry-report"
                            prop:checked=move || d_mode.get() == "report" on:change=move |_| d_mode.set("report".into()) />
                        <label class="kern-label" for="dry-report">{move || i18n.t("c-dry-run-report")}</label>
                    </div>
                </div>
            </fieldset>
            {move || if d_mode.get() == "report" {
                select("dry-report-id", "c-dry-run-report", d_report, recent_options).into_any()
            } else {
                view! {
                    {select("dry-category", "c-filter-category", d_category,
                        Signal::derive(move || { let mut o = vec![(String::new(), i18n.t("c-choose"))]; o.extend(leaf.get()); o }))}
                    <crate::console::gemeinde::SampleGemeinde lat=d_lat lon=d_lon default=SAMPLE_AT />
                    <div class="form-grid">
                        <div class="kern-form-input">
                            <label class="kern-label" for="dry-lat">{i18n.t("c-latitude")}</label>
                            <input class="kern-form-input__input" id="dry-lat" data-testid="dry-lat" inputmode="decimal"
                                prop:value=move || d_lat.get() on:input=move |ev| d_lat.set(event_target_value(&ev)) />
                        </div>
                        <div class="kern-form-input">
                            <label class="kern-label" for="dry-lon">{i18n.t("c-longitude")}</label>
                            <input class="kern-form-input__input" id="dry-lon" data-testid="dry-lon" inputmode="decimal"
                                prop:value=move || d_lon.get() on:input=move |ev| d_lon.set(event_target_value(&ev)) />
                        </div>
                    </div>
                    <div class="kern-form-input">
                        <label class="kern-label" for="dry-answers">{i18n.t("c-dry-run-answers")}</label>
                        <p class="kern-hint" id="dry-answers-hint">{i18n.t("c-dry-run-answers-hint")}</p>
                        <input class="kern-form-input__input" id="dry-answers" data-testid="dry-answers" aria-describedby="dry-answers-hint"
                            prop:value=move || d_answer.get() on:input=move |ev| d_answer.set(event_target_value(&ev)) />
                    </div>
                }.into_any()
            }}
            <button type="button" class="kern-btn kern-btn--primary" on:click=run data-testid="dry-run-submit">
                <span class="kern-icon kern-icon--checklist" aria-hidden="true"></span>
                <span class="kern-label">{move || i18n.t("c-dry-run-submit")}</span>
            </button>
            {trace}
        </section>
    }
}
