//! Typed identifiers, so that a report id can never be passed where a device id belongs.
//!
//! Identifiers that clients create (reports, messages) are UUIDs; identifiers that
//! administrators choose (categories, departments, rules, areas) are short slugs,
//! unique within one municipality.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| FieldError::new(stringify!($name), "invalid_uuid"))
            }
        }
    };
}

uuid_id!(
    /// A report, chosen by the client at creation so that retries are idempotent.
    ReportId
);
impl ReportId {
    /// The number people read and say on the phone: the first eight hex digits of the id,
    /// upper case (`3F2A9C1B`). Shown in mails and on the status page; the full id
    /// stays the key.
    pub fn number(&self) -> String {
        self.0.simple().to_string()[..8].to_ascii_uppercase()
    }
}

uuid_id!(
    /// A registered citizen device.
    DeviceId
);
uuid_id!(
    /// A staff account.
    UserId
);
uuid_id!(
    /// A message in a report's thread between staff and citizen.
    MessageId
);
uuid_id!(
    /// An internal note on a report (staff only).
    NoteId
);
uuid_id!(
    /// An Open311 client's API key (the record; the secret itself is never stored).
    ApiKeyId
);
uuid_id!(
    /// A client-chosen key that makes a staff action (a transition) safe to send again.
    ActionId
);
uuid_id!(
    /// A staff member's saved inbox filter.
    SavedFilterId
);

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[a-z0-9_.-]{1,64}$"))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses a slug: 1–64 characters of `a-z`, `0-9`, `_`, `-`, `.`.
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                if is_slug(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(FieldError::new($field, "invalid_id"))
                }
            }

            /// Makes a slug from a label a person or a data file chose (`Westliche Höhe`,
            /// `STGT01`) with [`slug`], and parses it; fails if nothing of it is left.
            pub fn from_label(label: &str) -> Result<Self, FieldError> {
                Self::parse(&slug(label))
            }

            /// The slug as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

slug_id!(
    /// A category or subcategory of a municipality's tree (e.g. `schlagloch`).
    CategoryId,
    "category"
);
slug_id!(
    /// A department of a municipality (e.g. `tiefbau`).
    DepartmentId,
    "department"
);
slug_id!(
    /// A delegation rule.
    RuleId,
    "rule"
);
slug_id!(
    /// A named area polygon of a municipality (e.g. a Stadtteil).
    AreaId,
    "area"
);
slug_id!(
    /// An intake question of a category.
    QuestionId,
    "question"
);
slug_id!(
    /// An external authority that reports can be forwarded to (e.g. `lbv-sh`).
    AuthorityId,
    "authority"
);

/// A slug from a German label: lower case, umlauts and ß spelled out, every run of
/// other characters one `-`, at most 64 characters (`Westliche Höhe` →
/// `westliche-hoehe`, `St. Nikolai` → `st-nikolai`). What it returns maps to itself.
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let cut: String = out.trim_matches('-').chars().take(64).collect();
    // Cut after a `-`, it would otherwise lose it the next time.
    cut.trim_end_matches('-').to_owned()
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b))
}

/// The key of a Gemeinde or of an administration that serves several.
///
/// Eight digits are an Amtlicher Gemeindeschlüssel (AGS) and name one Gemeinde, e.g.
/// `01001000` (Flensburg). Nine digits are the key of a Gemeindeverband as the boundary
/// data carries it in `VWG_ARS` (five digits of the Kreis, four of the Verband), e.g.
/// `010595937` (Amt Langballig). A tenant is keyed by either: an amtsfreie Gemeinde or
/// Stadt by its AGS (as before Ämter were tenants), an Amt by its nine-digit key. A
/// report's Gemeinde is always an eight-digit key ([`Ags::is_gemeinde`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[0-9]{8,9}$", example = "01001000"))]
#[serde(try_from = "String", into = "String")]
pub struct Ags(String);

impl Ags {
    /// Parses an eight-digit AGS or a nine-digit administration key.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        if matches!(s.len(), 8 | 9) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new("municipality", "invalid_ags"))
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the key names one Gemeinde (eight digits) rather than an Amt (nine).
    pub fn is_gemeinde(&self) -> bool {
        self.0.len() == 8
    }
}

impl TryFrom<String> for Ags {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Ags> for String {
    fn from(a: Ags) -> String {
        a.0
    }
}

impl fmt::Display for Ags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Ags {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The SHA-256 of a photo's bytes, in lowercase hex: how blobs are addressed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[0-9a-fA-F]{64}$"))]
#[serde(try_from = "String", into = "String")]
pub struct BlobHash(String);

impl BlobHash {
    /// Parses 64 hex digits (upper case is folded to lower case).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(FieldError::new("photos", "invalid_hash"))
        }
    }

    /// The hash as lowercase hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BlobHash {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BlobHash> for String {
    fn from(h: BlobHash) -> String {
        h.0
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_keys() {
        assert!(CategoryId::parse("schlagloch").is_ok());
        assert!(CategoryId::parse("Schlagloch").is_err());
        assert!(CategoryId::parse("").is_err());
        assert!(Ags::parse("01001000").is_ok());
        assert!(Ags::parse("0100100").is_err());
        assert!(Ags::parse("010595937").is_ok_and(|a| !a.is_gemeinde()));
        assert!(Ags::parse("0105959370").is_err());
        assert!(Ags::parse("0100100x").is_err());
        assert_eq!(BlobHash::parse(&"AB".repeat(32)).map(|h| h.0), Ok("ab".repeat(32)));
    }

    #[test]
    fn labels_become_slugs() {
        assert_eq!(slug("Westliche Höhe"), "westliche-hoehe");
        assert_eq!(slug("Jürgensby"), "juergensby");
        assert_eq!(slug("St. Nikolai"), "st-nikolai");
        assert_eq!(AreaId::from_label("STGT01").map(|a| a.0), Ok("stgt01".to_owned()));
        assert_eq!(slug("westliche-hoehe"), "westliche-hoehe");
        assert!(AreaId::from_label(" – ").is_err());
    }

    #[test]
    fn serde_rejects_bad_slugs() {
        assert!(serde_json::from_str::<CategoryId>("\"a b\"").is_err());
        assert!(serde_json::from_str::<Ags>("\"01001000\"").is_ok());
    }
}
