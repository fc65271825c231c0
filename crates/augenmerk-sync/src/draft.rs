//! How the user's draft becomes the request that submits it.

use chrono::{DateTime, Utc};

use augenmerk_domain::api::NewReport;
use augenmerk_domain::device::ReportDraft;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::{Ags, ReportId};

/// Why a draft cannot be queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    /// No municipality was chosen or found for the place (the page asks the citizen to
    /// choose the place first: `e-choose-place-first`).
    #[error("choose the place first: no municipality is known for it")]
    NoMunicipality,
    /// A field is not usable (a location off the globe).
    #[error("invalid: {0}")]
    Invalid(FieldError),
}

/// Where the report goes, as the device knows it when it queues the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The administration the report is filed under.
    pub municipality: Ags,
    /// Whether reports there are mailed to an administration not on the platform: only
    /// then may the citizen's address go with it ([`NewReport::share_contact`]).
    pub mailed: bool,
    /// The privacy notice version the form showed (from the same configuration).
    pub notice_version: Option<u32>,
}

/// The request for a draft whose municipality the user confirmed (the web page's form),
/// made at `now`. Whether the report is mailed is left to the server, which passes the
/// address on only where it mails the report.
pub fn new_report(
    draft: ReportDraft,
    id: ReportId,
    now: DateTime<Utc>,
    notice_version: Option<u32>,
) -> Result<NewReport, DraftError> {
    let municipality = draft.municipality.clone().ok_or(DraftError::NoMunicipality)?;
    let place = Place {
        municipality,
        mailed: true,
        notice_version,
    };
    new_report_at(draft, id, now, &place)
}

/// The request for a draft at a place the device located itself (the native client,
/// from its cached boundaries); the draft's own municipality is not used.
pub fn new_report_at(
    draft: ReportDraft,
    id: ReportId,
    now: DateTime<Utc>,
    place: &Place,
) -> Result<NewReport, DraftError> {
    let location = draft.location.validated().map_err(DraftError::Invalid)?;
    // Only where the report is mailed, and only with an address to pass on.
    let share_contact = draft.share_contact && draft.contact_email.is_some() && place.mailed;
    Ok(NewReport {
        id,
        municipality: Some(place.municipality.clone()),
        category: draft.category,
        answers: draft.answers,
        description: draft.description,
        location,
        address_hint: draft.address_hint,
        photos: draft.photos,
        contact_email: draft.contact_email,
        consent: draft.consent,
        created_at: Some(now),
        language: draft.language,
        share_contact,
        notice_version: place.notice_version,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use augenmerk_domain::{BlobHash, CategoryId, GeoPoint, Language};

    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn draft() -> Result<ReportDraft, FieldError> {
        Ok(ReportDraft {
            municipality: Some(Ags::parse("01001000")?),
            category: CategoryId::parse("schlagloch")?,
            answers: serde_json::Map::from_iter([("gefahr_akut".to_owned(), serde_json::Value::Bool(true))]),
            description: "Tiefes Loch".into(),
            location: GeoPoint {
                lat: 54.7833,
                lon: 9.4333,
            },
            address_hint: Some("vor Nr. 12".into()),
            photos: vec![BlobHash::parse(&"a".repeat(64))?],
            contact_email: Some("b@example.org".into()),
            consent: true,
            language: Some(Language::from_tag("en")),
            share_contact: true,
        })
    }

    #[test]
    fn a_draft_becomes_the_report_as_it_is() -> TestResult {
        let d = draft()?;
        let id = ReportId::new_random();
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 10, 0, 0).single().ok_or("date")?;
        let r = new_report(d.clone(), id, now, Some(3))?;
        assert_eq!(r.id, id);
        assert_eq!(r.municipality, d.municipality);
        assert_eq!(r.category, d.category);
        assert_eq!(r.answers, d.answers);
        assert_eq!(r.description, d.description);
        assert_eq!(r.location, d.location);
        assert_eq!(r.address_hint, d.address_hint);
        assert_eq!(r.photos, d.photos);
        assert_eq!(r.contact_email, d.contact_email);
        assert!(r.consent);
        assert_eq!(r.created_at, Some(now));
        assert_eq!(r.language, d.language);
        assert!(r.share_contact);
        assert_eq!(r.notice_version, Some(3));
        Ok(())
    }

    #[test]
    fn without_a_municipality_nothing_is_built() -> TestResult {
        let mut d = draft()?;
        d.municipality = None;
        assert_eq!(
            new_report(d, ReportId::new_random(), Utc::now(), None),
            Err(DraftError::NoMunicipality)
        );
        Ok(())
    }

    #[test]
    fn a_location_off_the_globe_is_refused() -> TestResult {
        let mut d = draft()?;
        d.location.lat = 91.0;
        let r = new_report(d, ReportId::new_random(), Utc::now(), None);
        assert!(matches!(r, Err(DraftError::Invalid(e)) if e.field == "location" || e.field.starts_with("location")));
        Ok(())
    }

    /// (shares, has address, mailed) -> the address goes with the report.
    #[test]
    fn the_address_goes_only_where_the_report_is_mailed() -> TestResult {
        for (share, address, mailed, expected) in [
            (true, true, true, true),
            (true, true, false, false),
            (true, false, true, false),
            (false, true, true, false),
        ] {
            let mut d = draft()?;
            d.share_contact = share;
            if !address {
                d.contact_email = None;
            }
            let place = Place {
                municipality: Ags::parse("01002000")?,
                mailed,
                notice_version: None,
            };
            let r = new_report_at(d, ReportId::new_random(), Utc::now(), &place)?;
            assert_eq!(r.share_contact, expected, "{share} {address} {mailed}");
            // The located place wins over what the draft claimed.
            assert_eq!(r.municipality, Some(place.municipality));
        }
        Ok(())
    }
}
