//! The staff export as CSV, for the spreadsheet programs of German offices (UTF-8 with a
//! byte order mark, `;` between fields).
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
//! return before one) as a formula, so text a citizen or an admin wrote could call
//! `HYPERLINK` or worse on a clerk's machine ("CSV injection"). Every row goes through
//! [`CsvExport::row`], where a [`Cell::Text`] that could start a formula is prefixed
//! with `'` (the OWASP recommendation), which spreadsheets show as plain text. Values
//! the server formats itself (ids, dates, coordinates) are [`Cell::Value`] and stay as
//! they are, so a negative coordinate remains a number.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use augenmerk_domain::report::Report;
use augenmerk_domain::staff::StaffUser;

use crate::error::{ApiError, ApiResult};
use crate::services::views;
use crate::state::Tenant;

/// One cell of the export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from people (descriptions, places, names): neutralised.
    Text(String),
    /// A value the server formatted (id, date, number, status name): written as is.
    Value(String),
}

/// Characters that make a spreadsheet read a cell as a formula when it starts with one.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text as a spreadsheet cell that is never a formula: prefixed with `'` when its
/// first character (after spaces, which spreadsheets skip) could start one.
pub fn spreadsheet_text(text: &str) -> Cow<'_, str> {
    match text.trim_start_matches(' ').chars().next() {
        Some(c) if FORMULA_START.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A CSV export being written.
pub struct CsvExport {
    out: csv::Writer<Vec<u8>>,
}

impl CsvExport {
    /// Starts an export with its header row.
    pub fn new<'a>(header: impl IntoIterator<Item = &'a str>) -> Result<Self, csv::Error> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(vec![0xEF, 0xBB, 0xBF]);
        let header: Vec<Cow<'_, str>> = header.into_iter().map(spreadsheet_text).collect();
        out.write_record(header.iter().map(|c| c.as_bytes()))?;
        Ok(Self { out })
    }

    /// Appends a row.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), csv::Error> {
        let cells: Vec<Cow<'_, str>> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => spreadsheet_text(t),
                Cell::Value(v) => Cow::Borrowed(v.as_str()),
            })
            .collect();
        self.out.write_record(cells.iter().map(|c| c.as_bytes()))
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        self.out.into_inner().map_err(|e| e.to_string())
    }
}

/// The export's columns: German and English header.
const COLUMNS: [(&str, &str); 14] = [
    ("Nummer", "Id"),
    ("Eingang", "Received"),
    ("Status", "Status"),
    ("Priorität", "Priority"),
    ("Kategorie", "Category"),
    ("Abteilung", "Department"),
    ("Zuständig", "Assignee"),
    ("Frist", "Due"),
    ("Überfällig", "Overdue"),
    ("Breite", "Latitude"),
    ("Länge", "Longitude"),
    ("Ort", "Place"),
    ("Beschreibung", "Description"),
    ("Kanal", "Channel"),
];

/// The reports of a municipality as the staff export, one row each, with department and
/// assignee by name (`users`: the municipality's accounts) and times in Berlin time;
/// `now` decides what is overdue.
pub fn reports_csv(
    tenant: &Tenant,
    users: &[StaffUser],
    reports: &[Report],
    english: bool,
    now: DateTime<Utc>,
) -> ApiResult<Vec<u8>> {
    let mut out =
        CsvExport::new(COLUMNS.iter().map(|(de, en)| if english { *en } else { *de })).map_err(ApiError::internal)?;
    let local = |t: &DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::Berlin)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    for r in reports {
        let status = r.status.label();
        let department = r
            .department
            .as_ref()
            .map(|d| {
                tenant
                    .departments
                    .iter()
                    .find(|x| &x.id == d)
                    .map_or(d.as_str(), |x| x.name.as_str())
            })
            .unwrap_or("");
        let assignee = r
            .assignee
            .and_then(|u| users.iter().find(|x| x.id == u).map(|x| x.display_name.clone()))
            .unwrap_or_default();
        // Names come from admins, place and description from citizens: all text cells.
        out.row(&[
            Cell::Value(r.id.to_string()),
            Cell::Value(local(&r.received_at)),
            Cell::Value(if english { status.en } else { status.de }),
            Cell::Value(r.priority.as_str().to_owned()),
            Cell::Text(views::category_name(tenant, r)),
            Cell::Text(department.to_owned()),
            Cell::Text(assignee),
            Cell::Value(r.due_at.as_ref().map(local).unwrap_or_default()),
            Cell::Value(if r.is_overdue(now) { "1" } else { "0" }.to_owned()),
            Cell::Value(format!("{:.6}", r.location.lat)),
            Cell::Value(format!("{:.6}", r.location.lon)),
            Cell::Text(r.address_hint.as_deref().unwrap_or_default().to_owned()),
            Cell::Text(r.description.clone()),
            Cell::Value(format!("{:?}", r.channel).to_lowercase()),
        ])
        .map_err(ApiError::internal)?;
    }
    out.finish().map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_could_start_a_formula_is_neutralised() {
        let cases = [
            (
                "=HYPERLINK(\"http://x\";\"klick\")",
                "'=HYPERLINK(\"http://x\";\"klick\")",
            ),
            ("+49 461 123", "'+49 461 123"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("  =1+1", "'  =1+1"),
            ("Loch vor Nr. 12", "Loch vor Nr. 12"),
            ("a=b", "a=b"),
            ("Straße – links", "Straße – links"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(spreadsheet_text(input), expected, "{input:?}");
        }
    }

    #[test]
    fn rows_neutralise_text_cells_only() {
        let mut export = CsvExport::new(["Beschreibung", "Breite"]).expect("header");
        export
            .row(&[Cell::Text("=1+1".into()), Cell::Value("-12.500000".into())])
            .expect("row");
        let bytes = export.finish().expect("bytes");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text, "\u{feff}Beschreibung;Breite\n'=1+1;-12.500000\n");
    }
}
