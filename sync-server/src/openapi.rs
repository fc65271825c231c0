//! The OpenAPI document of the native API (`/api/v1/openapi.json`): the contract that
//! clients are generated from and that `scripts/contract.sh` checks the running server
//! against with schemathesis.
//!
//! The routes document their successes and the errors particular to them (a 409 for an
//! illegal transition, a 429 for a rate limit). The errors every operation of a kind can
//! answer with are added here once, from the operation's shape, so that no route can
//! forget one: a credential check can fail (401, 403), a path can name nothing (404), a
//! body or query can be malformed or invalid (400, 422), a body can be too large (413),
//! and the server can fail (500). Every error answer carries an [`ErrorBody`].
//!
//! [`ErrorBody`]: augenmerk_domain::ErrorBody

use serde_json::{Map, Value, json};
use utoipa::OpenApi;

/// The document's head: title, licence, the bearer scheme. The paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(title = "Augenmerk API", description = "Native API of the Augenmerk sync server (Mängelmelder).", license(name = "EUPL-1.2")),
    components(schemas(augenmerk_domain::ErrorBody)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// RFC 3339 as chrono reads it for `DateTime<Utc>` (`2026-12-05T22:21:14.1655Z`,
/// `…+01:00`): the format alone lets generators send `""`.
const DATE_TIME: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

/// An e-mail address as `augenmerk_domain::report::Email::parse` accepts it: a local
/// part, `@`, a domain with a dot that neither starts nor ends it; no space or control.
const EMAIL: &str = r"^[^\s@\x00-\x1F\x7F-\x9F]+@[^\s@.\x00-\x1F\x7F-\x9F][^\s@\x00-\x1F\x7F-\x9F]*\.[^\s@\x00-\x1F\x7F-\x9F]*[^\s@.\x00-\x1F\x7F-\x9F]$";

/// What each error status means, with the codes of [`augenmerk_domain::ErrorCode`] it carries.
fn error_description(status: &str) -> &'static str {
    match status {
        "400" => "`malformed_request`: the body or query cannot be read",
        "401" => "`unauthorized`: no valid credentials for this operation",
        "403" => "`forbidden`: the credentials do not allow this",
        "404" => "`not_found`: nothing with this id (or it belongs to another municipality)",
        "409" => "`conflict` or `illegal_transition`: the request conflicts with the current state",
        "410" => "`withdrawn`: the report was withdrawn",
        "413" => "`payload_too_large` or `image_too_large`",
        "415" => "`unsupported_media_type`",
        "422" => "`validation_failed` (with `details`) or another rule of the content",
        "429" => "`rate_limited` or `quota_exceeded`; see Retry-After",
        "500" => "`internal`: the server failed; nothing was changed",
        "503" => "`server_busy`: try again later; see Retry-After",
        _ => "error",
    }
}

/// The assembled document as JSON, completed: the errors of every operation, query
/// parameters where the routes' `IntoParams` left them in the path, unique operation
/// ids, and the rules of fields that their Rust types do not say.
pub fn render(doc: &utoipa::openapi::OpenApi) -> String {
    let mut doc = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    complete(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

/// See [`render`].
pub fn complete(doc: &mut Value) {
    let mut seen_ids = std::collections::HashMap::<String, usize>::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, op) in item.iter_mut() {
                let Some(op) = op.as_object_mut() else { continue };
                fix_parameter_locations(path, op);
                complete_operation(method, op);
                if let Some(Value::String(id)) = op.get("operationId") {
                    *seen_ids.entry(id.clone()).or_default() += 1;
                }
            }
        }
        // Handlers in different modules share names (`list_reports`); ids must be unique.
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                let tag = op
                    .get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                if let (Some(Value::String(id)), Some(tag)) = (op.get_mut("operationId"), tag)
                    && seen_ids.get(id.as_str()).is_some_and(|n| *n > 1)
                {
                    *id = format!("{tag}_{id}");
                }
            }
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        patch_schemas(schemas);
    }
    tighten_date_times(doc);
}

/// `#[derive(IntoParams)]` without `parameter_in` puts query fields in the path; a
/// parameter the path template does not name is a query parameter. A query has no
/// `null` (an `Option` is absent or has a value), and an `email` in it is an address.
fn fix_parameter_locations(path: &str, op: &mut Map<String, Value>) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for p in params.iter_mut() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        if p.get("in").and_then(Value::as_str) == Some("path") && !path.contains(&format!("{{{name}}}")) {
            p["in"] = json!("query");
        }
        let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
            continue;
        };
        if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
            types.retain(|t| *t != "null");
            if let [only] = types.as_slice() {
                let only = only.clone();
                schema.insert("type".into(), only);
            }
        }
        if let Some(Value::Array(variants)) = schema.remove("oneOf") {
            let mut rest: Vec<Value> = variants
                .into_iter()
                .filter(|v| v.get("type") != Some(&json!("null")))
                .collect();
            match rest.len() {
                1 => merge(Some(&mut p["schema"]), &rest.remove(0)),
                _ => p["schema"]["oneOf"] = Value::Array(rest),
            }
        }
        // A `u32` is documented as `int32` from 0, which stops at 2^31 - 1.
        if p["schema"]["format"] == "int32" && p["schema"]["minimum"].as_f64().is_some_and(|m| m >= 0.0) {
            merge(
                Some(&mut p["schema"]),
                &json!({ "format": "int64", "maximum": u32::MAX }),
            );
        }
        if name == "email" {
            merge(
                Some(&mut p["schema"]),
                &json!({ "type": "string", "pattern": EMAIL, "maxLength": 254 }),
            );
        }
    }
}

fn complete_operation(method: &str, op: &mut Map<String, Value>) {
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let located = |at: &str| params.iter().any(|p| p.get("in").and_then(Value::as_str) == Some(at));
    let has_body = op.contains_key("requestBody");
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let mut statuses = vec!["500"];
    if secured {
        statuses.extend(["401", "403"]);
    }
    if located("path") {
        statuses.push("404");
    }
    if has_body || located("query") {
        statuses.extend(["400", "422"]);
    }
    if has_body {
        statuses.push("413");
    }
    let responses = op.entry("responses").or_insert_with(|| json!({})).as_object_mut();
    let Some(responses) = responses else { return };
    for status in statuses {
        responses
            .entry(status)
            .or_insert_with(|| json!({ "description": error_description(status) }));
    }
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if method == "head" {
            // A HEAD answer has no body, whatever its status.
            response.remove("content");
            continue;
        }
        let is_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
        if is_error && !response.contains_key("content") {
            response.insert(
                "content".into(),
                json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }),
            );
        }
        if response
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            response.insert("description".into(), json!(error_description(status)));
        }
    }
}

/// Rules of single fields that the server parses but the Rust type (a `String`, a `u8`)
/// does not carry into the schema.
fn patch_schemas(schemas: &mut Value) {
    let email = json!({ "pattern": EMAIL, "maxLength": 254 });
    let email_or_empty = json!({ "pattern": format!("^$|{EMAIL}"), "maxLength": 254 });
    let patches: [(&str, &Value); 6] = [
        ("/EmailErasureRequest/properties/email", &email),
        ("/StaffErasureRequest/properties/email", &email),
        ("/NewStaffUser/properties/email", &email_or_empty),
        ("/StaffUserUpdate/properties/email", &email_or_empty),
        ("/MyMailSettings/properties/email", &email_or_empty),
        ("/NewReport/properties/contact_email", &email_or_empty),
    ];
    for (pointer, patch) in patches {
        merge(schemas.pointer_mut(pointer), patch);
    }
    // `rules::WorkingHours::check`: days 1 (Monday) to 7.
    merge(
        schemas.pointer_mut("/WorkingHours/properties/days/items"),
        &json!({ "minimum": 1, "maximum": 7 }),
    );
}

fn merge(target: Option<&mut Value>, patch: &Value) {
    if let (Some(Value::Object(target)), Value::Object(patch)) = (target, patch) {
        for (k, v) in patch {
            target.insert(k.clone(), v.clone());
        }
    }
}

fn tighten_date_times(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("format").and_then(Value::as_str) == Some("date-time") && !o.contains_key("pattern") {
                o.insert("pattern".into(), json!(DATE_TIME));
            }
            o.values_mut().for_each(tighten_date_times);
        }
        Value::Array(a) => a.iter_mut().for_each(tighten_date_times),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({
            "paths": {
                "/api/v1/reports/{id}": {
                    "get": {
                        "operationId": "list_reports", "tags": ["citizen"],
                        "parameters": [
                            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                            { "name": "lat", "in": "path", "required": true, "schema": { "type": "number" } }
                        ],
                        "responses": { "200": { "description": "ok" }, "409": { "description": "" } },
                        "security": [{ "bearer": [] }]
                    },
                    "head": { "operationId": "head", "responses": { "200": { "description": "ok" } },
                        "parameters": [{ "name": "id", "in": "path", "required": true }] }
                },
                "/api/v1/staff/reports": {
                    "get": { "operationId": "list_reports", "tags": ["staff"], "responses": {} }
                }
            },
            "components": { "schemas": { "Thing": { "type": "string", "format": "date-time" } } }
        })
    }

    #[test]
    fn every_operation_gets_its_errors_with_the_error_body() {
        let mut doc = sample();
        complete(&mut doc);
        let op = &doc["paths"]["/api/v1/reports/{id}"]["get"];
        for status in ["400", "401", "403", "404", "409", "422", "500"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{status}"
            );
            assert!(
                !op["responses"][status]["description"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty()
            );
        }
        assert!(op["responses"].get("413").is_none(), "no body, no 413");
        let head = &doc["paths"]["/api/v1/reports/{id}"]["head"]["responses"];
        assert!(head["404"].get("content").is_none(), "HEAD answers have no body");
        assert!(doc["paths"]["/api/v1/staff/reports"]["get"]["responses"]["500"].is_object());
    }

    #[test]
    fn query_fields_leave_the_path_and_operation_ids_are_unique() {
        let mut doc = sample();
        complete(&mut doc);
        let op = &doc["paths"]["/api/v1/reports/{id}"]["get"];
        assert_eq!(op["parameters"][0]["in"], "path");
        assert_eq!(op["parameters"][1]["in"], "query");
        assert_eq!(op["operationId"], "citizen_list_reports");
        assert_eq!(
            doc["paths"]["/api/v1/staff/reports"]["get"]["operationId"],
            "staff_list_reports"
        );
        assert_eq!(doc["paths"]["/api/v1/reports/{id}"]["head"]["operationId"], "head");
        assert_eq!(doc["components"]["schemas"]["Thing"]["pattern"], DATE_TIME);
    }
}
