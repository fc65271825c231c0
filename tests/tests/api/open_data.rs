//! Open data (issue 20): the daily GeoJSON and CSV of a municipality's public reports,
//! parsed as such, with the public map's policy (grid, exact, text only when published
//! and approved, exclusions, tenants), and the DCAT-AP.de descriptions.

use serde_json::{Value, json};
use uuid::Uuid;

use augenmerk_domain::GeoPoint;
use augenmerk_domain::public_map::snap_to_grid;

use crate::helpers::{FLENSBURG, KIEL, KIEL_RATHAUS, MUERWIK, id_of, pothole, report, spawn_app};

/// RFC 4180: records end in CRLF, fields may be quoted, `""` is a quote inside quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("LF without CR: records end in CRLF"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "the file ends with a record"
    );
    records
}

#[tokio::test]
async fn the_daily_export_holds_the_public_fields_as_geojson_and_csv() {
    let app = spawn_app().await;
    let marker = Uuid::new_v4().simple().to_string();
    let dispatcher = app.login(FLENSBURG, "dispatcher").await;
    let citizen = app.device().await;
    app.publish_text(FLENSBURG).await;

    // On the grid, text not approved.
    let mut gridded = pothole();
    gridded["description"] = json!(format!("GRID-{marker}, Tel. 0461 555"));
    let gridded_id = id_of(&gridded);
    app.submit_ok(&citizen, &gridded).await;
    app.transition(
        &dispatcher,
        &gridded_id,
        &json!({"to": "in_progress", "public_comment": "Wir kommen."}),
    )
    .await
    .expect(200);
    // Exact and approved: "with, quotes" tests the CSV quoting.
    let mut approved = pothole();
    approved["location"] = json!({"lat": 54.811_111, "lon": 9.471_111});
    approved["description"] = json!(format!("APPROVED-{marker} \"Loch\", tief\nzweite Zeile"));
    let approved_id = id_of(&approved);
    app.submit_ok(&citizen, &approved).await;
    app.put(
        &format!("/api/v1/staff/reports/{approved_id}/publication"),
        Some(&dispatcher.token),
        &json!({"exact": true, "approved": true}),
    )
    .await
    .expect(200);
    // Rejected: never.
    let rejected = pothole();
    let rejected_id = id_of(&rejected);
    app.submit_ok(&citizen, &rejected).await;
    app.transition(
        &dispatcher,
        &rejected_id,
        &json!({"to": "rejected", "public_comment": "Nein."}),
    )
    .await
    .expect(200);
    // Kiel's: not in Flensburg's file.
    let kiel = report("schlagloch", pothole()["answers"].clone(), KIEL_RATHAUS);
    let kiel_id = id_of(&kiel);
    assert!(app.submit(&citizen, &kiel).await.status.is_success());

    let base = format!("/api/v1/public/open-data/{FLENSBURG}");
    let geo_reply = app.get(&format!("{base}/reports.geojson"), None).await;
    assert_eq!(geo_reply.status.as_u16(), 200, "{}", geo_reply.text());
    assert!(
        geo_reply
            .headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/geo+json")),
        "{:?}",
        geo_reply.headers
    );
    let geo_text = geo_reply.text();
    let geo: Value = serde_json::from_str(&geo_text).expect("GeoJSON is JSON");
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().expect("features");
    assert_eq!(features.len(), 2, "{geo}");
    let feature = |id: &str| features.iter().find(|f| f["properties"]["id"] == id).cloned();
    let g = feature(&gridded_id).expect("gridded");
    let grid = snap_to_grid(
        GeoPoint {
            lat: MUERWIK.0,
            lon: MUERWIK.1,
        },
        50,
    );
    assert_eq!(
        g["geometry"],
        json!({"type": "Point", "coordinates": [grid.lon, grid.lat]})
    );
    assert_eq!(g["properties"]["exact"], false);
    assert_eq!(g["properties"]["description"], Value::Null);
    assert_eq!(g["properties"]["status"], "in_progress");
    assert_eq!(g["properties"]["public_comments"], 1);
    let a = feature(&approved_id).expect("approved");
    assert_eq!(a["geometry"]["coordinates"], json!([9.471_111, 54.811_111]));
    assert_eq!(a["properties"]["exact"], true);
    assert!(
        a["properties"]["description"]
            .as_str()
            .is_some_and(|d| d.contains(&marker))
    );
    for absent in [rejected_id.as_str(), kiel_id.as_str(), "0461", "contact", "device"] {
        assert!(!geo_text.contains(absent), "{absent} in {geo_text}");
    }

    let csv_reply = app.get(&format!("{base}/reports.csv"), None).await;
    assert_eq!(csv_reply.status.as_u16(), 200);
    assert!(
        csv_reply
            .headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/csv"))
    );
    let csv_text = csv_reply.text();
    let rows = parse_csv(&csv_text);
    let header = &rows[0];
    assert_eq!(header[..3], ["id", "municipality", "municipality_name"]);
    assert_eq!(rows.len(), 3, "header and two reports: {csv_text}");
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = |id: &str| rows.iter().find(|r| r[0] == id).cloned().expect(id);
    let g = row(&gridded_id);
    assert_eq!(
        (g[col("lat")].as_str(), g[col("lon")].as_str()),
        (grid.lat.to_string().as_str(), grid.lon.to_string().as_str())
    );
    assert_eq!(g[col("description")], "");
    assert_eq!(g[col("category_name")], "Schlagloch / Fahrbahnschaden");
    let a = row(&approved_id);
    assert_eq!(a[col("exact")], "true");
    assert_eq!(
        a[col("description")],
        approved["description"].as_str().expect("text"),
        "quotes and newlines survive"
    );
    assert!(!csv_text.contains(&rejected_id) && !csv_text.contains(&kiel_id));

    // A daily snapshot: later changes show tomorrow, today's bytes stay the same.
    app.put(
        &format!("/api/v1/staff/reports/{gridded_id}/publication"),
        Some(&dispatcher.token),
        &json!({"exact": true, "approved": true}),
    )
    .await
    .expect(200);
    assert_eq!(app.get(&format!("{base}/reports.geojson"), None).await.text(), geo_text);
    assert_eq!(app.get(&format!("{base}/reports.csv"), None).await.text(), csv_text);

    // DCAT-AP.de: the dataset with its two distributions, licence, publisher, place.
    let dataset = app.get(&format!("{base}/dataset.jsonld"), None).await.expect(200);
    assert_eq!(dataset["@type"], "dcat:Dataset");
    assert_eq!(
        dataset["dct:license"]["@id"],
        "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"
    );
    assert!(
        dataset["dct:publisher"]["foaf:name"]
            .as_str()
            .is_some_and(|n| n.contains("Flensburg"))
    );
    assert!(
        dataset["dct:spatial"]["@id"]
            .as_str()
            .is_some_and(|s| s.ends_with(FLENSBURG))
    );
    assert!(dataset["dct:modified"]["@value"].is_string());
    let distributions = dataset["dcat:distribution"].as_array().expect("distributions");
    assert_eq!(distributions.len(), 2);
    for (d, ext) in distributions.iter().zip(["geojson", "csv"]) {
        assert_eq!(d["@type"], "dcat:Distribution");
        assert!(
            d["dcat:downloadURL"]["@id"]
                .as_str()
                .is_some_and(|u| u.starts_with("http") && u.ends_with(ext)),
            "{d}"
        );
    }

    // Kiel chooses another licence; the catalog lists both, until Kiel switches off.
    app.change_settings(KIEL, |s| s["public"] = json!({"licence": "dl-de/by-2-0"}))
        .await;
    let kiel_dataset = app
        .get(&format!("/api/v1/public/open-data/{KIEL}/dataset.jsonld"), None)
        .await
        .expect(200);
    assert_eq!(
        kiel_dataset["dct:license"]["@id"],
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    );
    let catalog = app
        .get("/api/v1/public/open-data/catalog.jsonld", None)
        .await
        .expect(200);
    assert_eq!(catalog["@type"], "dcat:Catalog");
    let ids = |c: &Value| -> Vec<String> {
        c["dcat:dataset"].as_array().map_or_else(Vec::new, |d| {
            d.iter()
                .filter_map(|x| x["dct:identifier"].as_str().map(str::to_owned))
                .collect()
        })
    };
    assert!(
        ids(&catalog).contains(&format!("augenmerk-maengel-{FLENSBURG}")),
        "{catalog}"
    );
    assert!(
        ids(&catalog).contains(&format!("augenmerk-maengel-{KIEL}")),
        "{catalog}"
    );
    app.change_settings(KIEL, |s| s["public"]["enabled"] = json!(false))
        .await;
    let catalog = app
        .get("/api/v1/public/open-data/catalog.jsonld", None)
        .await
        .expect(200);
    assert!(
        !ids(&catalog).contains(&format!("augenmerk-maengel-{KIEL}")),
        "{catalog}"
    );
    app.get(&format!("/api/v1/public/open-data/{KIEL}/reports.geojson"), None)
        .await
        .expect(404);
    app.get("/api/v1/public/open-data/99999999/reports.csv", None)
        .await
        .expect(404);
}
