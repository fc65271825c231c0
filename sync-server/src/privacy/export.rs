//! The citizen's data export (DSGVO Art. 15 and 20): a ZIP with everything they sent —
//! reports, answers, messages in both directions, the public status history — as one
//! JSON file, plus the photos as files. Staff names and internal notes are not the
//! citizen's data and are not in it.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zip::write::SimpleFileOptions;

use augenmerk_domain::public::MessageAuthor;
use augenmerk_domain::public::PublicStatusChange;
use augenmerk_domain::report::Report;
use augenmerk_domain::{BlobHash, DeviceId, GeoPoint, Language, ReportId};

use crate::error::ApiError;
use crate::state::AppState;

/// A finished export.
pub struct Export {
    /// `augenmerk-daten-YYYY-MM-DD.zip`.
    pub file_name: String,
    /// The ZIP.
    pub bytes: Vec<u8>,
}

#[derive(Serialize)]
struct ExportFile {
    exported_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<DeviceFacts>,
    reports: Vec<ExportedReport>,
    mailed_reports: Vec<ExportedReport>,
    followed: Vec<ReportId>,
}

#[derive(Serialize)]
struct DeviceFacts {
    id: DeviceId,
}

#[derive(Serialize)]
struct ExportedReport {
    id: ReportId,
    municipality: String,
    municipality_name: String,
    category: String,
    category_name: String,
    answers: serde_json::Value,
    description: String,
    location: GeoPoint,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_hint: Option<String>,
    photos: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_email: Option<String>,
    consent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    consent_version: Option<u32>,
    created_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
    status: augenmerk_domain::Status,
    history: Vec<PublicStatusChange>,
    messages: Vec<ExportedMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mailed_to: Option<String>,
}

#[derive(Serialize)]
struct ExportedMessage {
    author: &'static str,
    body: String,
    created_at: DateTime<Utc>,
}

/// Everything a device sent.
pub async fn device_export(state: &AppState, device: &DeviceId) -> Result<Export, ApiError> {
    let mut photos = Vec::new();
    let mut reports = Vec::new();
    for r in state.store.device_reports(device).await? {
        reports.push(exported(state, r, None, &mut photos).await?);
    }
    let mut mailed_reports = Vec::new();
    for m in state.store.device_mailed(device).await? {
        mailed_reports.push(exported(state, m.report, Some(m.mailed_to), &mut photos).await?);
    }
    let followed = state
        .store
        .followed_reports(device)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let file = ExportFile {
        exported_at: Utc::now(),
        device: Some(DeviceFacts { id: *device }),
        reports,
        mailed_reports,
        followed,
    };
    zip_up(state, &file, &photos).await
}

/// One report, for its status link.
pub async fn report_export(state: &AppState, report: Report) -> Result<Export, ApiError> {
    let mut photos = Vec::new();
    let file = ExportFile {
        exported_at: Utc::now(),
        device: None,
        reports: vec![exported(state, report, None, &mut photos).await?],
        mailed_reports: Vec::new(),
        followed: Vec::new(),
    };
    zip_up(state, &file, &photos).await
}

async fn exported(
    state: &AppState,
    r: Report,
    mailed_to: Option<String>,
    photos: &mut Vec<(String, BlobHash)>,
) -> Result<ExportedReport, ApiError> {
    let (municipality_name, category_name) = match state.tenant(&r.municipality).await {
        Ok(t) => (
            t.record.name.clone(),
            t.record.categories.find(&r.category).map(|c| c.name().de),
        ),
        // Mailed to an administration off the platform: the standard tree named it.
        Err(_) => (
            mailed_to.clone().unwrap_or_default(),
            crate::demo::standard_tree()
                .ok()
                .and_then(|t| t.find(&r.category).map(|c| c.name().de)),
        ),
    };
    let mut names = Vec::new();
    for hash in &r.photos {
        let ext = match state.store.get_blob(hash).await.map(|b| b.content_type) {
            Ok(t) if t == "image/png" => "png",
            Ok(t) if t == "image/webp" => "webp",
            _ => "jpg",
        };
        let name = format!("photos/{}.{ext}", hash.as_str());
        photos.push((name.clone(), hash.clone()));
        names.push(name);
    }
    let (history, messages) = if mailed_to.is_some() {
        (Vec::new(), Vec::new())
    } else {
        let history = state.store.list_status_changes(&r.municipality, &r.id).await?;
        let messages = state
            .store
            .list_messages(&r.municipality, &r.id)
            .await?
            .into_iter()
            .map(|m| ExportedMessage {
                author: match m.author {
                    MessageAuthor::Citizen => "citizen",
                    MessageAuthor::Municipality => "municipality",
                },
                body: m.body,
                created_at: m.created_at,
            })
            .collect();
        (history, messages)
    };
    Ok(ExportedReport {
        municipality: r.municipality.as_str().to_owned(),
        municipality_name,
        category: r.category.as_str().to_owned(),
        category_name: category_name.unwrap_or_else(|| r.category.as_str().to_owned()),
        answers: serde_json::to_value(&r.answers).unwrap_or_default(),
        description: r.description,
        location: r.location,
        address_hint: r.address_hint,
        photos: names,
        contact_email: r.contact_email.map(|e| e.as_str().to_owned()),
        consent: r.consent,
        consent_version: r.consent_version,
        created_at: r.created_at,
        received_at: r.received_at,
        status: r.status,
        history,
        messages,
        mailed_to,
        id: r.id,
    })
}

async fn zip_up(state: &AppState, file: &ExportFile, photos: &[(String, BlobHash)]) -> Result<Export, ApiError> {
    let json = serde_json::to_vec_pretty(file).map_err(ApiError::internal)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(photos.len());
    for (name, hash) in photos {
        if files.iter().any(|(n, _)| n == name) {
            continue;
        }
        // A photo whose file is gone (erased meanwhile) is left out, not an error.
        if let Ok(bytes) = state.blobs.get(hash).await {
            files.push((name.clone(), bytes.to_vec()));
        }
    }
    let bytes = tokio::task::spawn_blocking(move || write_zip(&json, &files))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(Export {
        file_name: format!("augenmerk-daten-{}.zip", Utc::now().format("%Y-%m-%d")),
        bytes,
    })
}

fn write_zip(json: &[u8], photos: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let text = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Photos are already compressed.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("LIESMICH.txt", text)?;
    zip.write_all(readme().as_bytes())?;
    zip.start_file("augenmerk-export.json", text)?;
    zip.write_all(json)?;
    for (name, bytes) in photos {
        zip.start_file(name.as_str(), stored)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

fn readme() -> String {
    [Language::De, Language::En]
        .map(|l| {
            l.pick(
                "Ihre Daten aus dem Mängelmelder Augenmerk (Auskunft nach Art. 15, Datenübertragbarkeit \
                 nach Art. 20 DSGVO).\n\naugenmerk-export.json: Ihre Meldungen mit Antworten, Beschreibung, \
                 Ort, Verlauf und Nachrichten, maschinenlesbar.\nphotos/: die Fotos, so wie sie übermittelt \
                 wurden (Gesichter und Kennzeichen unkenntlich, ohne Metadaten).\n",
                "Your data from the Augenmerk defect reporter (access under Art. 15, portability under \
                 Art. 20 GDPR).\n\naugenmerk-export.json: your reports with answers, description, place, \
                 history and messages, machine-readable.\nphotos/: the photos as they were sent (faces and \
                 plates blurred, without metadata).\n",
            )
        })
        .join("\n")
}
