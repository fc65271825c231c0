//! The real Open311 client `georeport` 0.3.1 from PyPI reads the server in JSON and XML.
//! The test makes its own virtual environment (once per target directory).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{FLENSBURG, MUERWIK, spawn_app};

const GEOREPORT: &str = "georeport==0.3.1";

/// A venv with georeport, made on first use and kept in the target directory.
fn georeport_python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("georeport-venv");
    let python = venv.join("bin/python");
    let ready = venv.join(".ready");
    if !ready.exists() {
        let _ = std::fs::remove_dir_all(&venv);
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(
            made.success(),
            "python3 -m venv failed (is python3-venv installed? scripts/setup.sh installs it)"
        );
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                GEOREPORT,
            ])
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install {GEOREPORT} failed");
        std::fs::write(&ready, GEOREPORT).expect("mark the venv ready");
    }
    python
}

#[tokio::test(flavor = "multi_thread")]
async fn the_georeport_client_from_pypi_reads_services_definitions_and_requests_in_json_and_xml() {
    let python = tokio::task::spawn_blocking(georeport_python).await.expect("venv");
    let app = spawn_app().await;
    let key = app.open311_key(FLENSBURG, &[]).await;
    let text = "Schlagloch an der Förde – Straße „Am Hafen“";
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "schlagloch"),
        ("lat", &MUERWIK.0.to_string()),
        ("long", &MUERWIK.1.to_string()),
        ("attribute[gefahr_akut]", "false"),
        ("description", text),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect::<Vec<_>>();
    let posted = app
        .send(
            app.request(reqwest::Method::POST, "/open311/v2/requests.json", None)
                .form(&form),
        )
        .await
        .expect(200);
    let id = posted[0]["service_request_id"].as_str().expect("id").to_owned();
    // The municipality publishes the citizens' texts (off by default), so that the
    // description's UTF-8 can be checked on the client's side.
    app.publish_text(FLENSBURG).await;

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/georeport_reads.py");
    let root = format!("{}/open311/v2", app.address);
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([root.as_str(), FLENSBURG, id.as_str()])
            .env("PYTHONIOENCODING", "utf-8")
            .output()
            .expect("python runs")
    })
    .await
    .expect("join");
    assert!(
        out.status.success(),
        "georeport failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    for fmt in ["json", "xml"] {
        let s = &seen[fmt];
        assert!(
            s["service_codes"]
                .as_array()
                .is_some_and(|c| c.len() > 20 && c.contains(&json!("schlagloch"))),
            "{s}"
        );
        assert_eq!(s["definition_code"], "schlagloch");
        assert!(
            s["attribute_codes"]
                .as_array()
                .is_some_and(|a| a.contains(&json!("gefahr_akut"))),
            "{s}"
        );
        assert_eq!(s["request_ids"], json!([posted[0]["service_request_id"]]), "{s}");
        assert_eq!(s["one_description"], text, "UTF-8 survives in {fmt}");
        assert_eq!(s["one_status"], "open");
    }
}
