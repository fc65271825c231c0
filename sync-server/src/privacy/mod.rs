//! Privacy by law on the server: the notices citizens read, the checks on a
//! municipality's policy and texts, and (in the submodules) the one erasure path that
//! retention, withdrawal and every kind of erasure share, the daily retention job and
//! the data export.

pub mod erase;
pub mod export;
pub mod request;
pub mod retention;

use augenmerk_domain::api::MunicipalitySettings;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::privacy::{self, LegalInfo, LegalTexts, NoticeFacts, RetentionPolicy};

use crate::error::ApiError;
use crate::state::Tenant;

/// What the placeholders of a municipality's notice stand for.
pub fn facts_of<'a>(name: &'a str, settings: &'a MunicipalitySettings) -> NoticeFacts<'a> {
    NoticeFacts {
        municipality: name,
        mailbox: settings.mail_reply_to.as_deref(),
        authorities: settings.authorities.iter().map(|a| a.name.as_str()).collect(),
        retention: settings.retention,
    }
}

/// The notice and Impressum of a tenant as citizens read them.
pub fn legal_info(tenant: &Tenant) -> LegalInfo {
    let settings = &tenant.record.settings;
    privacy::legal_info(&settings.legal, &facts_of(&tenant.record.name, settings))
}

/// The default notice for an administration that is not on the platform (its reports
/// are mailed to it; the platform keeps them under the default policy until then).
pub fn default_legal_info(name: &str) -> LegalInfo {
    privacy::legal_info(
        &LegalTexts::default(),
        &NoticeFacts {
            municipality: name,
            mailbox: None,
            authorities: Vec::new(),
            retention: RetentionPolicy::default(),
        },
    )
}

/// Checks a municipality's new settings for their privacy part, and carries the notice
/// version on: it is the server's, bumped whenever the notice citizens read changes
/// (its text or anything it quotes), so that consent names the text that was shown.
pub fn prepare_settings(
    name: &str,
    old: &MunicipalitySettings,
    mut new: MunicipalitySettings,
) -> Result<MunicipalitySettings, ApiError> {
    let mut problems: Vec<FieldError> = Vec::new();
    if let Err(errors) = new.retention.check() {
        problems.extend(
            errors
                .into_iter()
                .map(|e| FieldError::new(format!("retention.{}", e.field), "out_of_range")),
        );
    }
    for (field, text) in [
        ("legal.privacy_notice.de", &new.legal.privacy_notice.de),
        ("legal.privacy_notice.en", &new.legal.privacy_notice.en),
        ("legal.imprint.de", &new.legal.imprint.de),
        ("legal.imprint.en", &new.legal.imprint.en),
    ] {
        if !privacy::unknown_placeholders(text).is_empty() {
            problems.push(FieldError::new(field, "unknown_placeholder"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            problems.push(FieldError::new(field, "too_long"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            problems.push(FieldError::new(field, "control_characters"));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    new.legal.notice_version = old.legal.notice_version;
    let before = privacy::legal_info(&old.legal, &facts_of(name, old)).privacy_notice;
    let after = privacy::legal_info(&new.legal, &facts_of(name, &new)).privacy_notice;
    if before != after {
        new.legal.notice_version = old.legal.notice_version.saturating_add(1);
    }
    Ok(new)
}

/// Longest notice or Impressum, in characters (the default notice has about 3,500).
const MAX_TEXT_CHARS: usize = 40_000;
