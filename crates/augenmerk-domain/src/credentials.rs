//! What a staff member types to log in: a login name and a password, each bounded at
//! parse time.
//!
//! Both arrive from anyone on the internet before any check of who they are, so the
//! server must never hold more of them than a real account could have: a login name is
//! at most [`LoginName::MAX_BYTES`] and a password at most [`Password::MAX_BYTES`]. A
//! request with more is refused while it is read (400), before it reaches a rate limiter,
//! the database or the password hash.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A login name as accounts are created with it: trimmed, lower case, no whitespace,
/// at most 64 bytes.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(try_from = "String", into = "String")]
pub struct LoginName(String);

impl LoginName {
    /// Longest login name in bytes (the same rule as for new accounts).
    pub const MAX_BYTES: usize = 64;

    /// Trims and lower-cases; refuses an empty name, whitespace inside, or more than
    /// [`Self::MAX_BYTES`] bytes (`username` / `invalid`).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        // Check the length before lower-casing: the input may be huge.
        if s.is_empty() || s.len() > Self::MAX_BYTES || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new("username", "invalid"));
        }
        Ok(Self(s.to_lowercase()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LoginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LoginName").field(&self.0).finish()
    }
}

impl fmt::Display for LoginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LoginName {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<LoginName> for String {
    fn from(n: LoginName) -> String {
        n.0
    }
}

/// A password as typed, at most 1,024 bytes; `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Password))]
#[serde(try_from = "String", into = "String")]
pub struct Password(String);

impl Password {
    /// Longest password in bytes: far above what NIST SP 800-63B asks to allow (64
    /// characters), far below what would make hashing it a cost to the server.
    pub const MAX_BYTES: usize = 1024;

    /// Takes the password as typed (no trimming: spaces are part of it); refuses more than
    /// [`Self::MAX_BYTES`] bytes (`password` / `too_long`).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        if s.len() > Self::MAX_BYTES {
            return Err(FieldError::new("password", "too_long"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The password itself (to hash or verify it).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl TryFrom<String> for Password {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Password> for String {
    fn from(p: Password) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_are_normalised_and_bounded() {
        assert_eq!(LoginName::parse("  Dispatcher ").expect("valid").as_str(), "dispatcher");
        assert!(LoginName::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "   ", "two words", "tab\tname", &"a".repeat(65)] {
            assert_eq!(
                LoginName::parse(bad),
                Err(FieldError::new("username", "invalid")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_huge_login_name_is_refused_while_deserializing() {
        let body = format!(r#"{{"username":"{}","password":"x"}}"#, "a".repeat(200_000));
        #[derive(Deserialize)]
        #[allow(dead_code)] // only deserialized
        struct Login {
            username: LoginName,
            password: Password,
        }
        let err = serde_json::from_str::<Login>(&body).err().expect("refused");
        assert!(err.to_string().contains("username: invalid"), "{err}");
    }

    #[test]
    fn passwords_are_bounded_and_never_printed() {
        let p = Password::parse(" with spaces ").expect("valid");
        assert_eq!(p.expose(), " with spaces ");
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert!(Password::parse(&"x".repeat(1024)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(1025)),
            Err(FieldError::new("password", "too_long"))
        );
    }
}
