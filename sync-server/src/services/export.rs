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
