//! Error codes of the API: stable machine-readable codes with German and English messages.
//!
//! Every error a client can receive has a code from [`ErrorCode`]; its HTTP status and
//! its messages are defined here once, so the server, the CLI and the UI agree.

use serde::{Deserialize, Serialize};

use crate::i18n::I18nText;

/// One problem with one field of a request (e.g. `answers.groesse` / `not_an_option`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{field}: {problem}")]
pub struct FieldError {
    /// The field, as a dotted path into the request.
    pub field: String,
    /// A stable code for the problem (`required`, `wrong_type`, `too_long`, …).
    pub problem: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// The stable error codes of the native API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON or does not have the expected shape.
    MalformedRequest,
    /// One or more fields are invalid; `details` lists them.
    ValidationFailed,
    /// The category does not exist in the municipality's tree.
    UnknownCategory,
    /// A referenced photo has not been uploaded.
    UnknownBlob,
    /// The location lies outside every municipality served, beyond the tolerance.
    OutsideServiceArea,
    /// The blob's bytes do not hash to the address it was uploaded to.
    HashMismatch,
    /// The blob is not a JPEG, PNG or WebP image.
    UnsupportedMediaType,
    /// The image is larger than allowed.
    ImageTooLarge,
    /// The request body is larger than allowed.
    PayloadTooLarge,
    /// No valid credentials were sent.
    Unauthorized,
    /// The credentials are valid but do not allow this.
    Forbidden,
    /// Login name or password are wrong.
    InvalidCredentials,
    /// Too many attempts; try again later.
    RateLimited,
    /// Nothing with this id exists (or it belongs to another municipality).
    NotFound,
    /// The requested status change is not allowed from the current status.
    IllegalTransition,
    /// The request conflicts with the current state (e.g. an id reused for other content).
    Conflict,
    /// The server failed; nothing was changed.
    Internal,
    /// The server is busy with photos (or the photo took too long); try again later.
    ServerBusy,
    /// The device uploaded as many photos (or bytes) as allowed per day.
    QuotaExceeded,
    /// The device follows as many reports as allowed.
    FollowLimitReached,
    /// The report was withdrawn by the citizen; its id cannot be used again.
    Withdrawn,
    /// No geocoder is configured on this server: address search is not offered.
    NoGeocoder,
    /// The geocoder did not answer in time or answered with an error.
    GeocoderUnavailable,
    /// The geocoder found no place for the address.
    AddressNotFound,
    /// The account has a second factor: send its code (`totp`) with the sign-in.
    TotpRequired,
    /// The code (or recovery code) is wrong or used up.
    InvalidTotp,
    /// The account must set up its second factor before anything else.
    TotpEnrolmentRequired,
}

impl ErrorCode {
    /// The HTTP status code that goes with this error.
    pub fn http_status(self) -> u16 {
        match self {
            Self::MalformedRequest => 400,
            Self::ValidationFailed | Self::UnknownCategory | Self::UnknownBlob => 422,
            Self::OutsideServiceArea => 422,
            Self::HashMismatch => 400,
            Self::UnsupportedMediaType => 415,
            Self::ImageTooLarge | Self::PayloadTooLarge => 413,
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden => 403,
            Self::RateLimited => 429,
            Self::NotFound => 404,
            Self::IllegalTransition | Self::Conflict => 409,
            Self::Internal => 500,
            Self::ServerBusy => 503,
            Self::QuotaExceeded => 429,
            Self::FollowLimitReached => 409,
            Self::Withdrawn => 410,
            Self::NoGeocoder | Self::AddressNotFound => 404,
            Self::TotpRequired | Self::InvalidTotp => 401,
            Self::TotpEnrolmentRequired => 403,
            Self::GeocoderUnavailable => 502,
        }
    }

    /// The message for this error in German and English.
    pub fn message(self) -> I18nText {
        let (de, en) = match self {
            Self::MalformedRequest => (
                "Die Anfrage ist fehlerhaft und konnte nicht gelesen werden.",
                "The request is malformed and could not be read.",
            ),
            Self::ValidationFailed => (
                "Einige Angaben sind ungültig; bitte prüfen Sie die markierten Felder.",
                "Some fields are invalid; please check the fields listed.",
            ),
            Self::UnknownCategory => (
                "Diese Kategorie gibt es in dieser Gemeinde nicht.",
                "This category does not exist in this municipality.",
            ),
            Self::UnknownBlob => (
                "Ein Foto wurde noch nicht hochgeladen; bitte laden Sie es zuerst hoch.",
                "A photo has not been uploaded yet; upload it first.",
            ),
            Self::OutsideServiceArea => (
                "Der Ort liegt außerhalb aller hier betreuten Gemeinden.",
                "The location lies outside every municipality served here.",
            ),
            Self::HashMismatch => (
                "Der Inhalt passt nicht zur angegebenen Prüfsumme.",
                "The content does not match the given checksum.",
            ),
            Self::UnsupportedMediaType => (
                "Nur Fotos im Format JPEG, PNG oder WebP werden angenommen.",
                "Only JPEG, PNG or WebP photos are accepted.",
            ),
            Self::ImageTooLarge => ("Das Bild ist zu groß.", "The image is too large."),
            Self::PayloadTooLarge => ("Die Anfrage ist zu groß.", "The request is too large."),
            Self::Unauthorized => (
                "Bitte melden Sie sich an (fehlender oder abgelaufener Zugang).",
                "Please sign in (missing or expired credentials).",
            ),
            Self::Forbidden => ("Dafür fehlt Ihnen die Berechtigung.", "You are not allowed to do this."),
            Self::InvalidCredentials => (
                "Benutzername oder Passwort ist falsch.",
                "User name or password is wrong.",
            ),
            Self::RateLimited => (
                "Zu viele Versuche; bitte warten Sie kurz.",
                "Too many attempts; please wait a moment.",
            ),
            Self::NotFound => ("Nicht gefunden.", "Not found."),
            Self::IllegalTransition => (
                "Dieser Statuswechsel ist im aktuellen Status nicht erlaubt.",
                "This status change is not allowed from the current status.",
            ),
            Self::Conflict => (
                "Die Anfrage widerspricht dem aktuellen Stand.",
                "The request conflicts with the current state.",
            ),
            Self::Internal => (
                "Interner Fehler; es wurde nichts geändert. Bitte später erneut versuchen.",
                "Internal error; nothing was changed. Please try again later.",
            ),
            Self::ServerBusy => (
                "Der Server ist gerade ausgelastet; bitte versuchen Sie es in Kürze erneut.",
                "The server is busy right now; please try again shortly.",
            ),
            Self::QuotaExceeded => (
                "Von diesem Gerät wurden heute schon so viele Fotos hochgeladen wie erlaubt; bitte versuchen Sie es morgen erneut.",
                "This device has uploaded as many photos today as allowed; please try again tomorrow.",
            ),
            Self::FollowLimitReached => (
                "Sie verfolgen bereits so viele Meldungen wie möglich; beenden Sie das Verfolgen einer anderen zuerst.",
                "You already follow as many reports as allowed; stop following another one first.",
            ),
            Self::Withdrawn => (
                "Diese Meldung wurde zurückgezogen; ihre Daten sind gelöscht.",
                "This report was withdrawn; its data has been erased.",
            ),
            Self::NoGeocoder => (
                "Die Adresssuche ist auf diesem Server nicht eingerichtet; bitte wählen Sie den Ort auf der Karte.",
                "Address search is not set up on this server; please pick the place on the map.",
            ),
            Self::GeocoderUnavailable => (
                "Die Adresssuche antwortet gerade nicht; bitte wählen Sie den Ort auf der Karte oder versuchen Sie es später erneut.",
                "Address search is not answering right now; please pick the place on the map or try again later.",
            ),
            Self::AddressNotFound => (
                "Zu dieser Adresse wurde kein Ort gefunden; bitte prüfen Sie die Schreibweise oder wählen Sie den Ort auf der Karte.",
                "No place was found for this address; please check the spelling or pick the place on the map.",
            ),
            Self::TotpRequired => (
                "Bitte geben Sie den Code aus Ihrer Authenticator-App ein.",
                "Please enter the code from your authenticator app.",
            ),
            Self::InvalidTotp => (
                "Der Code ist falsch oder abgelaufen.",
                "The code is wrong or has expired.",
            ),
            Self::TotpEnrolmentRequired => (
                "Bitte richten Sie zuerst die Zwei-Faktor-Anmeldung ein.",
                "Please set up two-factor sign-in first.",
            ),
        };
        I18nText::new(de, en)
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human-readable message in German and English.
    pub message: I18nText,
    /// Field-level problems, where there are any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
    /// Extra facts for the client (e.g. the nearest municipality, the allowed transitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub context: Option<serde_json::Value>,
}

impl ErrorBody {
    /// An error body with the code's standard message.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: code.message(),
            details: Vec::new(),
            context: None,
        }
    }

    /// Adds field-level problems.
    pub fn with_details(mut self, details: Vec<FieldError>) -> Self {
        self.details = details;
        self
    }

    /// Adds context for the client.
    pub fn with_context(mut self, context: serde_json::Value) -> Self {
        self.context = Some(context);
        self
    }
}
