//! Errors of the client library.

use std::time::Duration;

use augenmerk_domain::error::FieldError;
use augenmerk_sync::Answer;

/// Result of the client library.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// What went wrong on the device.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The local database failed.
    #[error("local database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A file in the data directory could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What we were doing.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The photo was not accepted (not an image, too large, broken).
    #[error(transparent)]
    Photo(#[from] augenmerk_anon::AnonError),
    /// The database was written by a newer version; it is left untouched.
    #[error(
        "the local database has schema version {found}, but this version of Augenmerk knows only up to {known}; \
         update the app (nothing was changed)"
    )]
    NewerDatabase {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A report or action did not pass validation; nothing was queued.
    #[error("invalid: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The category is not in the municipality's tree.
    #[error("unknown category {category} for municipality {municipality}")]
    UnknownCategory {
        /// The category asked for.
        category: String,
        /// The municipality.
        municipality: String,
    },
    /// The location lies outside every municipality served by the server.
    #[error(
        "the location lies outside every municipality served here; the nearest is {nearest} ({distance_m:.0} m away)"
    )]
    OutsideMunicipalities {
        /// Name of the nearest municipality.
        nearest: String,
        /// Distance to its boundary.
        distance_m: f64,
    },
    /// No configuration is cached yet.
    #[error("no municipality configuration is cached yet; sync once while online")]
    NoConfiguration,
    /// Another sync of the same data directory is running.
    #[error("another sync of this data directory is running")]
    SyncBusy,
    /// A field-worker command needs a staff login.
    #[error("not logged in as staff (run `login` first)")]
    NotLoggedIn,
    /// Name and password were right, but the account has a second factor and no code was
    /// sent: sign in again with the code of the authenticator app (or a recovery code).
    #[error("this account signs in with a second factor: give the code of the authenticator app or a recovery code")]
    TotpRequired,
    /// The code sent at sign-in is wrong, expired, or was used already (each code and
    /// each recovery code counts once).
    #[error("the code is wrong, expired or was used already; give the current code of the authenticator app")]
    InvalidTotp,
    /// The server URL is missing or not usable.
    #[error("server address: {0}")]
    Server(String),
    /// No such local object.
    #[error("not found: {0}")]
    NotFound(String),
    /// Data could not be encoded for the local database.
    #[error("encoding local data: {0}")]
    Encoding(#[from] serde_json::Error),
    /// Talking to the server failed: it refused the request or could not be reached.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// What was asked needs the server, which cannot be reached; nothing was changed.
    #[error("{action} needs a connection to the server, which cannot be reached ({cause}); nothing was changed")]
    Offline {
        /// What was asked, e.g. "exporting your data".
        action: &'static str,
        /// Why the server could not be reached.
        cause: String,
    },
    /// A status change was asked for a case as it was shown, but it moved on this device
    /// meanwhile (another queued transition); nothing was queued.
    #[error("the case is {} here, not {} as shown; nothing was queued", .current.as_str(), .expected.as_str())]
    CaseMoved {
        /// The status the user saw.
        expected: augenmerk_domain::Status,
        /// The status on this device now.
        current: augenmerk_domain::Status,
    },
    /// The municipality already works on the report: it can no longer be withdrawn.
    #[error("the municipality is already handling this report; it can no longer be withdrawn")]
    AlreadyHandled,
    /// Nothing was ever sent from this device (it has no registration): nothing to export.
    #[error("nothing has been sent from this device yet; there is nothing to export")]
    NothingSent,
    /// The server no longer knows this device (its registration expired after a long time
    /// without use), so it cannot tell which reports the device sent.
    #[error(
        "the server no longer knows this device (its registration expired after long inactivity); \
         use the status link from the receipt mail or erasure by e-mail address"
    )]
    DeviceExpired,
}

impl ClientError {
    /// Wraps an I/O error with what we were doing.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} ({})", e.field, e.problem))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What came back from the server instead of the answer we wanted: an error answer it
/// sent, an answer we cannot read, or no answer at all (the connection failed).
///
/// The error *received* from the server; the server's own `ApiError` is the error it *sends*.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RemoteError {
    /// No answer: connection reset or timed out (the request may have arrived).
    #[error("network: {0}")]
    Network(String),
    /// No connection could be made (refused, no route, no name): the request surely did
    /// not reach the server.
    #[error("network: {0}")]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("server answered {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Status {
        /// HTTP status.
        status: u16,
        /// The API's error code, if the body was an API error.
        code: Option<String>,
        /// The server's explanation (English) or the start of the body.
        message: String,
        /// The body's `details` (field errors), if any.
        details: Vec<FieldError>,
        /// From `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The server answered something that is not what the API promises.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
}

impl RemoteError {
    /// Whether trying again later can succeed (the queue must be kept in any case); the
    /// sync engine decides ([`augenmerk_sync::is_transient`]).
    pub fn is_transient(&self) -> bool {
        augenmerk_sync::is_transient(&Answer::from(self))
    }

    /// Whether the server no longer knows the device's token (see
    /// [`augenmerk_sync::needs_registration`]).
    pub fn needs_registration(&self) -> bool {
        augenmerk_sync::needs_registration(&Answer::from(self))
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API error code, if the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// How long the server asked us to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The answer as the sync engine judges it: any failure to get a readable answer is
/// [`Answer::Network`] (an unreadable one may come from a captive portal, not the server).
impl From<&RemoteError> for Answer {
    fn from(e: &RemoteError) -> Self {
        match e {
            RemoteError::Network(_) | RemoteError::Unreachable(_) | RemoteError::Protocol(_) => Self::Network,
            RemoteError::Status {
                status,
                code,
                message,
                details,
                retry_after,
            } => Self::Status {
                status: *status,
                code: code.clone(),
                message: message.clone(),
                details: details.iter().map(|d| (d.field.clone(), d.problem.clone())).collect(),
                retry_after: *retry_after,
            },
        }
    }
}

impl From<RemoteError> for Answer {
    fn from(e: RemoteError) -> Self {
        Self::from(&e)
    }
}
