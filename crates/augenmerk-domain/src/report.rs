//! Reports: what a citizen submits and what the municipality keeps about it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::geo::GeoPoint;
use crate::ids::{
    Ags, AuthorityId, BlobHash, CategoryId, DepartmentId, DeviceId, QuestionId, ReportId, RuleId, UserId,
};
use crate::process::Status;
use crate::text::FreeText;

/// Longest description accepted, in characters (Open311 uses the same limit).
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Longest address hint accepted, in characters.
pub const MAX_ADDRESS_HINT_CHARS: usize = 300;
/// Most photos one report may carry.
pub const MAX_PHOTOS: usize = 10;

/// A validated answer to an intake question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    /// Yes or no.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A decimal number.
    Number(f64),
    /// Text, a select option's value, or a date.
    Text(String),
    /// Multiselect values.
    Choices(Vec<String>),
}

/// All answers of a report, by question.
pub type Answers = BTreeMap<QuestionId, Answer>;

/// How urgent a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Soon.
    High,
    /// Danger to people: at once.
    Urgent,
}

impl Priority {
    /// The priority's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Low, Self::Normal, Self::High, Self::Urgent]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// An e-mail address that passed a plausibility check (not a deliverability check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Email))]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` of at most 254 characters, without spaces.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new("contact_email", "invalid_email"))
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// Where a report came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The Augenmerk app or CLI through the native API.
    #[default]
    App,
    /// An Open311 GeoReport v2 client.
    Open311,
    /// Entered by staff (phone call, letter).
    Staff,
}

impl Channel {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Open311 => "open311",
            Self::Staff => "staff",
        }
    }
}

/// A report as the server keeps it: the full record, only ever shown to staff as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Client-generated id.
    pub id: ReportId,
    /// The responsible municipality (the tenant: a Gemeinde, or an Amt).
    pub municipality: Ags,
    /// The Gemeinde the report lies in (eight digits): the tenant itself, or one of an
    /// Amt's Gemeinden. Staff see, filter, count and route by it.
    pub gemeinde: Ags,
    /// The device that submitted it, if it came from a device.
    pub device_id: Option<DeviceId>,
    /// Leaf category.
    pub category: CategoryId,
    /// Validated answers to the category's questions.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    /// Plain-text description.
    pub description: String,
    /// WGS84 position.
    pub location: GeoPoint,
    /// Free-text hint on the place ("outside no. 12").
    pub address_hint: Option<String>,
    /// Photos by blob hash.
    pub photos: Vec<BlobHash>,
    /// Contact e-mail, if the citizen gave one.
    pub contact_email: Option<Email>,
    /// The citizen confirmed the privacy notice.
    pub consent: bool,
    /// Which version of the privacy notice they confirmed (none: sent by a client that
    /// did not say, or by Open311).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_version: Option<u32>,
    /// Current status.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// When the municipality wants it done.
    pub due_at: Option<DateTime<Utc>>,
    /// Responsible department.
    pub department: Option<DepartmentId>,
    /// Responsible person.
    pub assignee: Option<UserId>,
    /// External authority it was forwarded to.
    pub forwarded_to: Option<AuthorityId>,
    /// The report this one duplicates.
    pub duplicate_of: Option<ReportId>,
    /// The delegation rule that routed it at intake or at the last re-routing.
    pub routed_by: Option<RuleId>,
    /// How the report came in.
    pub channel: Channel,
    /// Created on the device (or at intake when the device did not say).
    pub created_at: DateTime<Utc>,
    /// Received by the server.
    pub received_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Report {
    /// Whether the report is past its due date and still open.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.is_open() && self.due_at.is_some_and(|d| d < now)
    }
}

/// Trims and checks a description (free text: no control characters).
pub fn parse_description(s: &str) -> Result<String, FieldError> {
    let s = FreeText::parse("description", s.trim())?;
    if s.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new("description", "too_long"));
    }
    Ok(s.into_string())
}

/// Trims and checks an address hint (free text); empty becomes `None`.
pub fn parse_address_hint(s: Option<&str>) -> Result<Option<String>, FieldError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > MAX_ADDRESS_HINT_CHARS => Err(FieldError::new("address_hint", "too_long")),
        Some(s) => FreeText::parse("address_hint", s).map(|t| Some(t.into_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_plausibility() {
        assert!(Email::parse("a@b.de").is_ok());
        assert!(Email::parse(" a@b.de ").is_ok());
        assert!(Email::parse("a b@c.de").is_err());
        assert!(Email::parse("ab.de").is_err());
        assert!(Email::parse("a@bde").is_err());
    }

    #[test]
    fn description_limit_counts_characters() {
        assert!(parse_description(&"ä".repeat(MAX_DESCRIPTION_CHARS)).is_ok());
        assert!(parse_description(&"a".repeat(MAX_DESCRIPTION_CHARS + 1)).is_err());
    }

    #[test]
    fn free_texts_of_a_report_refuse_control_characters() {
        let refused = |e: Option<FieldError>, field: &str| {
            assert_eq!(e, Some(FieldError::new(field, crate::text::CONTROL_CHARACTER)));
        };
        refused(parse_description("Loch\u{0}").err(), "description");
        refused(parse_address_hint(Some("Nr. 12\u{1b}")).err(), "address_hint");
        assert!(Email::parse("a\u{0}@b.de").is_err());
        assert_eq!(parse_description(" a\r\nb ").ok().as_deref(), Some("a\nb"));
    }

    #[test]
    fn content_is_checked_without_an_id_or_a_place() {
        let tree = crate::category::CategoryTree::from_json(
            r#"{"categories": [{"id": "muell", "de": "Müll", "en": "Litter",
                "questions": [{"id": "menge", "de": "Menge", "en": "Amount", "type": "integer", "required": true}]}]}"#,
        )
        .expect("tree");
        let category = CategoryId::parse("muell").expect("id");
        let mut answers = serde_json::Map::new();
        answers.insert("menge".into(), serde_json::json!(3));
        let content = ReportContent {
            category: &category,
            answers: &answers,
            description: " Sperrmüll am Weg ",
            address_hint: Some(" "),
            photos: &[],
            contact_email: Some(""),
            consent: true,
            created_at: None,
        };
        let now = Utc::now();
        let checked = check_content(&tree, &content, now).expect("valid content");
        assert_eq!(checked.description, "Sperrmüll am Weg");
        assert_eq!((checked.address_hint, checked.contact_email), (None, None));

        let empty = serde_json::Map::new();
        let refused = ReportContent {
            answers: &empty,
            consent: false,
            created_at: Some(now + chrono::Duration::days(2)),
            ..content
        };
        let Err(crate::category::AnswerError::Invalid(problems)) = check_content(&tree, &refused, now) else {
            panic!("refused content passed");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["answers.menge", "consent", "created_at"]);
    }
}

/// What a citizen writes into a report, apart from its id, place and municipality: the
/// part [`check_content`] checks. A form checks it before the report has an id or a
/// place; a [`crate::api::NewReport`] lends its own ([`ReportContent::of`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportContent<'a> {
    /// Leaf category.
    pub category: &'a CategoryId,
    /// Answers by question id, as sent.
    pub answers: &'a serde_json::Map<String, serde_json::Value>,
    /// Description as typed.
    pub description: &'a str,
    /// Hint on the place, as typed.
    pub address_hint: Option<&'a str>,
    /// Photos by blob hash.
    pub photos: &'a [BlobHash],
    /// Contact e-mail, as typed.
    pub contact_email: Option<&'a str>,
    /// The citizen confirmed the privacy notice.
    pub consent: bool,
    /// When the device created the report.
    pub created_at: Option<DateTime<Utc>>,
}

impl<'a> ReportContent<'a> {
    /// The content of a new report.
    pub fn of(new: &'a crate::api::NewReport) -> Self {
        Self {
            category: &new.category,
            answers: &new.answers,
            description: &new.description,
            address_hint: new.address_hint.as_deref(),
            photos: &new.photos,
            contact_email: new.contact_email.as_deref(),
            consent: new.consent,
            created_at: new.created_at,
        }
    }
}

/// The checked content of a [`crate::api::NewReport`] (everything but its location and municipality).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedContent {
    /// Typed answers.
    pub answers: Answers,
    /// Trimmed description.
    pub description: String,
    /// Trimmed address hint.
    pub address_hint: Option<String>,
    /// Contact address.
    pub contact_email: Option<Email>,
}

/// Checks a new report's content against its municipality's category tree, as the server's
/// intake does and as a device does before it queues a report: both must agree, or a
/// report the device accepted offline would bounce later.
pub fn check_content(
    tree: &crate::category::CategoryTree,
    new: &ReportContent<'_>,
    now: DateTime<Utc>,
) -> Result<CheckedContent, crate::category::AnswerError> {
    use crate::category::AnswerError;
    let mut problems = Vec::new();
    let answers = match tree.validate_answers(new.category, new.answers) {
        Ok(a) => Some(a),
        Err(AnswerError::UnknownCategory) => return Err(AnswerError::UnknownCategory),
        Err(AnswerError::Invalid(errors)) => {
            problems.extend(errors);
            None
        }
    };
    let description = parse_description(new.description).map_err(|e| problems.push(e)).ok();
    let address_hint = parse_address_hint(new.address_hint).map_err(|e| problems.push(e)).ok();
    let contact_email = match new.contact_email.map(str::trim) {
        None | Some("") => None,
        Some(s) => Email::parse(s).map_err(|e| problems.push(e)).ok(),
    };
    if !new.consent {
        problems.push(FieldError::new("consent", "required"));
    }
    if new.photos.len() > MAX_PHOTOS {
        problems.push(FieldError::new("photos", "too_many"));
    }
    if new.photos.iter().collect::<std::collections::HashSet<_>>().len() != new.photos.len() {
        problems.push(FieldError::new("photos", "duplicate"));
    }
    if let Some(created) = new.created_at {
        // A device clock may be off, but not into the future by more than a day.
        if created > now + chrono::Duration::days(1) {
            problems.push(FieldError::new("created_at", "in_the_future"));
        }
    }
    match (answers, description, address_hint, contact_email) {
        (Some(answers), Some(description), Some(address_hint), contact_email) if problems.is_empty() => {
            Ok(CheckedContent {
                answers,
                description,
                address_hint,
                contact_email,
            })
        }
        _ => Err(AnswerError::Invalid(problems)),
    }
}
