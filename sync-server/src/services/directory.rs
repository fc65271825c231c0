//! The platform's directory of administrations not on the platform: checking an entry
//! (its name, and that its Gemeinden's boundaries are imported), and reading the CSV a
//! platform admin imports (all or nothing).

use augenmerk_domain::Ags;
use augenmerk_domain::api::DirectoryEntry;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::report::Email;
use augenmerk_domain::text::parse_text;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most entries one import may carry (Schleswig-Holstein has 172 administrations).
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// Checks an entry's name (the key and address are checked by their types).
pub fn check_entry(entry: &DirectoryEntry) -> Result<DirectoryEntry, FieldError> {
    Ok(DirectoryEntry {
        key: entry.key.clone(),
        name: parse_text("name", &entry.name)?,
        email: entry.email.clone(),
    })
}

/// An entry must stand for Gemeinden whose boundaries are imported: otherwise no report
/// could ever reach it.
pub fn require_gemeinden(state: &AppState, entries: &[DirectoryEntry]) -> ApiResult<()> {
    let problems: Vec<FieldError> = entries
        .iter()
        .filter(|e| state.gemeinden_of(&e.key).is_empty())
        .map(|e| FieldError::new(format!("key {}", e.key), "no_boundary_imported"))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(problems))
    }
}

/// Reads a directory CSV: a header naming the columns `key`, `name` and `email` (in any
/// order; `;` or `,` between fields, as German spreadsheets write it; a byte order mark
/// is fine), then one administration per line. Every problem is reported with its line
/// number, and then nothing is imported.
pub fn parse_csv(text: &str) -> Result<Vec<DirectoryEntry>, Vec<FieldError>> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| vec![FieldError::new("line 1", "unreadable")])?
        .iter()
        .map(str::to_owned)
        .collect();
    let header = |name: &str| -> Result<usize, Vec<FieldError>> {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| vec![FieldError::new("line 1", format!("missing_column:{name}"))])
    };
    let (k, n, e) = (header("key")?, header("name")?, header("email")?);
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = format!("line {}", i + 2);
        let Ok(record) = record else {
            problems.push(FieldError::new(line, "unreadable"));
            continue;
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |c: usize| record.get(c).unwrap_or_default();
        let key = Ags::parse(cell(k)).map_err(|_| "invalid_key");
        let email = Email::parse(cell(e)).map_err(|_| "invalid_email");
        let name = parse_text("name", cell(n)).map_err(|_| "invalid_name");
        match (key, name, email) {
            (Ok(key), Ok(name), Ok(email)) => {
                if entries.iter().any(|x: &DirectoryEntry| x.key == key) {
                    problems.push(FieldError::new(line.clone(), "duplicate_key"));
                } else {
                    entries.push(DirectoryEntry { key, name, email });
                }
            }
            (key, name, email) => {
                for p in [key.err(), name.err(), email.err()].into_iter().flatten() {
                    problems.push(FieldError::new(line.clone(), p));
                }
            }
        }
        if entries.len() > MAX_IMPORT_ROWS {
            return Err(vec![FieldError::new(line, "too_many_rows")]);
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_commas_any_column_order_and_a_bom_are_read() {
        let a =
            parse_csv("\u{feff}key;name;email\n010030000;Hansestadt Lübeck;meldungen@luebeck.example\n").expect("read");
        let b =
            parse_csv("email,key,name\n meldungen@luebeck.example , 010030000 , Hansestadt Lübeck\n\n").expect("read");
        assert_eq!(a, b);
        assert_eq!(a[0].key.as_str(), "010030000");
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_is_taken() {
        let problems = parse_csv(
            "key;name;email\n123;X;x@y.example\n010595990;Amt Geltinger Bucht;kein-mail\n010595990;A;a@b.example\n010595990;B;b@b.example\n",
        )
        .expect_err("refused");
        let got: Vec<String> = problems.iter().map(|p| format!("{}:{}", p.field, p.problem)).collect();
        assert_eq!(
            got,
            ["line 2:invalid_key", "line 3:invalid_email", "line 5:duplicate_key"]
        );
        assert!(
            parse_csv("schluessel;name\n1;2\n").expect_err("refused")[0]
                .problem
                .starts_with("missing_column")
        );
    }
}
