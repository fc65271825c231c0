//! Server answers and what they mean for the report a request was about.

use std::time::Duration;

/// What came back for one request, as both transports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The server accepted the request.
    Ok,
    /// No usable answer: no connection, the connection was cut, or the answer could not
    /// be read (a captive portal's page, a truncated body). The request may have arrived.
    Network,
    /// The server answered with an error status.
    Status {
        /// HTTP status.
        status: u16,
        /// The API's error code (`validation_failed`, `unknown_blob`, …), if the body was an
        /// API error.
        code: Option<String>,
        /// The server's explanation (German on the page, as given elsewhere).
        message: String,
        /// Field errors from the body's `details`: (field, problem).
        details: Vec<(String, String)>,
        /// From `Retry-After`.
        retry_after: Option<Duration>,
    },
}

/// What to do with the report a request was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The server has it: done.
    Accepted,
    /// Nothing is wrong with the report; try again at a later flush (after the server's
    /// `Retry-After` where it gave one).
    RetryLater {
        /// How long the server asked us to wait.
        after: Option<Duration>,
    },
    /// The server no longer knows this device (its registration expired, or the server
    /// was restored from an older backup): register again, then send the report again.
    /// Not a verdict on the report.
    RegisterAgain,
    /// The server lacks a photo the device believed it had sent: upload the report's
    /// photos again (checking each first) and submit once more in the same flush.
    UploadPhotosAgain,
    /// The server refuses the report for good as it is; the user reads why and corrects
    /// or discards it. It is not sent again.
    Refused {
        /// The reason as the user reads it ([`refusal_reason`]).
        reason: String,
    },
}

/// Submit rounds in one flush: a second one only after [`Verdict::UploadPhotosAgain`].
pub const SUBMIT_ROUNDS: u8 = 2;

/// Whether trying again later can succeed: no usable answer, a server error (5xx), too
/// many requests (429) or a request timeout (408). The server sends a JSON error body
/// with these too: the body does not make them final.
pub fn is_transient(a: &Answer) -> bool {
    match a {
        Answer::Ok => false,
        Answer::Network => true,
        Answer::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
    }
}

/// Whether the server no longer knows the device's token (401): the device registers
/// again and repeats the request. Nothing stored on the device is lost by that.
pub fn needs_registration(a: &Answer) -> bool {
    matches!(a, Answer::Status { status: 401, .. })
}

/// The verdict on any request made for a queued item (a report's photo, a reply): 401
/// registers again; transient failures retry later; any other refusal is final for it.
pub fn judge_request(a: &Answer) -> Verdict {
    match a {
        Answer::Ok => Verdict::Accepted,
        a if needs_registration(a) => Verdict::RegisterAgain,
        Answer::Network => Verdict::RetryLater { after: None },
        Answer::Status { retry_after, .. } if is_transient(a) => Verdict::RetryLater { after: *retry_after },
        Answer::Status {
            code, message, details, ..
        } => Verdict::Refused {
            reason: refusal_reason(code.as_deref(), message, details),
        },
    }
}

/// The verdict on uploading one of a report's photos. A photo the server refuses (too
/// large, not an image) refuses the report: it cannot be sent as it is.
pub fn judge_photo_upload(a: &Answer) -> Verdict {
    judge_request(a)
}

/// The verdict on submitting a report in `round` (0 first, see [`SUBMIT_ROUNDS`]).
///
/// `unknown_blob` (the server lacks one of the report's photos although something
/// answered "stored", e.g. a captive portal or a server restored from a backup) asks for
/// the photos again in round 0. In a later round the server lacks a photo it was just
/// given: the report itself is fine, so it is kept for the next flush (RetryLater), never
/// refused for a fault of the way in between.
pub fn judge_submit(a: &Answer, round: u8) -> Verdict {
    match a {
        Answer::Status { code: Some(code), .. } if code == "unknown_blob" && !needs_registration(a) => {
            if round == 0 {
                Verdict::UploadPhotosAgain
            } else {
                Verdict::RetryLater { after: None }
            }
        }
        _ => judge_request(a),
    }
}

/// A refusal as the user reads it, in the app, on the command line and on the page: the
/// server's message, its code in brackets (the UI picks its explanation by the code,
/// e.g. `unknown_category`), and the fields it names.
///
/// `Dieser Ort liegt außerhalb (location_outside) [location: outside]`.
pub fn refusal_reason(code: Option<&str>, message: &str, details: &[(String, String)]) -> String {
    let mut reason = message.trim().to_owned();
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        if !reason.is_empty() {
            reason.push(' ');
        }
        reason.push('(');
        reason.push_str(code);
        reason.push(')');
    }
    if !details.is_empty() {
        let fields: Vec<String> = details.iter().map(|(f, p)| format!("{f}: {p}")).collect();
        if !reason.is_empty() {
            reason.push(' ');
        }
        reason.push('[');
        reason.push_str(&fields.join(", "));
        reason.push(']');
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, code: Option<&str>) -> Answer {
        Answer::Status {
            status,
            code: code.map(str::to_owned),
            message: "Nachricht".to_owned(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    fn refused(code: &str) -> Verdict {
        Verdict::Refused {
            reason: format!("Nachricht ({code})"),
        }
    }

    const LATER: Verdict = Verdict::RetryLater { after: None };

    /// Every answer a submit can get, in both rounds.
    #[test]
    fn submit_verdicts() {
        let rows: Vec<(Answer, u8, Verdict)> = vec![
            (Answer::Ok, 0, Verdict::Accepted),
            (Answer::Ok, 1, Verdict::Accepted),
            (Answer::Network, 0, LATER),
            (Answer::Network, 1, LATER),
            // The drifted cases: the server's errors always carry a JSON body, which the
            // page took for a verdict on the report (issue 19).
            (status(500, Some("internal")), 0, LATER),
            (status(503, Some("unavailable")), 0, LATER),
            (status(429, Some("rate_limited")), 0, LATER),
            (status(408, None), 0, LATER),
            (status(502, None), 1, LATER),
            // A restored server forgot the device: not a verdict on the report.
            (status(401, Some("unauthorized")), 0, Verdict::RegisterAgain),
            (status(401, Some("unauthorized")), 1, Verdict::RegisterAgain),
            (status(401, None), 0, Verdict::RegisterAgain),
            (status(422, Some("unknown_blob")), 0, Verdict::UploadPhotosAgain),
            (status(422, Some("unknown_blob")), 1, LATER),
            (status(422, Some("validation_failed")), 0, refused("validation_failed")),
            (status(422, Some("unknown_category")), 1, refused("unknown_category")),
            (status(409, Some("conflict")), 0, refused("conflict")),
            (status(403, Some("forbidden")), 0, refused("forbidden")),
            (
                status(400, None),
                0,
                Verdict::Refused {
                    reason: "Nachricht".into(),
                },
            ),
        ];
        for (answer, round, expected) in rows {
            assert_eq!(judge_submit(&answer, round), expected, "{answer:?} in round {round}");
        }
    }

    #[test]
    fn photo_upload_verdicts() {
        let rows: Vec<(Answer, Verdict)> = vec![
            (Answer::Ok, Verdict::Accepted),
            (Answer::Network, LATER),
            (status(500, Some("internal")), LATER),
            (status(429, Some("rate_limited")), LATER),
            (status(401, Some("unauthorized")), Verdict::RegisterAgain),
            (status(413, Some("too_large")), refused("too_large")),
            (status(415, Some("not_an_image")), refused("not_an_image")),
            // Only a submit asks for the photos again.
            (status(422, Some("unknown_blob")), refused("unknown_blob")),
        ];
        for (answer, expected) in rows {
            assert_eq!(judge_photo_upload(&answer), expected, "{answer:?}");
        }
    }

    #[test]
    fn retry_after_is_passed_on() {
        let busy = Answer::Status {
            status: 429,
            code: Some("rate_limited".into()),
            message: "Zu viele Anfragen".into(),
            details: Vec::new(),
            retry_after: Some(Duration::from_secs(7)),
        };
        assert_eq!(
            judge_submit(&busy, 0),
            Verdict::RetryLater {
                after: Some(Duration::from_secs(7))
            }
        );
    }

    #[test]
    fn transient_answers() {
        for (answer, transient) in [
            (Answer::Ok, false),
            (Answer::Network, true),
            (status(500, None), true),
            (status(599, None), true),
            (status(429, None), true),
            (status(408, None), true),
            (status(401, None), false),
            (status(404, None), false),
            (status(422, Some("unknown_blob")), false),
        ] {
            assert_eq!(is_transient(&answer), transient, "{answer:?}");
        }
    }

    #[test]
    fn one_wording_for_refusals() {
        let details = vec![
            ("answers.groesse".to_owned(), "not_an_option".to_owned()),
            ("description".to_owned(), "too_long".to_owned()),
        ];
        /// (code, message, details, what the user reads)
        type Row<'a> = (Option<&'a str>, &'a str, &'a [(String, String)], &'a str);
        let rows: Vec<Row<'_>> = vec![
            (
                Some("validation_failed"),
                "Angaben ungültig",
                &details,
                "Angaben ungültig (validation_failed) [answers.groesse: not_an_option, description: too_long]",
            ),
            (
                Some("unknown_category"),
                " Kategorie unbekannt ",
                &[],
                "Kategorie unbekannt (unknown_category)",
            ),
            (None, "Bad Request", &[], "Bad Request"),
            (Some(""), "Bad Request", &[], "Bad Request"),
            (Some("conflict"), "", &[], "(conflict)"),
            (None, "", &details[..1], "[answers.groesse: not_an_option]"),
        ];
        for (code, message, details, expected) in rows {
            assert_eq!(refusal_reason(code, message, details), expected);
        }
    }
}
