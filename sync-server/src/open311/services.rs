//! Services are the municipality's leaf categories (the top-level category is the
//! `group`); a category's questions, its ancestors' included, are the attributes.
//! Deactivated categories (and their subcategories) are not services.

use augenmerk_domain::{Category, CategoryId, Question, QuestionKind};

use super::format::Node;
use crate::state::Tenant;

/// `GET services`: every leaf category.
pub fn list(tenant: &Tenant) -> Node {
    let mut items = Vec::new();
    for top in &tenant.record.categories.categories {
        collect(tenant, top, &top.de, &mut items);
    }
    Node::List { item: "service", items }
}

fn collect(tenant: &Tenant, cat: &Category, group: &str, out: &mut Vec<Node>) {
    if !cat.active {
        return;
    }
    if cat.subcategories.is_empty() {
        let questions = tenant
            .record
            .categories
            .effective_questions(&cat.id)
            .unwrap_or_default();
        out.push(Node::Object(vec![
            ("service_code", Node::Text(cat.id.as_str().to_owned())),
            ("service_name", Node::Text(cat.de.clone())),
            (
                "description",
                Node::Text(cat.description_de.clone().unwrap_or_else(|| cat.en.clone())),
            ),
            ("metadata", Node::Bool(!questions.is_empty())),
            ("type", Node::Text("realtime".into())),
            ("keywords", Node::Text(format!("{}, {}", cat.de, cat.en))),
            ("group", Node::Text(group.to_owned())),
        ]));
    }
    for sub in &cat.subcategories {
        collect(tenant, sub, group, out);
    }
}

/// `GET services/{code}`: the attributes of a leaf category; `None` if there is none.
pub fn definition(tenant: &Tenant, code: &str) -> Option<Node> {
    let id = CategoryId::parse(code).ok()?;
    let cat = tenant.record.categories.find(&id)?;
    if !cat.subcategories.is_empty() || !tenant.record.categories.is_offered(&id) {
        return None;
    }
    let questions = tenant.record.categories.effective_questions(&id)?;
    let attributes = questions.iter().enumerate().map(|(i, q)| attribute(q, i + 1)).collect();
    Some(Node::Object(vec![
        ("service_code", Node::Text(code.to_owned())),
        (
            "attributes",
            Node::List {
                item: "attribute",
                items: attributes,
            },
        ),
    ]))
}

fn attribute(q: &Question, order: usize) -> Node {
    let value = |key: &str, name: &str| {
        Node::Object(vec![
            ("key", Node::Text(key.to_owned())),
            ("name", Node::Text(name.to_owned())),
        ])
    };
    let (datatype, description, values): (&str, String, Vec<Node>) = match &q.kind {
        QuestionKind::Boolean => (
            "singlevaluelist",
            "true or false".into(),
            vec![value("true", "Ja"), value("false", "Nein")],
        ),
        QuestionKind::Select { options } => (
            "singlevaluelist",
            "one of the keys".into(),
            options.iter().map(|o| value(&o.value, &o.de)).collect(),
        ),
        QuestionKind::Multiselect { options } => (
            "multivaluelist",
            "any of the keys, as attribute[code][]".into(),
            options.iter().map(|o| value(&o.value, &o.de)).collect(),
        ),
        QuestionKind::Number { unit, min, max } => (
            "number",
            range(
                "a number",
                unit.as_deref(),
                min.map(|m| m.to_string()),
                max.map(|m| m.to_string()),
            ),
            Vec::new(),
        ),
        QuestionKind::Integer { unit, min, max } => (
            "number",
            range(
                "a whole number",
                unit.as_deref(),
                min.map(|m| m.to_string()),
                max.map(|m| m.to_string()),
            ),
            Vec::new(),
        ),
        QuestionKind::Text { max_length } => (
            if max_length.is_some_and(|m| m <= 200) {
                "string"
            } else {
                "text"
            },
            max_length.map_or_else(|| "text".into(), |m| format!("text, at most {m} characters")),
            Vec::new(),
        ),
        QuestionKind::Date => ("datetime", "a date, YYYY-MM-DD".into(), Vec::new()),
    };
    let mut fields = vec![
        ("variable", Node::Bool(true)),
        ("code", Node::Text(q.id.as_str().to_owned())),
        ("datatype", Node::Text(datatype.into())),
        ("required", Node::Bool(q.required)),
        ("datatype_description", Node::Text(description)),
        ("order", Node::Number(order.to_string())),
        ("description", Node::Text(q.de.clone())),
    ];
    if !values.is_empty() {
        fields.push((
            "values",
            Node::List {
                item: "value",
                items: values,
            },
        ));
    }
    Node::Object(fields)
}

fn range(what: &str, unit: Option<&str>, min: Option<String>, max: Option<String>) -> String {
    let mut s = what.to_owned();
    if let Some(u) = unit {
        s.push_str(&format!(" in {u}"));
    }
    match (min, max) {
        (Some(a), Some(b)) => s.push_str(&format!(", {a} to {b}")),
        (Some(a), None) => s.push_str(&format!(", at least {a}")),
        (None, Some(b)) => s.push_str(&format!(", at most {b}")),
        (None, None) => {}
    }
    s
}
