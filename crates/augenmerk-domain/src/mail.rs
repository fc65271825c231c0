//! E-mail: what kinds of mail the server sends, the rule that decides whether one may go
//! out, and the shapes the console and the citizen's status page show.
//!
//! The decision ([`decide`]) is a pure function of the mail's kind, the citizen's
//! subscription and how much the address received lately; the server's mail worker
//! applies it at delivery time, so that a confirmation, an unsubscribe or the daily
//! limit counts even for a mail that was queued before.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ReportId;

/// Why a mail is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// To the citizen: the report arrived (with the private status link).
    Receipt,
    /// To the citizen: a new status link, after the old one was revoked.
    NewLink,
    /// To the citizen: the status changed with a public comment.
    StatusChanged,
    /// To the citizen: the municipality wrote a message.
    StaffMessage,
    /// To the citizen: the report was closed.
    Closed,
    /// To a department's mailbox: a case was routed or re-assigned to it.
    Routed,
    /// To a staff member: a case was assigned to them.
    Assigned,
    /// To a staff member: the citizen answered on a case assigned to them.
    CitizenReply,
    /// To a department's mailbox and its members: the overdue cases.
    Digest,
    /// To an external authority: a report forwarded to it.
    Forwarded,
    /// To an address whose owner asked to erase their data: the confirmation link.
    /// Not under the citizen rule (it is tied to no report); the request endpoint
    /// bounds how often an address gets one.
    ErasureConfirmation,
    /// To a citizen who asked for alerts of an area: the double opt-in link.
    AlertConfirmation,
    /// To a confirmed alert subscriber: new reports and status changes in their area.
    Alert,
}

impl MailKind {
    /// Every kind.
    pub const ALL: [MailKind; 13] = [
        Self::Receipt,
        Self::NewLink,
        Self::StatusChanged,
        Self::StaffMessage,
        Self::Closed,
        Self::Routed,
        Self::Assigned,
        Self::CitizenReply,
        Self::Digest,
        Self::Forwarded,
        Self::ErasureConfirmation,
        Self::AlertConfirmation,
        Self::Alert,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::NewLink => "new_link",
            Self::StatusChanged => "status_changed",
            Self::StaffMessage => "staff_message",
            Self::Closed => "closed",
            Self::Routed => "routed",
            Self::Assigned => "assigned",
            Self::CitizenReply => "citizen_reply",
            Self::Digest => "digest",
            Self::Forwarded => "forwarded",
            Self::ErasureConfirmation => "erasure_confirmation",
            Self::AlertConfirmation => "alert_confirmation",
            Self::Alert => "alert",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the mail goes to the citizen who reported (and so falls under the
    /// confirmation rule, the unsubscribe and the daily limit).
    pub fn to_citizen(self) -> bool {
        matches!(
            self,
            Self::Receipt | Self::NewLink | Self::StatusChanged | Self::StaffMessage | Self::Closed
        )
    }
}

/// A citizen's mail subscription to one report, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    /// The citizen opened the status link from the receipt and confirmed the address.
    pub confirmed: bool,
    /// The citizen asked for no more mails about the report.
    pub unsubscribed: bool,
}

/// The limits of the abuse rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenMailLimits {
    /// Receipts (and new links) one address may receive per 24 hours: the only mails an
    /// unconfirmed address gets, so this bounds what a stranger's address can be sent.
    pub receipts_per_day: u32,
    /// Mails of any kind one citizen address may receive per 24 hours.
    pub mails_per_day: u32,
}

impl Default for CitizenMailLimits {
    fn default() -> Self {
        Self {
            receipts_per_day: 3,
            mails_per_day: 20,
        }
    }
}

/// How many mails an address received in the last 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecentMails {
    /// Receipts and new links.
    pub receipts: u32,
    /// Every citizen mail.
    pub all: u32,
}

/// Why a mail was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Suppressed {
    /// The citizen has not confirmed the address through the status link yet.
    NotConfirmed,
    /// The citizen unsubscribed.
    Unsubscribed,
    /// The address received as many mails today as the rule allows.
    DailyLimit,
}

impl Suppressed {
    /// The wire name (also what the mail log shows as the reason).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotConfirmed => "not_confirmed",
            Self::Unsubscribed => "unsubscribed",
            Self::DailyLimit => "daily_limit",
        }
    }
}

/// Whether a mail may go out now: the abuse rule.
///
/// - Mails to staff and authorities always go (their addresses are set by admins).
/// - A citizen gets nothing after unsubscribing from the report.
/// - Until the citizen confirms the address through the link in the receipt, the
///   receipt (or a new link) is the only mail: typing a stranger's address into a report
///   gets that stranger one mail, which says how to stop it.
/// - Per address and 24 hours at most `receipts_per_day` receipts and `mails_per_day`
///   mails in all, so that a flood of reports cannot turn the server into a mail cannon.
pub fn decide(
    kind: MailKind,
    subscription: Subscription,
    recent: RecentMails,
    limits: CitizenMailLimits,
) -> Result<(), Suppressed> {
    if !kind.to_citizen() {
        return Ok(());
    }
    if subscription.unsubscribed {
        return Err(Suppressed::Unsubscribed);
    }
    let receipt = matches!(kind, MailKind::Receipt | MailKind::NewLink);
    if !receipt && !subscription.confirmed {
        return Err(Suppressed::NotConfirmed);
    }
    if recent.all >= limits.mails_per_day || (receipt && recent.receipts >= limits.receipts_per_day) {
        return Err(Suppressed::DailyLimit);
    }
    Ok(())
}

/// A staff member's choice of mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MailPreferences {
    /// A case was assigned to me.
    pub assigned: bool,
    /// The citizen answered on a case assigned to me.
    pub citizen_reply: bool,
    /// The daily list of my department's overdue cases.
    pub digest: bool,
}

impl Default for MailPreferences {
    fn default() -> Self {
        Self {
            assigned: true,
            citizen_reply: true,
            digest: false,
        }
    }
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt.
    Queued,
    /// An attempt failed; it is tried again.
    Retrying,
    /// The mail server accepted it.
    Sent,
    /// Given up after the last attempt.
    Failed,
    /// Not sent, by the abuse rule or an unsubscribe.
    Suppressed,
}

/// One mail or forwarding about a case, as the case page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryRecord {
    /// The report.
    pub report_id: ReportId,
    /// Mail (`kind` says which) or an Open311 forwarding (`kind` none).
    pub channel: DeliveryChannel,
    /// Why it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MailKind>,
    /// To whom: an address (masked for staff who may not see the citizen's), or the
    /// authority's endpoint.
    pub to: String,
    /// The subject line, for mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// State.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// The last error, or why it was suppressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// When it was delivered (or given up, or suppressed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    /// When it is tried next, while it is queued or retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// How something reached its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChannel {
    /// E-mail.
    Mail,
    /// An Open311 request to an external authority.
    Open311,
}

/// Masks an address for staff without the right to see it: `m…@example.de`.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

/// The state of a citizen's mail updates for one report, as the app, the web page and
/// the status page show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailUpdates {
    /// No address was given.
    #[default]
    None,
    /// Waiting for the citizen to confirm the address through the receipt's link.
    Unconfirmed,
    /// Updates go out by mail.
    On,
    /// The citizen unsubscribed.
    Off,
}

impl MailUpdates {
    /// The state of a subscription (none: no address).
    pub fn of(subscription: Option<Subscription>) -> Self {
        match subscription {
            None => Self::None,
            Some(s) if s.unsubscribed => Self::Off,
            Some(s) if s.confirmed => Self::On,
            Some(_) => Self::Unconfirmed,
        }
    }
}

/// What the private status link shows (`GET /api/v1/status/{token}`): the citizen's
/// own view of the report, without the app and without the reporting device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusPage {
    /// The report as its reporter sees it (public comments and messages; no staff names,
    /// no internal notes).
    pub report: crate::public::CitizenReport,
    /// The report number people read (`ReportId::number`).
    pub number: String,
    /// The department handling it (names of people are never shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// Whether updates go out by mail.
    pub mail_updates: MailUpdates,
    /// The address, masked.
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: CitizenMailLimits = CitizenMailLimits {
        receipts_per_day: 3,
        mails_per_day: 20,
    };

    fn sub(confirmed: bool, unsubscribed: bool) -> Subscription {
        Subscription {
            confirmed,
            unsubscribed,
        }
    }

    fn recent(receipts: u32, all: u32) -> RecentMails {
        RecentMails { receipts, all }
    }

    #[test]
    fn the_abuse_rule_as_a_table() {
        use MailKind::*;
        use Suppressed::*;
        let none = recent(0, 0);
        let cases: &[(MailKind, Subscription, RecentMails, Result<(), Suppressed>)] = &[
            // An unconfirmed address gets the receipt, nothing else.
            (Receipt, sub(false, false), none, Ok(())),
            (StatusChanged, sub(false, false), none, Err(NotConfirmed)),
            (StaffMessage, sub(false, false), none, Err(NotConfirmed)),
            (Closed, sub(false, false), none, Err(NotConfirmed)),
            // Confirmed: everything, within the limits.
            (StatusChanged, sub(true, false), none, Ok(())),
            (StaffMessage, sub(true, false), recent(3, 19), Ok(())),
            (StaffMessage, sub(true, false), recent(0, 20), Err(DailyLimit)),
            (Receipt, sub(false, false), recent(3, 3), Err(DailyLimit)),
            (NewLink, sub(true, false), recent(3, 3), Err(DailyLimit)),
            // Unsubscribed wins over everything.
            (Receipt, sub(true, true), none, Err(Unsubscribed)),
            (Closed, sub(true, true), none, Err(Unsubscribed)),
            // Staff and authorities are not citizens.
            (Routed, sub(false, true), recent(99, 99), Ok(())),
            (Forwarded, sub(false, false), recent(99, 99), Ok(())),
            (Digest, sub(false, false), none, Ok(())),
        ];
        for (kind, s, r, expected) in cases {
            assert_eq!(decide(*kind, *s, *r, LIMITS), *expected, "{kind:?} {s:?} {r:?}");
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn masking_keeps_only_the_first_letter_and_the_domain() {
        assert_eq!(mask_address("maria.muster@example.de"), "m…@example.de");
        assert_eq!(mask_address("kaputt"), "…");
    }

    #[test]
    fn update_states() {
        assert_eq!(MailUpdates::of(None), MailUpdates::None);
        assert_eq!(MailUpdates::of(Some(sub(false, false))), MailUpdates::Unconfirmed);
        assert_eq!(MailUpdates::of(Some(sub(true, false))), MailUpdates::On);
        assert_eq!(MailUpdates::of(Some(sub(true, true))), MailUpdates::Off);
    }
}
