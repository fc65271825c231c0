//! The one error type that crosses the IPC boundary.
//!
//! Every command fails with a [`CommandError`], which serializes exactly as the server's
//! [`ErrorBody`] (`code`, `message {de, en}`, `details`, `context`), so the UI decodes the
//! app's and the server's errors with the same type. Conditions the API has no code for
//! (no network, nothing cached yet, a sync running elsewhere) keep the nearest existing
//! code and name themselves in `context.reason`, with their own message.

use serde::Serialize;
use serde_json::json;

use augenmerk_client::{ClientError, RemoteError};
use augenmerk_domain::ErrorBody;
use augenmerk_domain::error::{ErrorCode, FieldError};
use augenmerk_domain::i18n::I18nText;

/// A failed command: what the UI sees, plus the cause for the log.
#[derive(Debug, thiserror::Error)]
#[error("{}: {cause}", .body.message.en)]
pub struct CommandError {
    /// What is sent to the UI (boxed: every command returns this in its `Err`, which
    /// should stay small).
    body: Box<ErrorBody>,
    /// The full cause (may hold paths and server text; logged, not shown as is).
    cause: String,
}

impl Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

impl CommandError {
    /// An error with the code's standard message.
    pub fn new(code: ErrorCode, cause: impl Into<String>) -> Self {
        Self {
            body: Box::new(ErrorBody::new(code)),
            cause: cause.into(),
        }
    }

    /// Invalid input, with the fields at fault.
    pub fn validation(details: Vec<FieldError>) -> Self {
        let cause = details.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        Self::new(ErrorCode::ValidationFailed, cause).with_details(details)
    }

    /// One invalid field.
    pub fn invalid_field(field: &str, problem: &str) -> Self {
        Self::validation(vec![FieldError::new(field, problem)])
    }

    /// Replaces the field errors.
    pub fn with_details(mut self, details: Vec<FieldError>) -> Self {
        self.body.details = details;
        self
    }

    /// Replaces the context.
    pub fn with_context(mut self, context: serde_json::Value) -> Self {
        self.body.context = Some(context);
        self
    }

    /// Replaces the standard message of the code with a more precise one.
    pub fn with_message(mut self, de: &str, en: &str) -> Self {
        self.body.message = I18nText::new(de, en);
        self
    }

    /// What the UI receives.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.body.code
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let cause = e.to_string();
        match e {
            ClientError::Invalid(details) => Self::validation(details),
            ClientError::UnknownCategory { category, municipality } => Self::new(ErrorCode::UnknownCategory, cause)
                .with_details(vec![FieldError::new("category", "unknown")])
                .with_context(json!({ "category": category, "municipality": municipality })),
            ClientError::OutsideMunicipalities { nearest, distance_m } => {
                Self::new(ErrorCode::OutsideServiceArea, cause).with_context(json!({
                    "nearest": { "name": nearest },
                    "distance_m": distance_m.round(),
                    "tolerance_m": augenmerk_geo::DEFAULT_TOLERANCE_M,
                }))
            }
            ClientError::NoConfiguration => Self::new(ErrorCode::NotFound, cause)
                .with_message(
                    "Noch keine Gemeindedaten auf diesem Gerät; bitte einmal mit Netz synchronisieren.",
                    "No municipality data on this device yet; please sync once while online.",
                )
                .with_context(json!({ "reason": "no_configuration" })),
            ClientError::SyncBusy => Self::new(ErrorCode::Conflict, cause)
                .with_message(
                    "Eine andere Synchronisierung dieser Daten läuft gerade; bitte kurz warten.",
                    "Another sync of this data is running; please wait a moment.",
                )
                .with_context(json!({ "reason": "sync_busy", "retryable": true })),
            ClientError::NotLoggedIn => Self::new(ErrorCode::Unauthorized, cause)
                .with_message(
                    "Bitte melden Sie sich als Mitarbeiterin oder Mitarbeiter an.",
                    "Please sign in as staff.",
                )
                .with_context(json!({ "reason": "not_logged_in" })),
            ClientError::TotpRequired => Self::new(ErrorCode::TotpRequired, cause),
            ClientError::InvalidTotp => Self::new(ErrorCode::InvalidTotp, cause),
            ClientError::NotFound(what) => {
                Self::new(ErrorCode::NotFound, cause).with_context(json!({ "what": what }))
            }
            ClientError::Photo(anon) => from_anon(anon, cause),
            ClientError::NewerDatabase { found, known } => Self::new(ErrorCode::Internal, cause)
                .with_message(
                    "Die Daten auf diesem Gerät stammen von einer neueren Version; bitte aktualisieren Sie die App. Es wurde nichts verändert.",
                    "The data on this device was written by a newer version; please update the app. Nothing was changed.",
                )
                .with_context(json!({ "reason": "newer_database", "found": found, "known": known })),
            ClientError::Server(_) => Self::new(ErrorCode::Internal, cause)
                .with_message(
                    "Die Serveradresse ist nicht nutzbar, oder der Server sandte unbrauchbare Daten.",
                    "The server address is not usable, or the server sent unusable data.",
                )
                .with_context(json!({ "reason": "server_config" })),
            ClientError::Remote(api) => from_remote(api, cause),
            ClientError::Offline { .. } => Self::new(ErrorCode::Internal, cause)
                .with_message(
                    "Dafür wird der Server gebraucht, der gerade nicht erreichbar ist. Es wurde nichts geändert; bitte versuchen Sie es mit Netz erneut.",
                    "This needs the server, which cannot be reached right now. Nothing was changed; please try again when online.",
                )
                .with_context(json!({ "reason": "offline", "retryable": true })),
            ClientError::CaseMoved { expected, current } => Self::new(ErrorCode::Conflict, cause)
                .with_context(json!({ "expected": expected, "current": current })),
            ClientError::AlreadyHandled => Self::new(ErrorCode::IllegalTransition, cause)
                .with_message(
                    "Die Gemeinde bearbeitet diese Meldung bereits; sie kann nicht mehr zurückgezogen werden. Sie können aber die Löschung Ihrer Daten verlangen.",
                    "The municipality is already handling this report; it can no longer be withdrawn. You can still have your data erased.",
                )
                .with_context(json!({ "reason": "already_handled" })),
            ClientError::NothingSent => Self::new(ErrorCode::NotFound, cause)
                .with_message(
                    "Von diesem Gerät wurde noch nichts gesendet; es gibt nichts herunterzuladen.",
                    "Nothing has been sent from this device yet; there is nothing to download.",
                )
                .with_context(json!({ "reason": "nothing_sent" })),
            ClientError::DeviceExpired => Self::new(ErrorCode::Unauthorized, cause)
                .with_message(
                    "Der Server kennt dieses Gerät nicht mehr (es wurde lange nicht benutzt). Nutzen Sie den Link aus der Eingangsbestätigung oder die Löschung per E-Mail-Adresse.",
                    "The server no longer knows this device (it was not used for a long time). Use the link from the receipt mail or erasure by e-mail address.",
                )
                .with_context(json!({ "reason": "device_expired" })),
            ClientError::Db(_) | ClientError::Io { .. } | ClientError::Encoding(_) => {
                Self::new(ErrorCode::Internal, cause).with_context(json!({ "reason": "local_storage" }))
            }
        }
    }
}

/// A photo the anonymizer refused: the user's file (validation, media type, size) or
/// this installation (models missing: internal).
fn from_anon(e: augenmerk_anon::AnonError, cause: String) -> CommandError {
    use augenmerk_anon::AnonError as A;
    match e {
        A::Empty => CommandError::invalid_field("photo", "empty"),
        A::UnsupportedFormat(_) | A::UnknownFormat => CommandError::new(ErrorCode::UnsupportedMediaType, cause),
        A::TooLarge { .. } => CommandError::new(ErrorCode::ImageTooLarge, cause),
        A::Decode { .. } | A::Truncated(_) | A::CorruptExif(_) => {
            CommandError::invalid_field("photo", "unreadable").with_context(json!({ "reason": cause }))
        }
        A::InvalidBox(_) => CommandError::invalid_field("blur", "invalid_box"),
        A::ModelMissing(_) | A::ModelLoad { .. } => CommandError::new(ErrorCode::Internal, cause)
            .with_message(
                "Die Anonymisierung ist auf diesem Gerät nicht eingerichtet (Modelle fehlen).",
                "Anonymization is not set up on this device (models missing).",
            )
            .with_context(json!({ "reason": "models_missing" })),
        _ => CommandError::new(ErrorCode::Internal, cause).with_context(json!({ "reason": "anonymizer" })),
    }
}

/// A server answer or a failed connection. The server's own code is kept when it sent
/// one; a failed connection gets `internal` with `reason: "network"`, because the API's
/// codes all describe answers and this is the absence of one.
fn from_remote(e: RemoteError, cause: String) -> CommandError {
    let retryable = e.is_transient();
    match e {
        RemoteError::Network(_) | RemoteError::Unreachable(_) => CommandError::new(ErrorCode::Internal, cause)
            .with_message(
                "Der Server ist nicht erreichbar. Alles bleibt gespeichert und wird später gesendet.",
                "The server cannot be reached. Everything stays saved and is sent later.",
            )
            .with_context(json!({ "reason": "network", "retryable": true })),
        RemoteError::Protocol(_) => CommandError::new(ErrorCode::Internal, cause)
            .with_context(json!({ "reason": "protocol", "retryable": retryable })),
        RemoteError::Status {
            status,
            code,
            message,
            details,
            ..
        } => {
            let known = code
                .as_deref()
                .and_then(|c| serde_json::from_value::<ErrorCode>(serde_json::Value::String(c.to_owned())).ok());
            let code = known.unwrap_or(match status {
                400 => ErrorCode::MalformedRequest,
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                409 => ErrorCode::Conflict,
                413 => ErrorCode::PayloadTooLarge,
                415 => ErrorCode::UnsupportedMediaType,
                422 => ErrorCode::ValidationFailed,
                429 => ErrorCode::RateLimited,
                _ => ErrorCode::Internal,
            });
            CommandError::new(code, cause)
                .with_details(details)
                .with_context(json!({
                    "reason": "server",
                    "status": status,
                    "server_message": message,
                    "retryable": retryable,
                }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of(e: &CommandError) -> serde_json::Value {
        serde_json::to_value(e).unwrap_or_default()
    }

    #[test]
    fn serializes_as_the_servers_error_body() {
        let e = CommandError::from(ClientError::Invalid(vec![FieldError::new("description", "required")]));
        assert_eq!(
            json_of(&e),
            json!({
                "code": "validation_failed",
                "message": ErrorCode::ValidationFailed.message(),
                "details": [{ "field": "description", "problem": "required" }],
            })
        );
        let back: ErrorBody =
            serde_json::from_value(json_of(&e)).unwrap_or_else(|_| ErrorBody::new(ErrorCode::Internal));
        assert_eq!(back.code, ErrorCode::ValidationFailed);
    }

    #[test]
    fn no_network_says_so_and_is_retryable() {
        let e = CommandError::from(ClientError::Remote(RemoteError::Network("connection refused".into())));
        let v = json_of(&e);
        assert_eq!(v["code"], "internal");
        assert_eq!(v["context"]["reason"], "network");
        assert_eq!(v["context"]["retryable"], true);
    }

    #[test]
    fn the_servers_code_and_details_are_kept() {
        let e = CommandError::from(ClientError::Remote(RemoteError::Status {
            status: 401,
            code: Some("invalid_credentials".into()),
            message: "User name or password is wrong.".into(),
            details: vec![],
            retry_after: None,
        }));
        assert_eq!(e.code(), ErrorCode::InvalidCredentials);
        let unknown = CommandError::from(ClientError::Remote(RemoteError::Status {
            status: 409,
            code: Some("something_new".into()),
            message: String::new(),
            details: vec![FieldError::new("to", "x")],
            retry_after: None,
        }));
        assert_eq!(unknown.code(), ErrorCode::Conflict);
        assert_eq!(unknown.body().details.len(), 1);
    }

    #[test]
    fn the_second_factors_errors_keep_their_codes() {
        // The field login shows the code field on `totp_required` and stays on it for `invalid_totp`.
        assert_eq!(
            CommandError::from(ClientError::TotpRequired).code(),
            ErrorCode::TotpRequired
        );
        assert_eq!(
            CommandError::from(ClientError::InvalidTotp).code(),
            ErrorCode::InvalidTotp
        );
        let v = json_of(&CommandError::from(ClientError::TotpRequired));
        assert_eq!(v["message"]["de"], ErrorCode::TotpRequired.message().de);
    }

    #[test]
    fn outside_names_the_nearest_municipality() {
        let e = CommandError::from(ClientError::OutsideMunicipalities {
            nearest: "Flensburg".into(),
            distance_m: 1234.4,
        });
        let v = json_of(&e);
        assert_eq!(v["code"], "outside_service_area");
        assert_eq!(v["context"]["nearest"]["name"], "Flensburg");
        assert_eq!(v["context"]["distance_m"], 1234.0);
    }
}
