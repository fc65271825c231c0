//! Open data (issue 20): per municipality a daily GeoJSON (RFC 7946) and CSV (RFC 4180)
//! file of the public fields, under the municipality's licence, and DCAT-AP.de
//! descriptions in JSON-LD (one dataset per municipality, and a catalog of all of them)
//! that CKAN's ckanext-dcat harvester reads.
//!
//! The files are built once per municipality and day (Europe/Berlin) and kept in the
//! store (`open_data_snapshots`), first writer wins: every request that day, on every
//! instance, gets the same bytes. What they hold is the public map's policy
//! ([`augenmerk_domain::public::publish`]): grid positions unless exact, text only where
//! published and approved, never turned-down, withdrawn or erased reports.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use utoipa_axum::routes;

use augenmerk_domain::Ags;
use augenmerk_domain::public::{PublishedReport, publish};
use augenmerk_domain::public_map::PublicFilter;
use augenmerk_store::Snapshot;

use crate::error::{ApiError, ApiResult};
use crate::routes::{ApiPath, ApiRouter};
use crate::state::{AppState, Tenant};

/// Reports read from the store at a time while a file is built.
const CHUNK: u32 = 1_000;

/// Open-data routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(geojson))
        .routes(routes!(csv_file))
        .routes(routes!(dataset))
        .routes(routes!(catalog))
}

/// The day of a snapshot: today in Europe/Berlin.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Europe::Berlin).date_naive()
}

/// The URI of a dl-de licence identifier, as DCAT-AP.de names it
/// (`http://dcat-ap.de/def/licenses/…`).
pub fn licence_uri(licence: &str) -> String {
    let id = match licence {
        "dl-de/zero-2-0" | "dl-zero-de/2.0" => "dl-zero-de/2.0",
        "dl-de/by-2-0" | "dl-by-de/2.0" => "dl-by-de/2.0",
        "cc-by-4.0" | "cc-by/4.0" => "cc-by/4.0",
        "cc-zero" | "cc0" => "cc-zero",
        other => other,
    };
    format!("http://dcat-ap.de/def/licenses/{id}")
}

/// The tenant of a public open-data request: 404 unless it publishes.
async fn publishing(state: &AppState, ags: &str) -> ApiResult<std::sync::Arc<Tenant>> {
    let ags = Ags::parse(ags).map_err(|_| ApiError::not_found())?;
    let tenant = state.tenant(&ags).await?;
    if !tenant.record.settings.public.enabled {
        return Err(ApiError::not_found());
    }
    Ok(tenant)
}

/// Every published report of the municipality, newest first.
async fn published(state: &AppState, tenant: &Tenant) -> ApiResult<Vec<(augenmerk_store::PublicRow, PublishedReport)>> {
    let filter = PublicFilter {
        ags: Some(tenant.record.ags.clone()),
        ..PublicFilter::default()
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (rows, total) = state.store.public_reports(&filter, None, &[], offset, CHUNK).await?;
        let read = rows.len() as u64;
        offset += read;
        for row in rows {
            let history = state
                .store
                .list_status_changes(&row.report.municipality, &row.report.id)
                .await?;
            if let Some(p) = publish(&row.report, &history, &tenant.record.settings, &row.publication) {
                out.push((row, p));
            }
        }
        if read == 0 || offset >= total {
            return Ok(out);
        }
    }
}

/// The public fields of one report, in the order of the CSV columns.
fn fields(tenant: &Tenant, row: &augenmerk_store::PublicRow, p: &PublishedReport) -> Vec<(&'static str, Value)> {
    let v = &p.report;
    let name = tenant.record.categories.find(&v.category);
    let handled_by = row
        .report
        .forwarded_to
        .as_ref()
        .map(|id| {
            let a = tenant.record.settings.authorities.iter().find(|a| &a.id == id);
            a.map_or_else(|| id.to_string(), |a| a.name.clone())
        })
        .or_else(|| {
            let d = row.report.department.as_ref()?;
            tenant.departments.iter().find(|x| &x.id == d).map(|x| x.name.clone())
        });
    let comments = v.history.iter().filter(|c| c.comment.is_some()).count();
    vec![
        ("id", json!(v.id)),
        ("municipality", json!(v.municipality)),
        ("municipality_name", json!(tenant.record.name)),
        ("category", json!(v.category)),
        (
            "category_name",
            json!(name.map_or_else(|| v.category.to_string(), |c| c.de.clone())),
        ),
        ("status", json!(v.status)),
        ("lat", json!(v.location.lat)),
        ("lon", json!(v.location.lon)),
        ("exact", json!(p.exact)),
        (
            "received_at",
            json!(v.received_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        ),
        (
            "updated_at",
            json!(v.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        ),
        ("handled_by", json!(handled_by)),
        ("public_comments", json!(comments)),
        ("description", json!(v.description)),
        ("address_hint", json!(v.address_hint)),
    ]
}

fn build_geojson(tenant: &Tenant, reports: &[(augenmerk_store::PublicRow, PublishedReport)]) -> ApiResult<Vec<u8>> {
    let features: Vec<Value> = reports
        .iter()
        .map(|(row, p)| {
            let props: serde_json::Map<String, Value> = fields(tenant, row, p)
                .into_iter()
                .filter(|(k, _)| *k != "lat" && *k != "lon")
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            json!({
                "type": "Feature",
                "id": p.report.id,
                // RFC 7946: longitude first.
                "geometry": {"type": "Point", "coordinates": [p.report.location.lon, p.report.location.lat]},
                "properties": props,
            })
        })
        .collect();
    let collection = json!({
        "type": "FeatureCollection",
        "name": format!("Mängelmeldungen {}", tenant.record.name),
        "licence": tenant.record.settings.public.licence,
        "features": features,
    });
    serde_json::to_vec(&collection).map_err(ApiError::internal)
}

fn build_csv(tenant: &Tenant, reports: &[(augenmerk_store::PublicRow, PublishedReport)]) -> ApiResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header: Vec<&str> = fields_header();
    w.write_record(&header).map_err(ApiError::internal)?;
    for (row, p) in reports {
        let record: Vec<String> = fields(tenant, row, p)
            .into_iter()
            .map(|(_, v)| match v {
                Value::Null => String::new(),
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
        w.write_record(&record).map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

/// The CSV columns.
fn fields_header() -> Vec<&'static str> {
    vec![
        "id",
        "municipality",
        "municipality_name",
        "category",
        "category_name",
        "status",
        "lat",
        "lon",
        "exact",
        "received_at",
        "updated_at",
        "handled_by",
        "public_comments",
        "description",
        "address_hint",
    ]
}

/// Today's file of a kind: the stored one, else built now and stored (first writer wins).
pub async fn snapshot(state: &AppState, tenant: &Tenant, kind: &str) -> ApiResult<Vec<u8>> {
    let day = today();
    let ags = &tenant.record.ags;
    if let Some(body) = state.store.get_snapshot(ags, day, kind).await? {
        return Ok(body);
    }
    let reports = published(state, tenant).await?;
    let body = match kind {
        "geojson" => build_geojson(tenant, &reports)?,
        _ => build_csv(tenant, &reports)?,
    };
    Ok(state
        .store
        .put_snapshot(Snapshot {
            ags: ags.clone(),
            day,
            kind: kind.to_owned(),
            body,
        })
        .await?)
}

fn file(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
            // The same bytes all day: caches may keep them for an hour.
            (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The municipality's published reports as GeoJSON, built once a day.
#[utoipa::path(get, path = "/api/v1/public/open-data/{ags}/reports.geojson", tag = "public",
    params(("ags" = String, Path)), responses((status = 200, content_type = "application/geo+json"), (status = 404)))]
async fn geojson(State(state): State<AppState>, ApiPath(ags): ApiPath<String>) -> ApiResult<Response> {
    let tenant = publishing(&state, &ags).await?;
    let body = snapshot(&state, &tenant, "geojson").await?;
    Ok(file("application/geo+json", format!("maengel-{ags}.geojson"), body))
}

/// The municipality's published reports as CSV (UTF-8, header row), built once a day.
#[utoipa::path(get, path = "/api/v1/public/open-data/{ags}/reports.csv", tag = "public",
    params(("ags" = String, Path)), responses((status = 200, content_type = "text/csv"), (status = 404)))]
async fn csv_file(State(state): State<AppState>, ApiPath(ags): ApiPath<String>) -> ApiResult<Response> {
    let tenant = publishing(&state, &ags).await?;
    let body = snapshot(&state, &tenant, "csv").await?;
    Ok(file(
        "text/csv; charset=utf-8; header=present",
        format!("maengel-{ags}.csv"),
        body,
    ))
}

/// The DCAT-AP.de dataset of a municipality (without `@context`).
fn dataset_node(base: &str, tenant: &Tenant, day: NaiveDate) -> Value {
    let ags = &tenant.record.ags;
    let name = &tenant.record.name;
    let licence = licence_uri(&tenant.record.settings.public.licence);
    let dataset_uri = format!("{base}/api/v1/public/open-data/{ags}/dataset.jsonld");
    let distribution = |kind: &str, format: &str, media: &str, title: &str| {
        json!({
            "@id": format!("{base}/api/v1/public/open-data/{ags}/reports.{kind}"),
            "@type": "dcat:Distribution",
            "dct:title": title,
            "dcat:accessURL": {"@id": format!("{base}/api/v1/public/open-data/{ags}/reports.{kind}")},
            "dcat:downloadURL": {"@id": format!("{base}/api/v1/public/open-data/{ags}/reports.{kind}")},
            "dct:format": {"@id": format!("http://publications.europa.eu/resource/authority/file-type/{format}")},
            "dcat:mediaType": {"@id": format!("https://www.iana.org/assignments/media-types/{media}")},
            "dct:license": {"@id": licence},
            "dct:modified": {"@type": "xsd:date", "@value": day.to_string()},
        })
    };
    json!({
        "@id": dataset_uri,
        "@type": "dcat:Dataset",
        "dct:identifier": format!("augenmerk-maengel-{ags}"),
        "dct:title": format!("Mängelmeldungen {name}"),
        "dct:description": format!(
            "Von Bürgerinnen und Bürgern gemeldete Mängel im öffentlichen Raum in {name} \
             (Schlaglöcher, defekte Leuchten, Müll …) mit Kategorie, Status und Bearbeitung; \
             Positionen auf ein Raster gerundet. Täglich aktualisiert."
        ),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": name},
        "dct:license": {"@id": licence},
        "dct:modified": {"@type": "xsd:date", "@value": day.to_string()},
        "dct:accrualPeriodicity": {"@id": "http://publications.europa.eu/resource/authority/frequency/DAILY"},
        "dct:spatial": {"@id": format!("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{ags}")},
        "dcatde:politicalGeocodingURI": {"@id": format!("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{ags}")},
        "dcatde:politicalGeocodingLevelURI": {"@id": "http://dcat-ap.de/def/politicalGeocodingLevel/municipality"},
        "dcatde:contributorID": {"@id": "http://dcat-ap.de/def/contributors/schleswigHolstein"},
        "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE"},
        "dcat:keyword": ["Mängelmelder", "Infrastruktur", "Straße"],
        "dcat:distribution": [
            distribution("geojson", "GEOJSON", "geo+json", format!("Mängelmeldungen {name} (GeoJSON)").as_str()),
            distribution("csv", "CSV", "text/csv", format!("Mängelmeldungen {name} (CSV)").as_str()),
        ],
    })
}

fn context() -> Value {
    json!({
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "dcatde": "http://dcat-ap.de/def/dcatde/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    })
}

fn jsonld(value: &Value) -> ApiResult<Response> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/ld+json")], body).into_response())
}

/// The DCAT-AP.de description of a municipality's dataset (JSON-LD).
#[utoipa::path(get, path = "/api/v1/public/open-data/{ags}/dataset.jsonld", tag = "public",
    params(("ags" = String, Path)), responses((status = 200, content_type = "application/ld+json"), (status = 404)))]
async fn dataset(State(state): State<AppState>, ApiPath(ags): ApiPath<String>) -> ApiResult<Response> {
    let tenant = publishing(&state, &ags).await?;
    let base = state.settings.public_base_url(state.settings.listen);
    let mut node = dataset_node(&base, &tenant, today());
    if let Some(o) = node.as_object_mut() {
        o.insert("@context".into(), context());
    }
    jsonld(&node)
}

/// The catalog of every municipality on this server that publishes (DCAT-AP.de, JSON-LD).
#[utoipa::path(get, path = "/api/v1/public/open-data/catalog.jsonld", tag = "public",
    responses((status = 200, content_type = "application/ld+json")))]
async fn catalog(State(state): State<AppState>) -> ApiResult<Response> {
    let base = state.settings.public_base_url(state.settings.listen);
    let day = today();
    let mut datasets = Vec::new();
    for m in state.store.list_municipalities().await? {
        if !m.settings.public.enabled {
            continue;
        }
        let tenant = state.tenant(&m.ags).await?;
        datasets.push(dataset_node(&base, &tenant, day));
    }
    jsonld(&json!({
        "@context": context(),
        "@id": format!("{base}/api/v1/public/open-data/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": "Augenmerk – Mängelmeldungen",
        "dct:description": "Gemeldete Mängel im öffentlichen Raum der Kommunen auf diesem Augenmerk-Server.",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "Augenmerk"},
        "dct:modified": {"@type": "xsd:date", "@value": day.to_string()},
        "dcat:dataset": datasets,
    }))
}
