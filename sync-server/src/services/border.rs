//! Near a municipal border: where a report at a place may go, and the check of the one
//! a report names.
//!
//! The *candidates* of a place are its own Gemeinde, then every neighbour within the
//! tolerance ([`augenmerk_geo::candidates`], the function the offline lookups use too)
//! whose reports someone takes, one per destination. The citizen chooses among them in
//! the form; intake files the report with the chosen one, refuses a name that is no
//! candidate, and records the choice in the audit trail.

use augenmerk_domain::audit::AuditAction;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::{Ags, GeoPoint};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Destination, Place};

/// A Gemeinde a report at a place may be filed under, and where its reports go.
pub struct Candidate {
    /// The Gemeinde and how far outside it the place lies.
    pub place: Place,
    /// Who takes its reports (`None`: nobody here).
    pub destination: Option<Destination>,
}

impl Candidate {
    /// The key a report names to choose this candidate: the tenant's or the directory
    /// administration's (as `GET /api/v1/responsibility` gives it).
    pub fn key(&self) -> Option<&Ags> {
        match &self.destination {
            Some(Destination::Tenant(t)) => Some(&t.record.ags),
            Some(Destination::Mail(entry)) => Some(&entry.key),
            None => None,
        }
    }
}

/// The candidates at a point: the place's own Gemeinde first (whether or not anyone takes
/// its reports), then the neighbours within the tolerance that someone takes reports for,
/// nearest first, one per destination. A 422 if the point is farther than the tolerance
/// from every Gemeinde.
pub async fn candidates(state: &AppState, point: GeoPoint) -> ApiResult<Vec<Candidate>> {
    let mut all: Vec<Candidate> = Vec::new();
    for place in state.candidates(point)? {
        let destination = state.destination(&place).await?;
        let candidate = Candidate { place, destination };
        let first = all.is_empty();
        let duplicate = all.iter().any(|c| c.key().is_some() && c.key() == candidate.key());
        if first || (candidate.key().is_some() && !duplicate) {
            all.push(candidate);
        }
    }
    Ok(all)
}

/// The candidate a report goes to, and the others: the one whose key the report names,
/// else the place's own Gemeinde. A name that is no candidate is refused (422 on the
/// field `municipality`, with the place's own administration and the candidates).
pub fn choose(mut candidates: Vec<Candidate>, named: Option<&Ags>) -> ApiResult<(Candidate, Vec<Candidate>)> {
    let index = match named {
        None => 0,
        // Nobody takes reports at the place itself and it names no neighbour: say so.
        Some(key)
            if candidates.iter().all(|c| c.key() != Some(key))
                && candidates.first().is_some_and(|c| c.destination.is_none()) =>
        {
            let place = candidates.first().map(|c| &c.place);
            return Err(place.map_or_else(
                || ApiError::internal("a place without candidates"),
                crate::state::not_served,
            ));
        }
        Some(key) => candidates.iter().position(|c| c.key() == Some(key)).ok_or_else(|| {
            let responsible = candidates.first().map(|c| {
                serde_json::json!({
                    "ags": c.key().unwrap_or(&c.place.gemeinde).as_str(),
                    "name": destination_name(c),
                })
            });
            let keys: Vec<&str> = candidates.iter().filter_map(|c| c.key().map(Ags::as_str)).collect();
            ApiError::validation(vec![FieldError::new("municipality", "location_outside_municipality")])
                .context(serde_json::json!({ "responsible": responsible, "candidates": keys }))
        })?,
    };
    if candidates.is_empty() {
        // Unreachable: the place's own Gemeinde is always a candidate.
        return Err(ApiError::internal("a place without candidates"));
    }
    let chosen = candidates.remove(index);
    Ok((chosen, candidates))
}

/// The audit record of a choice near a border: a citizen's report named its municipality
/// (`named`: the form names it once the citizen confirmed it or chose among neighbours)
/// and the place lies outside the chosen Gemeinde or had other candidates.
pub fn confirmation(chosen: &Candidate, others: &[Candidate], named: bool) -> Option<AuditAction> {
    let near_border = chosen.place.distance_m > 0.0 || !others.is_empty();
    (named && near_border).then(|| AuditAction::MunicipalityConfirmed {
        gemeinde: chosen.place.gemeinde.clone(),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ≤ the tolerance
        distance_m: chosen.place.distance_m.round() as u32,
        alternatives: others.iter().map(|c| c.place.gemeinde.clone()).collect(),
    })
}

/// The name of a candidate's destination (its Gemeinde's when nobody takes its reports).
fn destination_name(c: &Candidate) -> &str {
    match &c.destination {
        Some(Destination::Tenant(t)) => &t.record.name,
        Some(Destination::Mail(entry)) => &entry.name,
        None => &c.place.name,
    }
}
