//! The second factor of local staff accounts (TOTP, RFC 6238; issue 24): who must have
//! one, how a code and a recovery code look, and when too many wrong codes make the
//! account wait. Accounts that sign in through the municipality's identity provider get
//! their second factor there, not here.
//!
//! Terms: *enrolled* — the account confirmed a secret with a code; *recovery code* — one
//! of ten single-use codes handed out once at enrolment, for a lost phone.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::staff::Role;

/// Seconds one code lasts (RFC 6238's recommendation; what every authenticator app assumes).
pub const STEP_SECS: u64 = 30;
/// Digits of a code.
pub const DIGITS: u8 = 6;
/// Steps before and after the current one that are accepted too (a phone's clock a little
/// off, a code typed as it changed); RFC 6238 §5.2 recommends one.
pub const SKEW_STEPS: u16 = 1;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Wrong codes an account may send within [`FAILED_CODES_WINDOW_MINUTES`] before it has to wait.
pub const MAX_FAILED_CODES: usize = 5;
/// The window of [`MAX_FAILED_CODES`].
pub const FAILED_CODES_WINDOW_MINUTES: i64 = 15;

/// Whether an account with this role must have a second factor. Platform admins always
/// must (they create municipalities and their admins); a municipality's admins must unless
/// the municipality switched `require_totp_for_admins` off; everyone else may enrol.
pub fn totp_required(role: Role, require_for_admins: bool) -> bool {
    match role {
        Role::PlatformAdmin => true,
        r if r.configures() => require_for_admins,
        _ => false,
    }
}

/// A municipality's rule for the second factor (`settings.totp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSettings {
    /// Admins must sign in with a second factor (default: yes). An admin without one gets
    /// a session that can only set it up.
    #[serde(default = "yes")]
    pub required_for_admins: bool,
}

impl Default for TotpSettings {
    fn default() -> Self {
        Self {
            required_for_admins: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// The letters of a recovery code: no 0/O or 1/I to mix up when typing it from paper.
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters of a recovery code (50 bits).
const RECOVERY_LEN: usize = 10;

/// A recovery code, normalised (upper case, without the hyphen it is shown with).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    /// A code from random bytes (the caller's CSPRNG): one letter per byte.
    pub fn from_random(bytes: [u8; RECOVERY_LEN]) -> Self {
        Self(
            bytes
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
                .collect(),
        )
    }

    /// Reads a code as a person types it: any case, with or without the hyphen or spaces.
    pub fn parse(s: &str) -> Option<Self> {
        let code: String = s
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == RECOVERY_LEN && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(Self(code))
    }

    /// The normalised code (what is hashed and stored).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as shown once to its owner: `ABCDE-FGHJK`.
    pub fn display(&self) -> String {
        let (a, b) = self.0.split_at(RECOVERY_LEN / 2);
        format!("{a}-{b}")
    }
}

/// What a person typed as their second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// A code of their authenticator app (six digits).
    Totp(String),
    /// One of their recovery codes.
    Recovery(RecoveryCode),
}

impl SecondFactor {
    /// Six digits (spaces allowed, as apps show `123 456`) are a code; anything else that
    /// looks like a recovery code is one; the rest is nothing.
    pub fn parse(s: &str) -> Option<Self> {
        let digits: String = s.chars().filter(|c| *c != ' ').collect();
        if digits.len() == usize::from(DIGITS) && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Self::Totp(digits));
        }
        RecoveryCode::parse(s).map(Self::Recovery)
    }

    /// What is sent as `totp` at sign-in: the digits, or the recovery code normalised
    /// (the server reads both with [`SecondFactor::parse`]).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Totp(digits) => digits,
            Self::Recovery(code) => code.as_str(),
        }
    }
}

/// Whether an account may try a code now, given when its recent wrong codes were sent:
/// `Err(seconds)` to wait when [`MAX_FAILED_CODES`] of them lie within the window.
pub fn code_attempt_allowed(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Result<(), u64> {
    let window = Duration::minutes(FAILED_CODES_WINDOW_MINUTES);
    let mut recent: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| *t > now - window).collect();
    if recent.len() < MAX_FAILED_CODES {
        return Ok(());
    }
    recent.sort();
    // Once this one leaves the window, fewer than the maximum remain.
    let frees_at = recent[recent.len() - MAX_FAILED_CODES] + window;
    let secs = (frees_at - now).num_seconds().max(1);
    Err(u64::try_from(secs).unwrap_or(1))
}

/// The second factor of the signed-in account (`GET /api/v1/staff/me/totp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpStatus {
    /// Codes are asked for at sign-in.
    pub enabled: bool,
    /// When it was switched on.
    pub enabled_at: Option<DateTime<Utc>>,
    /// The account must have one (it cannot be switched off).
    pub required: bool,
    /// This session may do nothing but enrol (the account must have one and has none yet).
    pub enrolment_required: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u32,
}

/// A new secret to add to an authenticator app (`POST /api/v1/staff/me/totp`); it counts
/// once confirmed with a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    /// The secret in base32, for typing it into an app by hand.
    pub secret: String,
    /// The `otpauth://totp/…` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code as a `data:image/png;base64,…` URL.
    pub qr_code: String,
}

/// A code of the authenticator app (confirming, switching off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpCode {
    /// Six digits (a recovery code also switches off).
    pub code: String,
}

/// The second factor was switched on: the recovery codes, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnabled {
    /// Ten single-use codes for signing in without the phone (`ABCDE-FGHJK`).
    pub recovery_codes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_and_platform_admins_must_have_it() {
        assert!(totp_required(Role::PlatformAdmin, false));
        assert!(totp_required(Role::Admin, true));
        assert!(!totp_required(Role::Admin, false));
        assert!(!totp_required(Role::Dispatcher, true));
    }

    #[test]
    fn codes_parse_as_typed() {
        assert_eq!(
            SecondFactor::parse("123 456"),
            Some(SecondFactor::Totp("123456".into()))
        );
        assert_eq!(SecondFactor::parse("12345"), None);
        let code = RecoveryCode::from_random([0, 1, 2, 3, 4, 5, 6, 7, 8, 255]);
        assert_eq!(code.display(), "ABCDE-FGHJ9");
        assert_eq!(
            SecondFactor::parse("abcde-fghj9"),
            Some(SecondFactor::Recovery(code.clone()))
        );
        assert_eq!(RecoveryCode::parse("ABCDE FGHJ9"), Some(code.clone()));
        // What a client sends reads back as the same factor.
        for typed in ["123 456", "abcde-fghj9"] {
            let factor = SecondFactor::parse(typed);
            assert_eq!(factor.as_ref().and_then(|f| SecondFactor::parse(f.as_str())), factor);
        }
        assert_eq!(SecondFactor::Recovery(code).as_str(), "ABCDEFGHJ9");
        // O and 0 are not in the alphabet: a code with them is mistyped.
        assert_eq!(RecoveryCode::parse("OBCDE-FGHJ0"), None);
    }

    #[test]
    fn five_wrong_codes_in_a_quarter_hour_make_the_account_wait() {
        let now = Utc::now();
        let ago = |m: i64| now - Duration::minutes(m);
        assert_eq!(code_attempt_allowed(&[ago(1), ago(2), ago(3), ago(4)], now), Ok(()));
        assert_eq!(
            code_attempt_allowed(&[ago(1), ago(2), ago(3), ago(4), ago(10)], now),
            Err(5 * 60)
        );
        // Old failures do not count.
        assert_eq!(
            code_attempt_allowed(&[ago(1), ago(2), ago(3), ago(4), ago(16)], now),
            Ok(())
        );
    }
}
