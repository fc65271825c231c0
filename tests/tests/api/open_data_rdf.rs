//! The open-data catalogue as an open-data portal's harvester reads it: parsed as RDF by
//! rdflib (Debian `python3-rdflib`; CKAN's DCAT harvester, ckanext-dcat, parses with
//! rdflib) and queried with SPARQL for what ckanext-dcat's DCAT-AP profile takes from a
//! dataset: title, description, publisher, licence, modification date, and each
//! distribution's download URL and media type. Nothing here needs the network: a JSON-LD
//! context fetched from elsewhere would fail the parse.

use std::io::Write;

use serde_json::Value;

use crate::helpers::{FLENSBURG, spawn_app};

const HARVEST: &str = r#"
import json, sys
import rdflib
g = rdflib.Graph()
g.parse(data=sys.stdin.read(), format="json-ld")
q = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?dataset ?title ?description ?publisher ?modified ?licence ?download ?media WHERE {
  ?catalog a dcat:Catalog ; dcat:dataset ?dataset .
  ?dataset a dcat:Dataset ; dct:title ?title ; dct:description ?description ;
           dct:publisher [ foaf:name ?publisher ] ; dct:modified ?modified ;
           dcat:distribution ?d .
  ?d a dcat:Distribution ; dcat:downloadURL ?download .
  OPTIONAL { ?d dcat:mediaType ?media }
  OPTIONAL { ?d dct:license ?dl }
  OPTIONAL { ?dataset dct:license ?dsl }
  BIND(COALESCE(?dl, ?dsl) AS ?licence)
}
"""
rows = [{k: str(v) if v is not None else None for k, v in r.asdict().items()} for r in g.query(q)]
print(json.dumps({"triples": len(g), "rows": rows}))
"#;

#[tokio::test]
async fn the_catalogue_parses_as_rdf_with_what_a_dcat_harvester_takes() {
    let app = spawn_app().await;
    let catalog = app.get("/api/v1/public/open-data/catalog.jsonld", None).await;
    assert_eq!(catalog.status, 200);
    let mut python = std::process::Command::new("/usr/bin/python3")
        .args(["-c", HARVEST])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with rdflib (scripts/setup.sh installs it)");
    python
        .stdin
        .take()
        .expect("stdin")
        .write_all(&catalog.bytes)
        .expect("write the catalogue");
    let out = python.wait_with_output().expect("rdflib ends");
    assert!(
        out.status.success(),
        "rdflib could not read the catalogue: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let harvested: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = harvested["rows"].as_array().expect("rows");
    let flensburg: Vec<&Value> = rows
        .iter()
        .filter(|r| r["dataset"].as_str().is_some_and(|d| d.contains(FLENSBURG)))
        .collect();
    assert_eq!(flensburg.len(), 2, "one row per distribution: {harvested:#}");
    for row in &flensburg {
        assert!(row["title"].as_str().is_some_and(|t| t.contains("Flensburg")), "{row}");
        assert!(row["description"].as_str().is_some_and(|d| !d.is_empty()), "{row}");
        assert!(
            row["publisher"].as_str().is_some_and(|p| p.contains("Flensburg")),
            "{row}"
        );
        assert!(row["modified"].as_str().is_some_and(|m| m.len() >= 10), "{row}");
    }
    let mut downloads: Vec<&str> = flensburg.iter().filter_map(|r| r["download"].as_str()).collect();
    downloads.sort_unstable();
    assert_eq!(
        downloads,
        [
            format!("{}/api/v1/public/open-data/{FLENSBURG}/reports.csv", app.address),
            format!("{}/api/v1/public/open-data/{FLENSBURG}/reports.geojson", app.address),
        ]
    );
    assert!(
        flensburg
            .iter()
            .all(|r| r["licence"].as_str() == Some("http://dcat-ap.de/def/licenses/dl-zero-de/2.0")),
        "the licence, of the distribution or the dataset: {flensburg:#?}"
    );
}
