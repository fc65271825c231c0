//! The Gemeinden of an Amt as the console names them: loaded with the tenant's public
//! configuration (an amtsfreie Gemeinde has none), they name each report's Gemeinde in the
//! inbox, on the case page, in the statistics and in delegation rules, and fill the
//! Gemeinde filter and the rule editor's Gemeinde condition.

use leptos::prelude::*;

use augenmerk_domain::Ags;

use super::{Refs, use_console};
use crate::i18n::{I18n, use_i18n};

/// A Gemeinde of the tenant: its AGS and name, and a point inside it (for the rules' sample).
#[derive(Debug, Clone, PartialEq)]
pub struct GemeindeRef {
    /// AGS (eight digits).
    pub ags: String,
    /// Name, e.g. "Wees".
    pub name: String,
    /// A point of its boundary's inside, if the boundary came with it.
    pub point: Option<(f64, f64)>,
}

/// The tenant's Gemeinden (empty for a single Gemeinde), sorted by name.
pub async fn load(key: &Ags) -> Vec<GemeindeRef> {
    let Ok(config) = super::api::municipality_config(key).await else {
        return Vec::new();
    };
    let mut list: Vec<GemeindeRef> = config
        .gemeinden
        .into_iter()
        .map(|g| GemeindeRef {
            ags: g.ags.to_string(),
            name: g.name,
            point: g.boundary.as_ref().and_then(inner_point),
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

/// Select options of the Gemeinden, after a first entry (e.g. "all" or "choose").
pub fn options(refs: &Refs, first: String) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), first)];
    out.extend(refs.gemeinden.iter().map(|g| (g.ags.clone(), g.name.clone())));
    out
}

/// "Gemeinde Wees, Grundhof" for a rule's condition.
pub fn condition_text(refs: &Refs, i18n: I18n, gemeinden: &[Ags]) -> String {
    let names: Vec<String> = gemeinden.iter().map(|g| refs.gemeinde_name(g.as_str())).collect();
    i18n.t_args("c-rule-cond-gemeinde", &[("list", names.join(", ").into())])
}

/// For an Amt, the rules' sample place by Gemeinde: choosing one puts the sample's
/// coordinates inside it. The sample starts in the first Gemeinde rather than at
/// `default` (a place that need not be the tenant's).
#[component]
pub fn SampleGemeinde(lat: RwSignal<String>, lon: RwSignal<String>, default: (f64, f64)) -> impl IntoView {
    let i18n = use_i18n();
    let refs = use_console().refs;
    let chosen = RwSignal::new(String::new());
    let put = move |g: &GemeindeRef| {
        if let Some((la, lo)) = g.point {
            lat.set(format!("{la:.5}"));
            lon.set(format!("{lo:.5}"));
            chosen.set(g.ags.clone());
        }
    };
    Effect::new(move |_| {
        let first = refs.with(|r| r.gemeinden.first().cloned());
        let at_default = lat.get_untracked() == default.0.to_string() && lon.get_untracked() == default.1.to_string();
        if let Some(g) = first.filter(|_| at_default) {
            put(&g);
        }
    });
    let change = move |ev: leptos::ev::Event| {
        let ags = event_target_value(&ev);
        if let Some(g) = refs.with_untracked(|r| r.gemeinden.iter().find(|g| g.ags == ags).cloned()) {
            put(&g);
        }
    };
    move || {
        refs.with(Refs::is_amt).then(|| {
            view! {
                <div class="kern-form-input">
                    <label class="kern-label" for="dry-gemeinde">{move || i18n.t("c-dry-run-gemeinde")}</label>
                    <div class="kern-form-input__select-wrapper">
                        <select class="kern-form-input__select" id="dry-gemeinde" data-testid="dry-gemeinde" on:change=change>
                            {move || {
                                let current = chosen.get();
                                options(&refs.get(), i18n.t("c-choose")).into_iter().map(|(v, t)| {
                                    let selected = v == current;
                                    view! { <option value=v selected=selected>{t}</option> }
                                }).collect_view()
                            }}
                        </select>
                    </div>
                </div>
            }
        })
    }
}

/// A point inside a GeoJSON (Multi)Polygon: the middle of the widest inside stretch of the
/// horizontal line through the middle of the largest ring's height (a vertex average can
/// lie outside a crooked Gemeinde).
fn inner_point(geometry: &serde_json::Value) -> Option<(f64, f64)> {
    let rings = outer_rings(geometry);
    let ring = rings.iter().max_by_key(|r| r.len())?;
    let (min, max) = ring
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &(_, lat)| (lo.min(lat), hi.max(lat)));
    let lat = (min + max) / 2.0;
    // Where the line crosses the ring's edges, left to right; inside between pairs.
    let mut xs: Vec<f64> = ring
        .iter()
        .zip(ring.iter().cycle().skip(1))
        .filter(|((_, a), (_, b))| (*a > lat) != (*b > lat))
        .map(|(&(x1, y1), &(x2, y2))| x1 + (lat - y1) * (x2 - x1) / (y2 - y1))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|pair| (lat, (pair[0] + pair[1]) / 2.0))
}

/// The outer rings of a Polygon or MultiPolygon as (lon, lat) pairs.
fn outer_rings(geometry: &serde_json::Value) -> Vec<Vec<(f64, f64)>> {
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => coords.get(0).map(ring).into_iter().collect(),
        Some("MultiPolygon") => coords
            .as_array()
            .map(|polys| polys.iter().filter_map(|p| p.get(0)).map(ring).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_inner_point_lies_inside_a_crooked_polygon() {
        // A "U": the vertex average (about 1.0, 0.9) lies in the gap between the arms.
        let u = json!({"type": "Polygon", "coordinates": [[
            [0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [1.5, 2.0], [1.5, 0.5], [0.5, 0.5], [0.5, 2.0], [0.0, 2.0], [0.0, 0.0]
        ]]});
        let (lat, lon) = inner_point(&u).expect("a point");
        assert!((lat - 1.0).abs() < 1e-9);
        assert!(!(0.5..=1.5).contains(&lon), "{lon} is in the gap");
        let multi =
            json!({"type": "MultiPolygon", "coordinates": [[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]]});
        assert!(inner_point(&multi).is_some());
        assert!(inner_point(&json!({"type": "Point", "coordinates": [0.0, 0.0]})).is_none());
    }
}
