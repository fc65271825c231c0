//! The dry run: evaluate a municipality's rules (or rules being edited) against an
//! existing report or a sample, and explain the result. Used by the API and the CLI.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use augenmerk_domain::api::{DryRunResponse, RuleSample};
use augenmerk_domain::category::AnswerError;
use augenmerk_domain::error::ErrorCode;
use augenmerk_domain::rules::{Rule, RuleInput};
use augenmerk_domain::{Ags, Answers, CategoryId, GeoPoint, ReportId};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Tenant};

/// The facts the rules look at.
pub struct Facts {
    /// Category.
    pub category: CategoryId,
    /// Validated answers.
    pub answers: Answers,
    /// Location.
    pub location: GeoPoint,
    /// The Gemeinde it lies in.
    pub gemeinde: Ags,
    /// Arrival time.
    pub at: DateTime<Utc>,
}

impl Facts {
    /// The facts of a stored report.
    pub fn of(r: augenmerk_domain::report::Report) -> Self {
        Self {
            category: r.category,
            answers: r.answers,
            location: r.location,
            gemeinde: r.gemeinde,
            at: r.received_at,
        }
    }
}

/// Validates a sample like intake would.
pub fn sample_facts(state: &AppState, tenant: &Tenant, sample: &RuleSample) -> ApiResult<Facts> {
    let location = sample.location.validated()?;
    // A sample outside the tenant's Gemeinden is tried as if it lay in its first one.
    let gemeinde = state
        .place(location)
        .ok()
        .map(|p| p.gemeinde)
        .filter(|g| tenant.gemeinden.iter().any(|t| &t.ags == g))
        .or_else(|| tenant.gemeinden.first().map(|g| g.ags.clone()))
        .unwrap_or_else(|| tenant.record.ags.clone());
    let answers = tenant
        .record
        .categories
        .validate_answers(&sample.category, &sample.answers)
        .map_err(|e| match e {
            AnswerError::UnknownCategory => ApiError::new(ErrorCode::UnknownCategory),
            AnswerError::Invalid(d) => ApiError::validation(d),
        })?;
    Ok(Facts {
        category: sample.category.clone(),
        answers,
        location,
        gemeinde,
        at: sample.at.unwrap_or_else(Utc::now),
    })
}

/// Evaluates rules (the stored ones unless others are given) and explains the result.
pub fn explain(tenant: &Tenant, rules: Option<&[Rule]>, facts: &Facts) -> DryRunResponse {
    let input = RuleInput {
        category: &facts.category,
        answers: &facts.answers,
        location: facts.location,
        gemeinde: &facts.gemeinde,
        at: facts.at,
    };
    DryRunResponse {
        evaluation: tenant.evaluate(rules, &input),
        areas: tenant.areas_at(facts.location),
    }
}

/// The CLI's dry run: a stored report by id, or a sample from a JSON file.
pub async fn run(
    state: &AppState,
    ags: &Ags,
    report: Option<&str>,
    sample: Option<&Path>,
) -> anyhow::Result<DryRunResponse> {
    let tenant = state.tenant(ags).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let facts = match (report, sample) {
        (Some(id), None) => {
            let id: ReportId = id.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let r = state
                .store
                .get_report(ags, &id)
                .await
                .context("no such report in this municipality")?;
            Facts::of(r)
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let sample: RuleSample =
                serde_json::from_str(&text).context("the sample is not valid JSON of the expected shape")?;
            sample_facts(state, &tenant, &sample).map_err(|e| anyhow::anyhow!("invalid sample: {e:?}"))?
        }
        _ => anyhow::bail!("give either --report or --sample"),
    };
    Ok(explain(&tenant, None, &facts))
}
