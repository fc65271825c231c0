//! Staff sessions and the sign-in log (issue 24): a person sees their sessions and ends
//! them; an admin ends every session of an account; each municipality's sign-ins and
//! failed sign-ins are logged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// How long the sign-in log keeps an entry (it names people and addresses).
pub const LOGIN_LOG_DAYS: i64 = 90;

/// A session as its owner sees it (`GET /api/v1/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Names the session for ending it (a prefix of its token's hash, never the token).
    pub id: String,
    /// When it began (unknown for sessions older than this record).
    pub created_at: Option<DateTime<Utc>>,
    /// When it ends by itself.
    pub expires_at: DateTime<Utc>,
    /// The browser or app it was opened with, as it said.
    pub user_agent: Option<String>,
    /// The address it was opened from.
    pub address: Option<String>,
    /// The session of this request.
    pub current: bool,
}

/// How many sessions were ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    /// Sessions ended.
    pub ended: u32,
}

/// What happened at a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoginOutcome {
    /// Signed in.
    Success,
    /// Wrong password for an existing account.
    WrongPassword,
    /// No such account.
    UnknownUser,
    /// The account is disabled.
    Disabled,
    /// Signed out.
    Logout,
    /// An admin ended the account's sessions.
    SessionsEnded,
    /// Right password, wrong (or used) second-factor code.
    WrongTotp,
    /// Signed in with a recovery code (one fewer left).
    RecoveryCodeUsed,
    /// An admin removed the account's second factor.
    TotpReset,
    /// Single sign-on refused after the provider answered: an invalid ID token, no
    /// login name, or none of the person's groups mapped to a role.
    SsoRefused,
}

impl LoginOutcome {
    /// Every outcome.
    pub const ALL: [LoginOutcome; 10] = [
        Self::Success,
        Self::WrongPassword,
        Self::UnknownUser,
        Self::Disabled,
        Self::Logout,
        Self::SessionsEnded,
        Self::WrongTotp,
        Self::RecoveryCodeUsed,
        Self::TotpReset,
        Self::SsoRefused,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::WrongPassword => "wrong_password",
            Self::UnknownUser => "unknown_user",
            Self::Disabled => "disabled",
            Self::Logout => "logout",
            Self::SessionsEnded => "sessions_ended",
            Self::WrongTotp => "wrong_totp",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::TotpReset => "totp_reset",
            Self::SsoRefused => "sso_refused",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One entry of a municipality's sign-in log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginLogEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The login name given.
    pub username: String,
    /// The account, where the name is one.
    pub user: Option<UserId>,
    /// What happened.
    pub outcome: LoginOutcome,
    /// From where.
    pub address: Option<String>,
}

/// The public name of a session: enough of its token's hash to tell sessions apart.
pub fn session_id(token_hash: &str) -> String {
    token_hash.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_and_session_ids_are_short() {
        for o in LoginOutcome::ALL {
            assert_eq!(LoginOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(session_id(&"ab".repeat(32)).len(), 16);
    }
}
