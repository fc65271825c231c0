//! The report being written: what the form holds, kept in local storage on every change so
//! that nothing typed is lost when the window closes, and checked with the same rules the
//! device's queue and the server's intake apply.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use augenmerk_domain::category::AnswerError;
use augenmerk_domain::device::{ReopenedReport, ReportDraft};
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public::{AnonymizedPhoto, Delivery, MunicipalityConfig, Responsibility};
use augenmerk_domain::report::{ReportContent, check_content};
use augenmerk_domain::{Ags, CategoryId, GeoPoint, ReportId};

use crate::storage;

const KEY: &str = "augenmerk.draft";

/// Where the report's location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    /// The photo's GPS position.
    Photo,
    /// The device's position.
    Device,
    /// Picked on the map.
    Map,
    /// Typed in.
    Typed,
    /// Found by the address search.
    Address,
}

/// The form's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Photos, already anonymized.
    pub photos: Vec<AnonymizedPhoto>,
    /// Latitude as typed or set.
    pub lat: String,
    /// Longitude as typed or set.
    pub lon: String,
    /// Where the position came from.
    pub location_source: Option<LocationSource>,
    /// The responsible municipality for the position.
    pub municipality: Option<Responsibility>,
    /// The citizen confirmed the municipality (asked near a boundary).
    pub municipality_confirmed: bool,
    /// Near a border: the administration the citizen chose among the place's
    /// alternatives (`None`, or one no longer offered: the place's own).
    #[serde(default)]
    pub municipality_choice: Option<Ags>,
    /// Chosen leaf category.
    pub category: Option<CategoryId>,
    /// Answers by question id.
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Description.
    pub description: String,
    /// Free-text hint on the place.
    pub address_hint: String,
    /// The hint was filled in from the geocoder (a search result or the address at a
    /// tap), not typed: a later tap may replace it, a typed one never.
    #[serde(default)]
    pub address_hint_auto: bool,
    /// Optional e-mail.
    pub email: String,
    /// Privacy consent.
    pub consent: bool,
    /// Where the report is mailed to an administration not on the platform: pass the
    /// e-mail address on with it.
    #[serde(default)]
    pub share_contact: bool,
    /// The refused report this one corrects and replaces when it is saved.
    #[serde(default)]
    pub replaces: Option<ReportId>,
}

/// Whether the citizen must tick that the place belongs to the municipality: it lies
/// outside the boundary (within the tolerance) and there is no neighbour to choose
/// instead (where there is, the choice among them is the confirmation).
pub fn needs_confirmation(m: &Responsibility) -> bool {
    m.distance_m > 0.0 && m.alternatives.is_empty()
}

/// The key a report at the place is filed under: the administration's (an Amt, or a
/// directory entry reports are mailed to), or the Gemeinde's own.
pub fn administration_key(m: &Responsibility) -> &Ags {
    m.administration.as_ref().map_or(&m.ags, |a| &a.key)
}

/// The place as citizens see it: "Wees (Amt Langballig)", or just "Flensburg".
pub fn place_name(m: &Responsibility) -> String {
    let administration = m.administration.as_ref().filter(|a| a.serves_several);
    augenmerk_domain::public::place_name(&m.name, administration.map(|a| a.name.as_str()))
}

/// Whether anyone takes reports at the place (on the platform or by mail).
pub fn is_served(m: &Responsibility) -> bool {
    m.active && m.delivery != Delivery::Refused
}

/// The administration reports at the place are mailed to, when it is not on the platform.
pub fn mailed_to(m: &Responsibility) -> Option<&str> {
    match &m.delivery {
        Delivery::Mail { to } => Some(to),
        _ => None,
    }
}

impl Draft {
    /// The saved draft, or an empty one.
    pub fn load() -> Draft {
        storage::get(KEY)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    /// Saves the draft.
    pub fn save(&self) {
        if let Ok(json) = serde_json::to_string(self) {
            storage::set(KEY, &json);
        }
    }

    /// Forgets the saved draft (after the report was saved).
    pub fn clear() {
        storage::remove(KEY);
    }

    /// The position, if both coordinates parse (comma or point as decimal separator).
    pub fn location(&self) -> Option<GeoPoint> {
        let parse = |s: &str| s.trim().replace(',', ".").parse::<f64>().ok();
        GeoPoint::parse(parse(&self.lat)?, parse(&self.lon)?).ok()
    }

    /// Whether the citizen wrote anything here (a place alone, which the device may have
    /// filled in, does not count).
    pub fn has_content(&self) -> bool {
        !self.photos.is_empty()
            || self.category.is_some()
            || !self.answers.is_empty()
            || !self.description.trim().is_empty()
            || !self.address_hint.trim().is_empty()
            || !self.email.trim().is_empty()
    }

    /// The form filled with a report the server refused, to be corrected and saved in its
    /// place; `municipality` is where its position lies now.
    pub fn reopened(r: ReopenedReport, municipality: Responsibility) -> Draft {
        let mut d = Draft {
            photos: r.photos,
            municipality: Some(municipality),
            // It was confirmed when the report was first written.
            municipality_confirmed: true,
            category: Some(r.draft.category),
            answers: r.draft.answers,
            description: r.draft.description,
            address_hint: r.draft.address_hint.unwrap_or_default(),
            email: r.draft.contact_email.unwrap_or_default(),
            consent: r.draft.consent,
            share_contact: r.draft.share_contact,
            replaces: Some(r.id),
            ..Draft::default()
        };
        d.lat = format!("{:.6}", r.draft.location.lat);
        d.lon = format!("{:.6}", r.draft.location.lon);
        d
    }

    /// The municipality the report goes to: the neighbour the citizen chose near a
    /// border, else the place's own.
    pub fn chosen_municipality(&self) -> Option<&Responsibility> {
        let m = self.municipality.as_ref()?;
        let chosen = self
            .municipality_choice
            .as_ref()
            .and_then(|key| m.alternatives.iter().find(|a| administration_key(a) == key));
        Some(chosen.unwrap_or(m))
    }

    /// Takes the municipality found for the place (keeping the citizen's choice and
    /// confirmation while the place stays in the same Gemeinde); the category and answers
    /// go when the report would go to another administration, which has other categories.
    pub fn set_municipality(&mut self, m: Responsibility) {
        let before = self.chosen_municipality().map(|c| administration_key(c).clone());
        if self.municipality.as_ref().map(|x| &x.ags) != Some(&m.ags) {
            self.municipality_confirmed = false;
            self.municipality_choice = None;
        }
        self.municipality = Some(m);
        self.forget_category_unless(before);
    }

    /// Chooses among the place's own administration and its neighbours (by key).
    pub fn choose_municipality(&mut self, administration: &Ags) {
        let before = self.chosen_municipality().map(|c| administration_key(c).clone());
        self.municipality_choice = Some(administration.clone());
        self.forget_category_unless(before);
    }

    /// Forgets the category and answers if the report now goes to another administration
    /// than `before` (the Gemeinden of one Amt share theirs).
    fn forget_category_unless(&mut self, before: Option<Ags>) {
        if self.chosen_municipality().map(administration_key) != before.as_ref() {
            self.category = None;
            self.answers.clear();
        }
    }

    /// Sets the position.
    pub fn set_location(&mut self, lat: f64, lon: f64, source: LocationSource) {
        self.lat = format!("{lat:.6}");
        self.lon = format!("{lon:.6}");
        self.location_source = Some(source);
    }

    /// The report as the queue takes it, in the language the citizen uses here (mails
    /// about the report are written in it).
    pub fn to_report(&self) -> Option<ReportDraft> {
        self.report_in(match crate::shell::initial_lang() {
            crate::i18n::Lang::De => augenmerk_domain::Language::De,
            crate::i18n::Lang::En => augenmerk_domain::Language::En,
        })
    }

    /// The report as the queue takes it, written in `language`.
    fn report_in(&self, language: augenmerk_domain::Language) -> Option<ReportDraft> {
        let contact_email = Some(self.email.trim().to_owned()).filter(|s| !s.is_empty());
        Some(ReportDraft {
            municipality: self.chosen_municipality().map(|m| administration_key(m).clone()),
            category: self.category.clone()?,
            answers: self.answers.clone(),
            description: self.description.trim().to_owned(),
            location: self.location()?,
            address_hint: Some(self.address_hint.trim().to_owned()).filter(|s| !s.is_empty()),
            photos: self.photos.iter().map(|p| p.hash.clone()).collect(),
            // Only where the report is mailed, and only with an address to pass on.
            share_contact: self.share_contact
                && contact_email.is_some()
                && self.chosen_municipality().and_then(mailed_to).is_some(),
            contact_email,
            consent: self.consent,
            language: Some(language),
        })
    }

    /// Every problem at once, by field (`location`, `category`, `answers.ID`, `description`,
    /// `contact_email`, `consent`, `municipality`), with the intake's own checks.
    pub fn problems(&self, config: Option<&MunicipalityConfig>) -> Vec<FieldError> {
        let mut problems = Vec::new();
        let location = self.location();
        if location.is_none() {
            problems.push(FieldError::new("location", "required"));
        }
        match (&self.municipality, self.chosen_municipality()) {
            (None, _) if location.is_some() => problems.push(FieldError::new("municipality", "required")),
            (_, Some(m)) if !is_served(m) => problems.push(FieldError::new("municipality", "not_served")),
            (Some(m), _) if needs_confirmation(m) && !self.municipality_confirmed => {
                problems.push(FieldError::new("municipality", "confirm"))
            }
            _ => {}
        }
        let Some(category) = self.category.clone() else {
            problems.push(FieldError::new("category", "required"));
            return problems;
        };
        let Some(config) = config else {
            return problems;
        };
        let photos: Vec<_> = self.photos.iter().map(|p| p.hash.clone()).collect();
        let content = ReportContent {
            category: &category,
            answers: &self.answers,
            description: &self.description,
            address_hint: Some(self.address_hint.as_str()),
            photos: &photos,
            contact_email: Some(self.email.as_str()),
            consent: self.consent,
            created_at: None,
        };
        match check_content(&config.categories, &content, Utc::now()) {
            Ok(_) => {}
            Err(AnswerError::UnknownCategory) => problems.push(FieldError::new("category", "required")),
            Err(AnswerError::Invalid(errors)) => problems.extend(errors),
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> MunicipalityConfig {
        let tree = augenmerk_domain::CategoryTree::from_json(include_str!("../../data/categories.json"))
            .unwrap_or_else(|e| panic!("the demo tree parses: {e}"));
        MunicipalityConfig {
            ags: Ags::parse("01001000").unwrap_or_else(|e| panic!("{e:?}")),
            name: "Flensburg".into(),
            categories: tree,
            boundary: None,
            accent_color: None,
            logo: None,
            version: "1".into(),
            gemeinden: Vec::new(),
            delivery: Delivery::Platform,
            legal: Default::default(),
            public: Default::default(),
        }
    }

    fn fields(problems: &[FieldError]) -> Vec<String> {
        problems.iter().map(|p| format!("{}:{}", p.field, p.problem)).collect()
    }

    #[test]
    fn a_place_alone_is_no_content_but_anything_written_is() {
        let mut d = Draft::default();
        d.set_location(54.81, 9.48, LocationSource::Device);
        assert!(!d.has_content(), "the device may fill in the place by itself");
        d.description = "  ".into();
        assert!(!d.has_content());
        d.description = "Loch".into();
        assert!(d.has_content());
        let chosen = Draft {
            category: CategoryId::parse("schlagloch").ok(),
            ..Draft::default()
        };
        assert!(chosen.has_content());
    }

    #[test]
    fn an_empty_draft_names_location_and_category() {
        let problems = Draft::default().problems(Some(&config()));
        assert_eq!(fields(&problems), ["location:required", "category:required"]);
    }

    #[test]
    fn coordinates_accept_a_decimal_comma_and_near_boundary_needs_confirmation() {
        let mut d = Draft {
            lat: "54,7836".into(),
            lon: "9.4321".into(),
            ..Draft::default()
        };
        assert!(d.location().is_some());
        d.municipality = Some(Responsibility {
            ags: Ags::parse("01001000").unwrap_or_else(|e| panic!("{e:?}")),
            name: "Flensburg".into(),
            distance_m: 120.0,
            active: true,
            administration: None,
            delivery: Delivery::Platform,
            alternatives: Vec::new(),
        });
        assert!(fields(&d.problems(None)).contains(&"municipality:confirm".to_owned()));
        d.municipality_confirmed = true;
        assert!(!fields(&d.problems(None)).contains(&"municipality:confirm".to_owned()));
    }

    #[test]
    fn the_intake_rules_apply_to_answers_and_consent() {
        let config = config();
        let leaf = config
            .categories
            .iter()
            .find(|c| {
                c.subcategories.is_empty()
                    && config
                        .categories
                        .effective_questions(&c.id)
                        .is_some_and(|q| q.iter().any(|q| q.required))
            })
            .map(|c| c.id.clone());
        let mut d = Draft {
            lat: "54.7836".into(),
            lon: "9.4321".into(),
            category: leaf,
            description: "Tiefes Loch".into(),
            ..Draft::default()
        };
        d.municipality = Some(Responsibility {
            ags: config.ags.clone(),
            name: "Flensburg".into(),
            distance_m: 0.0,
            active: true,
            administration: None,
            delivery: Delivery::Platform,
            alternatives: Vec::new(),
        });
        let problems = fields(&d.problems(Some(&config)));
        assert!(problems.contains(&"consent:required".to_owned()), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("answers.") && p.ends_with(":required")),
            "{problems:?}"
        );
    }

    fn ags(s: &str) -> Ags {
        Ags::parse(s).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Wees, a Gemeinde of Amt Langballig, whose reports are worked on the platform or mailed.
    fn wees(delivery: Delivery) -> Responsibility {
        Responsibility {
            ags: ags("01059176"),
            name: "Wees".into(),
            distance_m: 0.0,
            active: delivery != Delivery::Refused,
            administration: Some(augenmerk_domain::public::AdministrationRef {
                key: ags("010595937"),
                name: "Amt Langballig".into(),
                serves_several: true,
            }),
            delivery,
            alternatives: Vec::new(),
        }
    }

    fn filled(m: Responsibility) -> Draft {
        Draft {
            lat: "54.8000".into(),
            lon: "9.5500".into(),
            municipality: Some(m),
            category: CategoryId::parse("schlagloch").ok(),
            email: " maria@example.org ".into(),
            consent: true,
            share_contact: true,
            ..Draft::default()
        }
    }

    #[test]
    fn near_a_border_the_chosen_neighbour_takes_the_report_and_a_new_gemeinde_forgets_the_choice() {
        let flensburg = Responsibility {
            ags: ags("01001000"),
            name: "Flensburg".into(),
            administration: None,
            alternatives: vec![Responsibility {
                distance_m: 190.0,
                ..wees(Delivery::Platform)
            }],
            ..wees(Delivery::Platform)
        };
        let mut d = filled(flensburg.clone());
        // Inside Flensburg with a neighbour: the choice, not the tick, confirms.
        assert!(!needs_confirmation(&flensburg));
        assert!(!fields(&d.problems(None)).contains(&"municipality:confirm".to_owned()));
        assert_eq!(d.chosen_municipality().map(|m| m.ags.as_str()), Some("01001000"));

        d.choose_municipality(&ags("010595937"));
        assert_eq!(d.chosen_municipality().map(|m| m.ags.as_str()), Some("01059176"));
        // Another administration, other categories.
        assert_eq!(d.category, None);
        d.category = CategoryId::parse("schlagloch").ok();
        let report = d
            .report_in(augenmerk_domain::Language::De)
            .unwrap_or_else(|| panic!("complete"));
        assert_eq!(report.municipality.as_ref().map(Ags::as_str), Some("010595937"));

        // The same place found again keeps the choice; another Gemeinde drops it.
        d.set_municipality(flensburg.clone());
        assert_eq!(d.municipality_choice.as_ref().map(Ags::as_str), Some("010595937"));
        assert!(d.category.is_some());
        d.set_municipality(wees(Delivery::Platform));
        assert_eq!(d.municipality_choice, None);
        assert_eq!(d.chosen_municipality().map(|m| m.ags.as_str()), Some("01059176"));
        // A choice no longer offered falls back to the place's own.
        d.municipality_choice = Some(ags("01002000"));
        assert_eq!(d.chosen_municipality().map(|m| m.ags.as_str()), Some("01059176"));
    }

    #[test]
    fn a_report_in_a_gemeinde_of_an_amt_is_filed_under_the_amt_and_named_with_it() {
        let m = wees(Delivery::Platform);
        assert_eq!(place_name(&m), "Wees (Amt Langballig)");
        assert_eq!(administration_key(&m).as_str(), "010595937");
        let report = filled(m)
            .report_in(augenmerk_domain::Language::De)
            .unwrap_or_else(|| panic!("a complete draft"));
        assert_eq!(report.municipality.as_ref().map(Ags::as_str), Some("010595937"));
        assert!(!report.share_contact, "nothing is mailed: nothing to share");
        let flensburg = Responsibility {
            administration: None,
            ..wees(Delivery::Platform)
        };
        assert_eq!(place_name(&flensburg), "Wees");
        assert_eq!(administration_key(&flensburg).as_str(), "01059176");
    }

    #[test]
    fn the_contact_goes_with_a_mailed_report_only_when_agreed_and_given() {
        let mail = wees(Delivery::Mail {
            to: "Amt Langballig".into(),
        });
        assert_eq!(mailed_to(&mail), Some("Amt Langballig"));
        let agreed = filled(mail.clone())
            .report_in(augenmerk_domain::Language::De)
            .unwrap_or_else(|| panic!("complete"));
        assert!(agreed.share_contact);
        assert_eq!(agreed.contact_email.as_deref(), Some("maria@example.org"));
        let without_address = Draft {
            email: "  ".into(),
            ..filled(mail.clone())
        };
        assert!(
            !without_address
                .report_in(augenmerk_domain::Language::De)
                .is_some_and(|r| r.share_contact)
        );
        let not_agreed = Draft {
            share_contact: false,
            ..filled(mail)
        };
        assert!(
            !not_agreed
                .report_in(augenmerk_domain::Language::De)
                .is_some_and(|r| r.share_contact)
        );
    }

    #[test]
    fn a_place_nobody_serves_is_named_before_sending() {
        let refused = wees(Delivery::Refused);
        assert!(!is_served(&refused));
        assert!(fields(&filled(refused).problems(None)).contains(&"municipality:not_served".to_owned()));
        assert!(
            !fields(&filled(wees(Delivery::Platform)).problems(None))
                .iter()
                .any(|p| p.starts_with("municipality"))
        );
    }
}
