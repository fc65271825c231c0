//! The citizen's side on the device: saving a report into the outbox, listing reports,
//! their thread, and queueing replies.

use rusqlite::{OptionalExtension, Row, params};

use augenmerk_domain::api::NewReport;
use augenmerk_domain::category::AnswerError;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public::{AnonymizedPhoto, BlurredArea, Delivery, MessageAuthor, PublicStatusChange};
use augenmerk_domain::{Ags, BlobHash, CategoryId, GeoPoint, MessageId, ReportId, Status};

use crate::error::{ClientError, Result};
use crate::model::{LocalMessage, LocalReport, LocalReportDetail, ReopenedReport, ReportDraft, SyncState};
use crate::{Client, time};

impl Client {
    /// Checks a draft against the cached configuration and queues it; returns its id.
    ///
    /// Nothing is queued when anything is wrong: an unknown place, a missing answer, a
    /// photo that was not captured here.
    pub fn create_report(&self, draft: ReportDraft) -> Result<ReportId> {
        self.queue_report(draft, None)
    }

    /// Queues the corrected version of a report the server refused, and forgets the
    /// refused one in the same transaction; returns the new report's id.
    pub fn replace_report(&self, refused: &ReportId, draft: ReportDraft) -> Result<ReportId> {
        self.queue_report(draft, Some(refused))
    }

    /// A report the server refused, as a draft for the form, with its photos.
    pub fn reopen_report(&self, id: &ReportId) -> Result<ReopenedReport> {
        let detail = self.report(id)?;
        if detail.report.sync_state != SyncState::Rejected {
            return Err(not_refused());
        }
        let raw = self.db(|c| {
            Ok(c.query_row(
                &format!("{REPORT_COLUMNS} WHERE id = ?1"),
                [id.to_string()],
                read_report,
            )?)
        })?;
        let photos = detail
            .report
            .photos
            .iter()
            .map(|h| self.stored_photo(h))
            .collect::<Result<Vec<_>>>()?;
        Ok(ReopenedReport {
            id: *id,
            draft: ReportDraft {
                municipality: None,
                category: detail.report.category,
                answers: detail.answers,
                description: detail.report.description,
                location: detail.report.location,
                address_hint: detail.address_hint,
                photos: detail.report.photos,
                contact_email: raw.contact_email,
                consent: raw.consent,
                language: raw.language.as_deref().map(augenmerk_domain::Language::from_tag),
                share_contact: raw.share_contact,
            },
            photos,
        })
    }

    /// Forgets a report the server refused (the user gave it up), with the photos that
    /// nothing else uses.
    pub fn discard_report(&self, id: &ReportId) -> Result<()> {
        let photos = self.db(|c| {
            let tx = c.transaction()?;
            let photos = take_refused(&tx, id)?;
            tx.commit()?;
            Ok(photos)
        })?;
        for h in &photos {
            self.discard_photo(h)?;
        }
        Ok(())
    }

    /// A stored photo as the form shows it; boxes only where the original's size is known.
    fn stored_photo(&self, hash: &BlobHash) -> Result<AnonymizedPhoto> {
        type Row = (Option<u32>, Option<u32>, String, Option<u32>, Option<u32>);
        let row: Option<Row> = self.db(|c| {
            Ok(c.query_row(
                "SELECT width, height, blurred, source_width, source_height FROM photos WHERE hash = ?1",
                [hash.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?)
        })?;
        let (width, height, blurred, source_width, source_height) =
            row.ok_or_else(|| ClientError::NotFound(format!("photo {hash}")))?;
        let (width, height) = (width.unwrap_or(0), height.unwrap_or(0));
        let (source_width, source_height, blurred) = match (source_width, source_height) {
            (Some(w), Some(h)) => (
                w,
                h,
                serde_json::from_str::<Vec<BlurredArea>>(&blurred).unwrap_or_default(),
            ),
            // Captured before the size was kept: the boxes could not be placed.
            _ => (width, height, Vec::new()),
        };
        Ok(AnonymizedPhoto {
            hash: hash.clone(),
            width,
            height,
            source_width,
            source_height,
            blurred,
            suggested_location: None,
        })
    }

    fn queue_report(&self, draft: ReportDraft, replaces: Option<&ReportId>) -> Result<ReportId> {
        let location = draft.location.validated().map_err(|e| ClientError::Invalid(vec![e]))?;
        // The place's own administration, or the neighbour the citizen chose near a border.
        let Some(located) = self.locate(location)?.chosen(draft.municipality.as_ref()) else {
            return Err(ClientError::Invalid(vec![FieldError::new(
                "municipality",
                "location_outside_municipality",
            )]));
        };
        let id = ReportId::new_random();
        let now = time::now();
        let category_name = located
            .config
            .categories
            .find(&draft.category)
            .map(|c| c.name().de.clone());
        let questions = located
            .config
            .categories
            .effective_questions(&draft.category)
            .and_then(|qs| serde_json::to_string(&qs).ok());
        // The engine builds the request as the web page does, at the place located here.
        let place = augenmerk_sync::Place {
            municipality: located.ags.clone(),
            mailed: matches!(located.delivery(), Delivery::Mail { .. }),
            // The notice the form showed came from the same cached configuration.
            notice_version: Some(located.config.legal.notice_version),
        };
        let new = augenmerk_sync::new_report_at(draft, id, now, &place).map_err(|e| match e {
            augenmerk_sync::DraftError::Invalid(e) => ClientError::Invalid(vec![e]),
            // Not reached: the place was located above.
            augenmerk_sync::DraftError::NoMunicipality => {
                ClientError::Invalid(vec![FieldError::new("municipality", "required")])
            }
        })?;
        let place_name = located.place_name();
        let content = match augenmerk_domain::report::check_content(
            &located.config.categories,
            &augenmerk_domain::report::ReportContent::of(&new),
            now,
        ) {
            Ok(c) => c,
            Err(AnswerError::UnknownCategory) => {
                return Err(ClientError::UnknownCategory {
                    category: new.category.as_str().to_owned(),
                    municipality: located.name,
                });
            }
            Err(AnswerError::Invalid(problems)) => return Err(ClientError::Invalid(problems)),
        };
        self.db(|c| {
            let tx = c.transaction()?;
            if let Some(refused) = replaces {
                take_refused(&tx, refused)?;
            }
            for h in &new.photos {
                let known: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM photos WHERE hash = ?1)",
                    [h.as_str()],
                    |r| r.get(0),
                )?;
                if !known {
                    return Err(ClientError::Invalid(vec![FieldError::new("photos", "not_captured")]));
                }
            }
            tx.execute(
                "INSERT INTO reports (id, municipality, category, answers, description, lat, lon, address_hint,
                     contact_email, consent, created_at, sync_state, category_name, questions, language,
                     share_contact, place_name, notice_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?18, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    id.to_string(),
                    located.ags.as_str(),
                    new.category.as_str(),
                    serde_json::Value::Object(new.answers.clone()).to_string(),
                    content.description,
                    location.lat,
                    location.lon,
                    content.address_hint,
                    content.contact_email.as_ref().map(|e| e.as_str()),
                    new.consent,
                    time::ts(&now),
                    category_name,
                    questions,
                    new.language.map(|l| l.as_str()),
                    new.share_contact,
                    place_name,
                    new.notice_version,
                    SyncState::Queued.as_str(),
                ],
            )?;
            for (i, h) in new.photos.iter().enumerate() {
                tx.execute(
                    "INSERT INTO report_photos (report_id, position, hash) VALUES (?1, ?2, ?3)",
                    params![id.to_string(), i as i64, h.as_str()],
                )?;
            }
            tx.commit()?;
            Ok(())
        })?;
        Ok(id)
    }

    /// The citizen's reports on this device, newest first.
    pub fn reports(&self) -> Result<Vec<LocalReport>> {
        let rows = self.db(|c| {
            let mut stmt = c.prepare(&format!("{REPORT_COLUMNS} ORDER BY created_at DESC, id"))?;
            let rows = stmt.query_map([], read_report)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        rows.into_iter().map(|r| self.finish_report(r)).collect()
    }

    /// One report with its history and thread.
    pub fn report(&self, id: &ReportId) -> Result<LocalReportDetail> {
        let raw = self.db(|c| {
            Ok(c.query_row(
                &format!("{REPORT_COLUMNS} WHERE id = ?1"),
                [id.to_string()],
                read_report,
            )
            .optional()?)
        })?;
        let raw = raw.ok_or_else(|| ClientError::NotFound(format!("report {id}")))?;
        let answers = serde_json::from_str::<serde_json::Value>(&raw.answers)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        let history: Vec<PublicStatusChange> = serde_json::from_str(&raw.history).unwrap_or_default();
        let address_hint = raw.address_hint.clone();
        let questions = raw
            .questions
            .as_deref()
            .and_then(|q| serde_json::from_str(q).ok())
            .unwrap_or_default();
        let report = self.finish_report(raw)?;
        let mail_updates: Option<String> = self.db(|c| {
            Ok(c.query_row(
                "SELECT mail_updates FROM reports WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )?)
        })?;
        let mail_updates = mail_updates
            .and_then(|m| serde_json::from_value(serde_json::Value::String(m)).ok())
            .unwrap_or_default();
        let messages = self.db(|c| {
            let mut stmt = c.prepare(
                "SELECT id, author, body, created_at, state FROM messages WHERE report_id = ?1 ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([id.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let messages = messages
            .into_iter()
            .filter_map(|(mid, author, body, at, state)| {
                Some(LocalMessage {
                    id: mid.parse().ok()?,
                    author: if author == "citizen" {
                        MessageAuthor::Citizen
                    } else {
                        MessageAuthor::Municipality
                    },
                    body,
                    created_at: time::parse(&at),
                    sync_state: SyncState::parse(&state).unwrap_or(SyncState::Queued),
                })
            })
            .collect();
        Ok(LocalReportDetail {
            report,
            answers,
            address_hint,
            history,
            messages,
            questions,
            mail_updates,
        })
    }

    /// The user looked at a report: clear its "changed" mark.
    pub fn mark_seen(&self, id: &ReportId) -> Result<()> {
        self.db(|c| {
            c.execute("UPDATE reports SET unseen = 0 WHERE id = ?1", [id.to_string()])?;
            Ok(())
        })
    }

    /// Queues a reply to the municipality; returns the message id.
    pub fn queue_reply(&self, id: &ReportId, body: &str) -> Result<MessageId> {
        let body = crate::text::checked_text(body)?;
        let mid = MessageId::new_random();
        self.db(|c| {
            let exists: bool = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM reports WHERE id = ?1)",
                [id.to_string()],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(ClientError::NotFound(format!("report {id}")));
            }
            c.execute(
                "INSERT INTO messages (id, report_id, author, body, created_at, state) VALUES (?1, ?2, 'citizen', ?3, ?4, ?5)",
                params![
                    mid.to_string(),
                    id.to_string(),
                    body,
                    time::ts(&time::now()),
                    SyncState::Queued.as_str()
                ],
            )?;
            Ok(())
        })?;
        Ok(mid)
    }

    /// How many reports and replies wait for the network.
    pub fn pending_count(&self) -> Result<(u64, u64)> {
        self.db(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM reports WHERE sync_state = ?1),
                        (SELECT count(*) FROM messages m JOIN reports r ON r.id = m.report_id
                          WHERE m.state = ?1 AND r.sync_state != ?2)",
                [SyncState::Queued.as_str(), SyncState::Rejected.as_str()],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )?)
        })
    }

    fn finish_report(&self, raw: RawReport) -> Result<LocalReport> {
        let municipality = Ags::parse(&raw.municipality).map_err(|e| ClientError::Invalid(vec![e]))?;
        let category = CategoryId::parse(&raw.category).map_err(|e| ClientError::Invalid(vec![e]))?;
        // The name as the municipality calls it now, or as it was when the report was
        // written (a withdrawn category is no longer in the citizens' tree).
        let category_name = self
            .municipality(&municipality)
            .ok()
            .and_then(|m| m.categories.find(&category).map(|c| c.name().de.clone()))
            .or(raw.category_name);
        Ok(LocalReport {
            id: raw.id.parse().map_err(|e| ClientError::Invalid(vec![e]))?,
            municipality,
            category,
            category_name,
            description: raw.description,
            location: GeoPoint {
                lat: raw.lat,
                lon: raw.lon,
            },
            photos: raw
                .photos
                .split(',')
                .filter(|s| !s.is_empty())
                .filter_map(|h| BlobHash::parse(h).ok())
                .collect(),
            created_at: time::parse(&raw.created_at),
            sync_state: SyncState::parse(&raw.sync_state).unwrap_or(SyncState::Queued),
            status: raw.status.as_deref().and_then(Status::parse),
            last_error: raw.last_error,
            unseen: raw.unseen,
            place_name: raw.place_name,
            mailed_to: raw.mailed_to,
        })
    }
}

/// The columns of a report row, photos as a comma-separated list in order.
const REPORT_COLUMNS: &str = "SELECT id, municipality, category, answers, description, lat, lon, address_hint,
    created_at, sync_state, status, last_error, unseen, history, contact_email, consent, category_name, questions,
    (SELECT coalesce(group_concat(hash, ','), '') FROM (SELECT hash FROM report_photos p WHERE p.report_id = reports.id ORDER BY position)),
    language, share_contact, place_name, mailed_to, notice_version
    FROM reports";

/// A report row before its strings are parsed.
pub(crate) struct RawReport {
    pub id: String,
    pub municipality: String,
    pub category: String,
    pub answers: String,
    pub description: String,
    pub lat: f64,
    pub lon: f64,
    pub address_hint: Option<String>,
    pub created_at: String,
    pub sync_state: String,
    pub status: Option<String>,
    pub last_error: Option<String>,
    pub unseen: bool,
    pub history: String,
    pub contact_email: Option<String>,
    pub consent: bool,
    pub category_name: Option<String>,
    pub questions: Option<String>,
    pub photos: String,
    pub language: Option<String>,
    pub share_contact: bool,
    pub place_name: Option<String>,
    pub mailed_to: Option<String>,
    pub notice_version: Option<u32>,
}

fn read_report(r: &Row<'_>) -> rusqlite::Result<RawReport> {
    Ok(RawReport {
        id: r.get(0)?,
        municipality: r.get(1)?,
        category: r.get(2)?,
        answers: r.get(3)?,
        description: r.get(4)?,
        lat: r.get(5)?,
        lon: r.get(6)?,
        address_hint: r.get(7)?,
        created_at: r.get(8)?,
        sync_state: r.get(9)?,
        status: r.get(10)?,
        last_error: r.get(11)?,
        unseen: r.get(12)?,
        history: r.get(13)?,
        contact_email: r.get(14)?,
        consent: r.get(15)?,
        category_name: r.get(16)?,
        questions: r.get(17)?,
        photos: r.get(18)?,
        language: r.get(19)?,
        share_contact: r.get(20)?,
        place_name: r.get(21)?,
        mailed_to: r.get(22)?,
        notice_version: r.get(23)?,
    })
}

/// Loads a queued report as the request that submits it.
pub(crate) fn queued_request(c: &rusqlite::Connection, id: &str) -> Result<NewReport> {
    let raw = c.query_row(&format!("{REPORT_COLUMNS} WHERE id = ?1"), [id], read_report)?;
    let answers = serde_json::from_str::<serde_json::Value>(&raw.answers)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    Ok(NewReport {
        id: raw.id.parse().map_err(|e| ClientError::Invalid(vec![e]))?,
        municipality: Some(Ags::parse(&raw.municipality).map_err(|e| ClientError::Invalid(vec![e]))?),
        category: CategoryId::parse(&raw.category).map_err(|e| ClientError::Invalid(vec![e]))?,
        answers,
        description: raw.description,
        location: GeoPoint {
            lat: raw.lat,
            lon: raw.lon,
        },
        address_hint: raw.address_hint,
        photos: raw
            .photos
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|h| BlobHash::parse(h).map_err(|e| ClientError::Invalid(vec![e])))
            .collect::<Result<_>>()?,
        contact_email: raw.contact_email,
        consent: raw.consent,
        created_at: Some(time::parse(&raw.created_at)),
        language: raw.language.as_deref().map(augenmerk_domain::Language::from_tag),
        share_contact: raw.share_contact,
        notice_version: raw.notice_version,
    })
}

fn not_refused() -> ClientError {
    ClientError::Invalid(vec![FieldError::new("report", "not_refused")])
}

/// Deletes a refused report (its photo links and thread go with it) and returns its
/// photos; anything but a refused report is left alone.
fn take_refused(tx: &rusqlite::Transaction<'_>, id: &ReportId) -> Result<Vec<BlobHash>> {
    let state: Option<String> = tx
        .query_row("SELECT sync_state FROM reports WHERE id = ?1", [id.to_string()], |r| {
            r.get(0)
        })
        .optional()?;
    match state.as_deref().map(SyncState::parse) {
        None => return Err(ClientError::NotFound(format!("report {id}"))),
        Some(Some(SyncState::Rejected)) => {}
        Some(_) => return Err(not_refused()),
    }
    let photos: Vec<String> = tx
        .prepare("SELECT hash FROM report_photos WHERE report_id = ?1 ORDER BY position")?
        .query_map([id.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute("DELETE FROM reports WHERE id = ?1", [id.to_string()])?;
    Ok(photos.into_iter().filter_map(|h| BlobHash::parse(&h).ok()).collect())
}
