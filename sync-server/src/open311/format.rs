//! One answer, two formats: a small tree of named values renders as the GeoReport v2 XML
//! (root element, repeated item elements) and as its JSON (objects and arrays), so both
//! formats always carry the same content.

use std::borrow::Cow;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The format a client asked for with the path's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.xml` (`text/xml`), the format the spec requires.
    Xml,
    /// `.json` (`application/json`).
    Json,
}

impl Format {
    /// Splits `services.json` into (`services`, Json); `None` for another or no suffix.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        let format = match ext.to_ascii_lowercase().as_str() {
            "xml" => Format::Xml,
            "json" => Format::Json,
            _ => return None,
        };
        Some((name, format))
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }
}

/// A value of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Fields in order.
    Object(Vec<(&'static str, Node)>),
    /// Items; in XML each is an element named `item` inside the parent element.
    List {
        /// Element name of one item in XML.
        item: &'static str,
        /// The items.
        items: Vec<Node>,
    },
    /// Text.
    Text(String),
    /// A number (written as given).
    Number(String),
    /// A boolean.
    Bool(bool),
    /// Nothing (`null`; an empty element in XML).
    Null,
}

impl Node {
    /// Text or null.
    pub fn opt_text(s: Option<impl Into<String>>) -> Node {
        s.map_or(Node::Null, |s| Node::Text(s.into()))
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Object(fields) => Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.to_json())).collect()),
            Node::List { items, .. } => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Text(s) => Value::String(s.clone()),
            Node::Number(n) => n
                .parse::<serde_json::Number>()
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(n.clone())),
            Node::Bool(b) => Value::Bool(*b),
            Node::Null => Value::Null,
        }
    }

    /// Writes the node as the element `name`. Text is escaped by the writer and loses
    /// characters XML 1.0 cannot hold ([`xml_text`]), so the document stays well-formed
    /// whatever reached a node.
    fn write_xml(&self, name: &str, w: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        let empty = match self {
            Node::Null => true,
            Node::Text(s) | Node::Number(s) => s.is_empty(),
            Node::Object(f) => f.is_empty(),
            Node::List { items, .. } => items.is_empty(),
            Node::Bool(_) => false,
        };
        if empty {
            return w.write_event(Event::Empty(BytesStart::new(name)));
        }
        w.write_event(Event::Start(BytesStart::new(name)))?;
        match self {
            Node::Object(fields) => {
                for (k, v) in fields {
                    v.write_xml(k, w)?;
                }
            }
            Node::List { item, items } => {
                for i in items {
                    i.write_xml(item, w)?;
                }
            }
            Node::Text(s) | Node::Number(s) => w.write_event(Event::Text(BytesText::new(&xml_text(s))))?,
            Node::Bool(b) => w.write_event(Event::Text(BytesText::new(if *b { "true" } else { "false" })))?,
            Node::Null => {}
        }
        w.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Renders with `root` as the XML root element.
    pub fn render(&self, root: &str, format: Format) -> Vec<u8> {
        match format {
            Format::Json => serde_json::to_vec(&self.to_json()).unwrap_or_default(),
            Format::Xml => {
                let mut w = Writer::new(Vec::new());
                let written = w
                    .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
                    .and_then(|()| self.write_xml(root, &mut w));
                match written {
                    Ok(()) => w.into_inner(),
                    // Writing into a Vec cannot fail; an empty body is the safe fallback.
                    Err(_) => Vec::new(),
                }
            }
        }
    }
}

/// Text as XML 1.0 may carry it: control characters but tab, newline and carriage
/// return (and U+FFFE, U+FFFF) are dropped. Free text is refused with them at intake
/// ([`augenmerk_domain::text::FreeText`]); this is the writer's own guard for anything
/// stored before that rule or reaching a node another way.
fn xml_text(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || augenmerk_domain::text::is_allowed(c);
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|c| allowed(*c)).collect())
    }
}

/// A rendered answer.
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// Format.
    pub format: Format,
    /// The XML root element.
    pub root: &'static str,
    /// The content.
    pub body: Node,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let bytes = self.body.render(self.root, self.format);
        (self.status, [(header::CONTENT_TYPE, self.format.content_type())], bytes).into_response()
    }
}

/// An Open311 error: status, and `errors/error` with `code` and `description` (JSON: an array).
#[derive(Debug, Clone)]
pub struct Open311Error {
    /// HTTP status (also the `code` of the error, as the spec's examples do).
    pub status: StatusCode,
    /// What went wrong, in English.
    pub description: String,
    /// Format of the answer.
    pub format: Format,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl Open311Error {
    /// An error with this status and description.
    pub fn new(status: StatusCode, format: Format, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
            format,
            retry_after: None,
        }
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let body = Node::List {
            item: "error",
            items: vec![Node::Object(vec![
                ("code", Node::Number(self.status.as_u16().to_string())),
                ("description", Node::Text(self.description)),
            ])],
        };
        let mut response = Answer {
            status: self.status,
            format: self.format,
            root: "errors",
            body,
        }
        .into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = header::HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_carry_the_same_content_and_xml_escapes() {
        let node = Node::List {
            item: "service",
            items: vec![Node::Object(vec![
                ("service_code", Node::Text("schlagloch".into())),
                ("service_name", Node::Text("Schlagloch <groß> & \"tief\"".into())),
                ("metadata", Node::Bool(true)),
                ("group", Node::Null),
            ])],
        };
        let xml = String::from_utf8(node.render("services", Format::Xml)).expect("utf-8");
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>"),
            "{xml}"
        );
        assert!(
            xml.contains("<service_name>Schlagloch &lt;groß&gt; &amp; &quot;tief&quot;</service_name>"),
            "{xml}"
        );
        assert!(xml.contains("<group/>"));
        let json: serde_json::Value = serde_json::from_slice(&node.render("services", Format::Json)).expect("json");
        assert_eq!(json[0]["service_name"], "Schlagloch <groß> & \"tief\"");
        assert_eq!(json[0]["metadata"], true);
        assert!(json[0]["group"].is_null());
    }

    #[test]
    fn xml_never_carries_control_characters() {
        let node = Node::List {
            item: "request",
            items: vec![Node::Object(vec![
                (
                    "description",
                    Node::Text("Loch\u{0} am\u{1b}[31m Rand\u{7f}\u{fffe}\nZeile 2\tTab".into()),
                ),
                ("address", Node::Text("\u{0}\u{8}".into())),
            ])],
        };
        let xml = String::from_utf8(node.render("service_requests", Format::Xml)).expect("utf-8");
        assert!(
            xml.contains("<description>Loch am[31m Rand\nZeile 2\tTab</description>"),
            "{xml}"
        );
        assert!(
            xml.contains("<address></address>") || xml.contains("<address/>"),
            "{xml}"
        );
        assert!(
            !xml.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
            "{xml}"
        );
        // The JSON form escapes them instead: nothing to drop there.
        let json: serde_json::Value =
            serde_json::from_slice(&node.render("service_requests", Format::Json)).expect("json");
        assert_eq!(json[0]["address"], "\u{0}\u{8}");
    }

    #[test]
    fn the_suffix_selects_the_format() {
        assert_eq!(Format::split("services.json"), Some(("services", Format::Json)));
        assert_eq!(Format::split("abc.XML"), Some(("abc", Format::Xml)));
        assert_eq!(Format::split("services"), None);
        assert_eq!(Format::split("services.html"), None);
    }
}
