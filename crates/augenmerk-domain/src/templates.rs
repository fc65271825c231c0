//! Reply templates (Textbausteine) with placeholders, filled in for a report.
//!
//! A placeholder is a name in double braces, `{{kategorie}}`. Only the names in
//! [`PLACEHOLDERS`] exist; a template using another one is refused when it is saved, so
//! that no citizen ever receives a message with a stray `{{…}}`.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A reply template of a municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyTemplate {
    /// Slug, unique within the municipality.
    pub id: String,
    /// Name in the picker ("Eingangsbestätigung").
    pub name: String,
    /// Text with placeholders.
    pub body: String,
}

/// The placeholders and what they stand for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("nummer", "the report's short number (first 8 characters of its id)"),
    ("kategorie", "the category's name"),
    ("status", "the current status, in German"),
    ("adresse", "the address hint, or the coordinates"),
    ("eingang", "the day it arrived, DD.MM.YYYY"),
    ("frist", "the due date, DD.MM.YYYY, or \"–\""),
    ("gemeinde", "the municipality's name"),
    ("abteilung", "the responsible department, or the municipality"),
];

/// The values of the placeholders for one report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateValues {
    /// By placeholder name.
    pub values: Vec<(&'static str, String)>,
}

/// The placeholder names a text uses, in order of appearance.
fn placeholders(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push(after[..end].trim());
                rest = &after[end + 2..];
            }
            None => {
                out.push(after.trim());
                break;
            }
        }
    }
    out
}

/// Checks a municipality's templates: ids unique slugs, names and bodies present and
/// not too long, only known placeholders.
pub fn check_templates(templates: &[ReplyTemplate]) -> Result<(), Vec<FieldError>> {
    let mut problems = Vec::new();
    for (i, t) in templates.iter().enumerate() {
        let field = |f: &str| format!("reply_templates[{i}].{f}");
        let slug_ok = !t.id.is_empty()
            && t.id.len() <= 64
            && t.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !slug_ok {
            problems.push(FieldError::new(field("id"), "invalid_slug"));
        }
        if templates[..i].iter().any(|o| o.id == t.id) {
            problems.push(FieldError::new(field("id"), "duplicate"));
        }
        if t.name.trim().is_empty() {
            problems.push(FieldError::new(field("name"), "required"));
        }
        if t.body.trim().is_empty() {
            problems.push(FieldError::new(field("body"), "required"));
        } else if t.body.chars().count() > crate::text::MAX_MESSAGE_CHARS {
            problems.push(FieldError::new(field("body"), "too_long"));
        }
        // A template becomes a message to a citizen: free text like any message.
        for (name, text) in [("name", &t.name), ("body", &t.body)] {
            if let Err(e) = crate::text::FreeText::parse(&field(name), text) {
                problems.push(e);
            }
        }
        for p in placeholders(&t.body) {
            if !PLACEHOLDERS.iter().any(|(name, _)| *name == p) {
                problems.push(FieldError::new(field("body"), format!("unknown_placeholder:{p}")));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Fills in a template's placeholders (an unknown one, which saving prevents, is left out).
pub fn render(body: &str, values: &TemplateValues) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            rest = "";
            break;
        };
        let name = after[..end].trim();
        if let Some((_, v)) = values.values.iter().find(|(k, _)| *k == name) {
            out.push_str(v);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str, body: &str) -> ReplyTemplate {
        ReplyTemplate {
            id: id.into(),
            name: "Name".into(),
            body: body.into(),
        }
    }

    #[test]
    fn placeholders_are_filled_in() {
        let values = TemplateValues {
            values: vec![("nummer", "1a2b3c4d".into()), ("kategorie", "Schlagloch".into())],
        };
        assert_eq!(
            render("Ihre Meldung {{nummer}} ({{ kategorie }}) ist eingegangen.", &values),
            "Ihre Meldung 1a2b3c4d (Schlagloch) ist eingegangen."
        );
    }

    #[test]
    fn unknown_placeholders_duplicates_and_bad_ids_are_refused() {
        assert!(check_templates(&[t("eingang", "Danke, {{gemeinde}}.")]).is_ok());
        let problems =
            check_templates(&[t("a", "Hallo {{name}}"), t("a", "x"), t("Groß", "x")]).expect_err("three problems");
        let fields: Vec<String> = problems.iter().map(|p| format!("{}/{}", p.field, p.problem)).collect();
        assert!(
            fields.contains(&"reply_templates[0].body/unknown_placeholder:name".to_owned()),
            "{fields:?}"
        );
        assert!(fields.contains(&"reply_templates[1].id/duplicate".to_owned()));
        assert!(fields.contains(&"reply_templates[2].id/invalid_slug".to_owned()));
    }
}
