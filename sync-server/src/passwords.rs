//! The rule for new staff passwords, after NIST SP 800-63B (5.1.1.2): at least 10
//! characters, and not guessable: not a common or breached password, no dictionary word
//! with a digit appended, no repetition (`aaaaaaaaaa`) or sequence (`1234567890`,
//! `qwertzuiop`), nothing built from the login name or the service's name. No rules about
//! character classes, as NIST advises.
//!
//! The guessability is zxcvbn's estimate (its lists: breached passwords, English words,
//! names, keyboard patterns, dates), fed with the account's own words and the most common
//! German passwords, which its English lists miss. A password must need an estimated
//! 10^8 guesses or more (zxcvbn's score 3): against our argon2 hashes that is years for
//! an offline attacker with one GPU, and the rate limits make online guessing hopeless.

use augenmerk_domain::credentials::Password;
use augenmerk_domain::error::FieldError;
use zxcvbn::Score;

/// Shortest new password in characters.
pub const MIN_CHARS: usize = 10;

/// How much of a password zxcvbn looks at.
const EVALUATED_CHARS: usize = 100;

/// zxcvbn's score a new password needs (3: about 10^8 guesses).
const MIN_SCORE: Score = Score::Three;

/// Words zxcvbn's English lists lack: the most common German passwords and their parts
/// (HPI's yearly lists of leaked German passwords) and words of this service.
const COMMON_GERMAN: &[&str] = &[
    "passwort",
    "kennwort",
    "hallo",
    "ichliebedich",
    "liebe",
    "schatz",
    "schatzi",
    "qwertz",
    "qwertzu",
    "qwertzuiop",
    "asdfgh",
    "yxcvbnm",
    "fussball",
    "fußball",
    "sommer",
    "winter",
    "frühling",
    "herbst",
    "sonne",
    "sonnenschein",
    "blume",
    "blümchen",
    "mausi",
    "maus",
    "hase",
    "biene",
    "engel",
    "geheim",
    "willkommen",
    "deutschland",
    "berlin",
    "hamburg",
    "schalke",
    "bayern",
    "borussia",
    "werder",
    "geburtstag",
    "familie",
    "freund",
    "freundin",
    "prinzessin",
    "stadt",
    "gemeinde",
    "rathaus",
    "verwaltung",
    "amt",
    "bürgeramt",
    "mängelmelder",
    "maengelmelder",
    "augenmerk",
];

/// Why a new password is refused (the `problem` of a `password` field error).
pub fn problem(password: &str, login_name: &str, other_words: &[&str]) -> Option<&'static str> {
    if Password::parse(password).is_err() {
        return Some("too_long");
    }
    if password.chars().count() < MIN_CHARS {
        return Some("too_short");
    }
    let name = login_name.trim().to_lowercase();
    if name.chars().count() >= 3 && password.to_lowercase().contains(&name) {
        return Some("contains_username");
    }
    // zxcvbn's cost grows with the length; a strong start makes a strong password.
    let start: String = password.chars().take(EVALUATED_CHARS).collect();
    let mut inputs: Vec<&str> = Vec::with_capacity(COMMON_GERMAN.len() + other_words.len() + 1);
    inputs.push(&name);
    inputs.extend(other_words.iter().copied().filter(|w| !w.trim().is_empty()));
    inputs.extend_from_slice(COMMON_GERMAN);
    if zxcvbn::zxcvbn(&start, &inputs).score() < MIN_SCORE {
        return Some("too_common");
    }
    None
}

/// [`problem`] as a field error of `password`.
pub fn check(password: &str, login_name: &str, other_words: &[&str]) -> Result<(), FieldError> {
    match problem(password, login_name, other_words) {
        Some(p) => Err(FieldError::new("password", p)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_passwords_are_refused_with_a_reason() {
        let cases = [
            ("kurz", "too_short"),
            ("aaaaaaaaaa", "too_common"),
            ("1234567890", "too_common"),
            ("abcdefghij", "too_common"),
            ("qwertzuiop", "too_common"),
            ("passwort123", "too_common"),
            ("Passwort1234", "too_common"),
            ("hallo12345", "too_common"),
            ("ichliebedich", "too_common"),
            ("schatzi123", "too_common"),
            ("Sommer2024!", "too_common"),
            ("password123", "too_common"),
            ("Flensburg2024", "too_common"),
            ("augenmerk2024", "too_common"),
            ("dispatcher1", "contains_username"),
            ("DispatcherDispatcher", "contains_username"),
        ];
        for (password, expected) in cases {
            assert_eq!(
                problem(password, "dispatcher", &["Flensburg"]),
                Some(expected),
                "{password}"
            );
        }
        assert_eq!(problem(&"x".repeat(1025), "anna", &[]), Some("too_long"));
    }

    #[test]
    fn passphrases_and_the_projects_own_test_passwords_pass() {
        for password in [
            "korrekt-pferd-batterie",
            "ein-langes-passwort",
            "ein-langes-passwort-2026",
            "augenmerk-test-passwort",
            "augenmerk-app-test-passwort",
            "augenmerk-bench-passwort",
            "intake-bench-demo-password",
            "stats-bench-demo-password",
            "Tr0ub4dor&3x-Haus",
        ] {
            assert_eq!(problem(password, "dispatcher", &["Flensburg"]), None, "{password}");
        }
    }
}
