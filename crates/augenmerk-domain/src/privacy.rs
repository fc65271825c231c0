//! Privacy by law (DSGVO): each municipality's retention policy, its privacy notice and
//! Impressum, and what an erasure removes.
//!
//! Retention, a citizen's withdrawal and every kind of erasure remove the same things
//! ([`ErasureScope`]) through one store call; what differs is only *why*
//! ([`ErasureReason`]), which the audit trail records instead of what was removed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::{I18nText, Language};

/// How long uploaded photos that were never attached to a report are kept (server-wide:
/// before it is attached, a photo belongs to no municipality).
pub const UNUSED_PHOTO_HOURS: i64 = 24;

/// Bounds of the policy's fields, in days: (contact, content, device).
pub const CONTACT_DAYS_MAX: u32 = 3650;
/// Free text, messages and photos must be kept at least a day after closing (so that a
/// citizen can still read the answer) and at most ten years.
pub const CONTENT_DAYS: (u32, u32) = (1, 3650);
/// A device registration is kept at least 30 days (a phone offline on holiday) and at
/// most ten years.
pub const DEVICE_DAYS: (u32, u32) = (30, 3650);

/// A municipality's retention policy. Periods count from the day a report is closed;
/// the device period counts from the device's last request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RetentionPolicy {
    /// Days after closing until the citizen's e-mail address is removed.
    pub contact_days: u32,
    /// Days after closing until free text (description, text answers), messages and
    /// photos are removed.
    pub content_days: u32,
    /// Days without any request after which a device registration expires.
    pub device_inactive_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        // Contact: long enough for a follow-up question after closing. Content: a year,
        // so that a repeated defect at the same place can be compared. Devices: a year
        // without use.
        Self {
            contact_days: 30,
            content_days: 365,
            device_inactive_days: 365,
        }
    }
}

/// A field of the policy outside its bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be between {min} and {max} days")]
pub struct PolicyError {
    /// `contact_days`, `content_days` or `device_inactive_days`.
    pub field: &'static str,
    /// Smallest allowed value.
    pub min: u32,
    /// Largest allowed value.
    pub max: u32,
}

impl RetentionPolicy {
    /// Checks every field against its bounds.
    pub fn check(&self) -> Result<(), Vec<PolicyError>> {
        let mut errors = Vec::new();
        for (field, value, (min, max)) in [
            ("contact_days", self.contact_days, (0, CONTACT_DAYS_MAX)),
            ("content_days", self.content_days, CONTENT_DAYS),
            ("device_inactive_days", self.device_inactive_days, DEVICE_DAYS),
        ] {
            if value < min || value > max {
                errors.push(PolicyError { field, min, max });
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// What retention removes from a report closed at `closed_at`, at `now`.
    pub fn due(&self, closed_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<ErasureScope> {
        let age = now - closed_at;
        if age >= Duration::days(i64::from(self.content_days)) {
            Some(ErasureScope::Content)
        } else if age >= Duration::days(i64::from(self.contact_days)) {
            Some(ErasureScope::Contact)
        } else {
            None
        }
    }

    /// Closing times before which retention removes contact data, and content, at `now`.
    pub fn cutoffs(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            now - Duration::days(i64::from(self.contact_days)),
            now - Duration::days(i64::from(self.content_days)),
        )
    }
}

/// Whether a device last seen at `last_seen` has expired at `now`, given the device
/// periods of the municipalities it reported to (the shortest applies; `default` when
/// it reported nowhere).
pub fn device_expired(last_seen: DateTime<Utc>, periods: &[u32], default: u32, now: DateTime<Utc>) -> bool {
    let days = periods.iter().copied().min().unwrap_or(default);
    now - last_seen >= Duration::days(i64::from(days))
}

/// A report's answers without what the citizen wrote in their own words: text answers
/// go, as do answers to questions the category no longer has (their kind is unknown);
/// yes/no, numbers, dates and choices stay for statistics.
pub fn answers_without_free_text(
    tree: &crate::category::CategoryTree,
    category: &crate::CategoryId,
    answers: &crate::report::Answers,
) -> crate::report::Answers {
    use crate::category::QuestionKind;
    let questions = tree.effective_questions(category).unwrap_or_default();
    answers
        .iter()
        .filter(|(id, _)| {
            questions
                .iter()
                .find(|q| &q.id == *id)
                .is_some_and(|q| !matches!(q.kind, QuestionKind::Text { .. }))
        })
        .map(|(id, a)| (id.clone(), a.clone()))
        .collect()
}

/// Whether a citizen may still withdraw a report in this status. The delegation rules
/// route most reports to a department on arrival (`assigned`) before anyone has looked
/// at them; that still counts as not handled. The store checks in addition that no staff
/// member has acted on the report (no audit entry by staff, no message from the
/// municipality).
pub fn withdrawable(status: crate::Status) -> bool {
    matches!(status, crate::Status::Received | crate::Status::Assigned)
}

/// What an erasure removes from a report. The anonymous skeleton (category, place,
/// dates, status history, department, choice answers) always stays for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErasureScope {
    /// The citizen's e-mail address (and the mail subscription that holds it).
    Contact,
    /// Everything the citizen wrote or photographed: contact, description, text
    /// answers, messages in both directions, internal notes, photos, the device link.
    Content,
}

/// Why personal data was removed (recorded in the audit trail; what was removed is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    /// The municipality's retention policy.
    Retention,
    /// The citizen withdrew the report before anyone handled it.
    Withdrawal,
    /// The citizen erased their data from their device (or through the status link).
    CitizenRequest,
    /// The citizen erased their data by e-mail address (confirmed by a link).
    EmailRequest,
    /// Staff with the privacy role executed a written request.
    StaffRequest,
}

/// The privacy notice and Impressum as a municipality edited them. An empty text means
/// the default template ([`default_notice`], [`default_imprint`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LegalTexts {
    /// Privacy notice template (Art. 13 DSGVO), with placeholders ([`PLACEHOLDERS`]).
    pub privacy_notice: I18nText,
    /// Impressum template (§ 5 DDG), with the same placeholders.
    pub imprint: I18nText,
    /// Bumped by the server whenever the rendered German or English notice changes
    /// (its text, or the retention periods it quotes); consent records it.
    pub notice_version: u32,
}

/// The notice and Impressum as citizens read them (placeholders filled in), in the
/// municipality's configuration that clients keep offline.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LegalInfo {
    /// The version a citizen consents to when reporting.
    pub notice_version: u32,
    /// Privacy notice, rendered.
    pub privacy_notice: I18nText,
    /// Impressum, rendered.
    pub imprint: I18nText,
    /// The live retention policy.
    pub retention: RetentionPolicy,
    /// Hours unused photos are kept.
    pub unused_photo_hours: i64,
}

/// What the templates' placeholders stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts<'a> {
    /// The municipality's name.
    pub municipality: &'a str,
    /// Its service mailbox (the mails' reply-to), if set.
    pub mailbox: Option<&'a str>,
    /// Names of the authorities reports may be forwarded to.
    pub authorities: Vec<&'a str>,
    /// The live policy.
    pub retention: RetentionPolicy,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "municipality",
    "mailbox",
    "authorities",
    "contact_days",
    "content_days",
    "device_days",
    "photo_hours",
];

const NOTICE_DE: &str = include_str!("privacy/notice.de.txt");
const NOTICE_EN: &str = include_str!("privacy/notice.en.txt");
const IMPRINT_DE: &str = include_str!("privacy/imprint.de.txt");
const IMPRINT_EN: &str = include_str!("privacy/imprint.en.txt");

/// The default privacy notice template.
pub fn default_notice() -> I18nText {
    I18nText::new(NOTICE_DE, NOTICE_EN)
}

/// The default Impressum template.
pub fn default_imprint() -> I18nText {
    I18nText::new(IMPRINT_DE, IMPRINT_EN)
}

/// Placeholders in a template that are not in [`PLACEHOLDERS`] (so an admin's typo is
/// refused when saving instead of shown to citizens).
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    placeholders(template)
        .filter(|p| !PLACEHOLDERS.contains(p))
        .map(str::to_owned)
        .collect()
}

fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|rest| {
        let name = rest.split('}').next()?;
        let ok = rest.contains('}') && !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        ok.then_some(name)
    })
}

/// Fills a template's placeholders in the given language.
pub fn render(template: &str, facts: &NoticeFacts<'_>, language: Language) -> String {
    let none = language.pick("(nicht angegeben)", "(not given)");
    let authorities = if facts.authorities.is_empty() {
        language.pick("keine", "none").to_owned()
    } else {
        facts.authorities.join(", ")
    };
    let mut out = template.to_owned();
    for (name, value) in [
        ("municipality", facts.municipality.to_owned()),
        ("mailbox", facts.mailbox.unwrap_or(none).to_owned()),
        ("authorities", authorities),
        ("contact_days", facts.retention.contact_days.to_string()),
        ("content_days", facts.retention.content_days.to_string()),
        ("device_days", facts.retention.device_inactive_days.to_string()),
        ("photo_hours", UNUSED_PHOTO_HOURS.to_string()),
    ] {
        out = out.replace(&format!("{{{name}}}"), &value);
    }
    out
}

/// The texts citizens read: the municipality's templates (or the defaults) rendered.
pub fn legal_info(texts: &LegalTexts, facts: &NoticeFacts<'_>) -> LegalInfo {
    let pick = |own: &str, default: &'static str| {
        if own.trim().is_empty() {
            default.to_owned()
        } else {
            own.to_owned()
        }
    };
    let notice = I18nText::new(
        pick(&texts.privacy_notice.de, NOTICE_DE),
        pick(
            &texts.privacy_notice.en,
            if texts.privacy_notice.de.trim().is_empty() {
                NOTICE_EN
            } else {
                ""
            },
        ),
    );
    let imprint = I18nText::new(
        pick(&texts.imprint.de, IMPRINT_DE),
        pick(
            &texts.imprint.en,
            if texts.imprint.de.trim().is_empty() {
                IMPRINT_EN
            } else {
                ""
            },
        ),
    );
    let both = |t: &I18nText| {
        let de = render(&t.de, facts, Language::De);
        // A municipality that wrote only German shows its German text in English too,
        // rather than a default that contradicts it.
        let en = if t.en.trim().is_empty() {
            de.clone()
        } else {
            render(&t.en, facts, Language::En)
        };
        I18nText::new(de, en)
    };
    LegalInfo {
        notice_version: texts.notice_version,
        privacy_notice: both(&notice),
        imprint: both(&imprint),
        retention: facts.retention,
        unused_photo_hours: UNUSED_PHOTO_HOURS,
    }
}

/// One block of a notice's plain-text format: `# ` starts a heading, `- ` a list item,
/// blank lines separate paragraphs. The UI renders blocks as elements, never as HTML,
/// so an admin's text cannot inject markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading.
    Heading(String),
    /// A paragraph (its lines joined by spaces).
    Paragraph(String),
    /// A list.
    List(Vec<String>),
}

/// Splits a rendered text into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<Block>, para: &mut Vec<&str>, list: &mut Vec<String>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join(" ")));
            para.clear();
        }
        if !list.is_empty() {
            out.push(Block::List(std::mem::take(list)));
        }
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut out, &mut para, &mut list);
        } else if let Some(h) = line.strip_prefix("# ") {
            flush(&mut out, &mut para, &mut list);
            out.push(Block::Heading(h.trim().to_owned()));
        } else if let Some(item) = line.strip_prefix("- ") {
            if !para.is_empty() {
                flush(&mut out, &mut para, &mut list);
            }
            list.push(item.trim().to_owned());
        } else if let Some(last) = list.last_mut().filter(|_| para.is_empty()) {
            // A continuation line of a list item.
            last.push(' ');
            last.push_str(line);
        } else {
            para.push(line);
        }
    }
    flush(&mut out, &mut para, &mut list);
    out
}

// --- wire shapes of the privacy endpoints ---

/// A citizen asks to erase everything sent with an e-mail address
/// (`POST /api/v1/privacy/erasure`); a confirmation link is mailed to the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailErasureRequest {
    /// The address the reports were sent with.
    pub email: String,
    /// Language of the confirmation mail.
    #[serde(default)]
    pub language: Option<Language>,
}

/// Staff with the privacy role execute a written erasure request
/// (`POST /api/v1/staff/privacy/erasures`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffErasureRequest {
    /// The citizen's address.
    pub email: String,
    /// The request's reference (e.g. "Schreiben vom 3.12.2026, Az. 12-3"); kept in the
    /// erasure log instead of the address.
    pub reference: String,
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureDone {
    /// Reports whose personal data was removed.
    pub reports: u32,
}

/// A report an erasure request would touch (`GET /api/v1/staff/privacy/reports?email=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureCandidate {
    /// The report.
    pub id: crate::ReportId,
    /// Its category.
    pub category: crate::CategoryId,
    /// Its status.
    pub status: crate::Status,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// One line of a municipality's erasure log (`GET /api/v1/staff/privacy/log`): what
/// was removed, when, why and by whom, never what it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureLogEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: ErasureReason,
    /// What kind of data.
    pub scope: ErasureScope,
    /// Staff member who executed it (staff requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_name: Option<String>,
    /// The written request's reference (staff requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// How many reports.
    pub reports: u32,
}

#[cfg(test)]
mod tests;
