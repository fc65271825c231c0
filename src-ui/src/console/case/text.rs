//! Texts and small views of the case page: who is responsible, the channel, the answers
//! under their question labels, how the rules routed the report, the audit trail's lines.

use leptos::prelude::*;

use augenmerk_domain::audit::{Actor, AuditAction, AuditEntry};
use augenmerk_domain::report::Channel;
use augenmerk_domain::staff::StaffReportDetail;
use augenmerk_domain::{CategoryId, Status};

use crate::components::answers::shown_answers;
use crate::console::widgets::priority_key;
use crate::console::{Refs, use_console};
use crate::format;
use crate::i18n::{I18n, Lang};

pub(super) fn select_field(
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

pub(super) fn responsible(refs: &Refs, r: &augenmerk_domain::report::Report, i18n: I18n) -> String {
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

pub(super) fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::App => "c-channel-app",
        Channel::Open311 => "c-channel-open311",
        Channel::Staff => "c-channel-staff",
    }
}

/// The answers under their question labels (the citizen pages' shared labelling).
pub(super) fn answers_view(
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
pub(super) fn routing_view(refs: &Refs, lang: Lang, i18n: I18n, d: &StaffReportDetail) -> impl IntoView + use<> {
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

pub(super) fn actor_text(i18n: I18n, actor: &Actor) -> String {
    match actor {
        Actor::System => i18n.t("c-actor-system"),
        Actor::Citizen { .. } => i18n.t("message-citizen"),
        Actor::Staff { name, .. } => name.clone(),
        Actor::Authority { authority } => use_console().refs.with(|r| r.authority_name(authority.as_str())),
    }
}

pub(super) fn audit_text(refs: &Refs, lang: Lang, i18n: I18n, e: &AuditEntry) -> String {
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
        AuditAction::MergedInto { original } => i18n.t_args(
            "c-audit-merged-into",
            &[("of", original.to_string().chars().take(8).collect::<String>().into())],
        ),
        AuditAction::MergedFrom { duplicate } => i18n.t_args(
            "c-audit-merged-from",
            &[("of", duplicate.to_string().chars().take(8).collect::<String>().into())],
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
        AuditAction::MunicipalityConfirmed {
            gemeinde,
            distance_m,
            alternatives,
        } => {
            let confirmed = if *distance_m > 0 {
                i18n.t_args(
                    "c-audit-municipality-confirmed",
                    &[
                        ("gemeinde", gemeinde.as_str().to_owned().into()),
                        ("distance", (*distance_m).into()),
                    ],
                )
            } else {
                i18n.t_args(
                    "c-audit-municipality-chosen",
                    &[("gemeinde", gemeinde.as_str().to_owned().into())],
                )
            };
            if alternatives.is_empty() {
                confirmed
            } else {
                let others: Vec<&str> = alternatives.iter().map(|a| a.as_str()).collect();
                let others = i18n.t_args(
                    "c-audit-municipality-alternatives",
                    &[("others", others.join(", ").into())],
                );
                format!("{confirmed} {others}")
            }
        }
        AuditAction::PublicationChanged { exact, approved } => {
            let yes_no = |b: bool| i18n.t(if b { "c-yes" } else { "c-no" });
            i18n.t_args(
                "c-audit-publication",
                &[("exact", yes_no(*exact).into()), ("approved", yes_no(*approved).into())],
            )
        }
        AuditAction::PersonalDataRemoved { reason, scope } => i18n.t_args(
            "c-audit-personal-data-removed",
            &[
                (
                    "scope",
                    i18n.t(crate::console::privacy_requests::scope_key(*scope)).into(),
                ),
                (
                    "reason",
                    i18n.t(crate::console::privacy_requests::reason_key(*reason).1).into(),
                ),
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
