//! Erasure by e-mail address: the citizen asks, a single-use link goes to the address,
//! opening it erases. Nobody learns from the answer whether an address has reports.

use chrono::{Duration, Utc};

use augenmerk_domain::audit::Actor;
use augenmerk_domain::mail::MailKind;
use augenmerk_domain::privacy::{ErasureReason, ErasureScope};
use augenmerk_domain::report::Email;
use augenmerk_domain::{Ags, Language};
use augenmerk_store::{JobKind, NewJob, StoreError};

use super::erase::{self, Request};
use crate::auth;
use crate::error::ApiError;
use crate::mail::compose::{Block, Content, t};
use crate::state::AppState;

/// How long a confirmation link works.
pub const LINK_HOURS: i64 = 24;

/// Mails a confirmation link if anything was sent with the address (at most one mail
/// per address and hour: the dedupe key of the job says so).
pub async fn request(state: &AppState, email: &Email, language: Language) -> Result<(), ApiError> {
    if state.store.reports_by_email(None, email).await?.is_empty()
        && state.store.count_alerts(email.as_str()).await? == 0
    {
        return Ok(());
    }
    let now = Utc::now();
    let token = auth::new_token();
    state
        .store
        .create_erasure_token(&auth::token_hash(&token), email, now + Duration::hours(LINK_HOURS))
        .await?;
    let public_url = state.settings.public_base_url(state.settings.listen);
    let public_url = public_url.trim_end_matches('/');
    let from = &state.settings.mail.from;
    let sender = crate::mail::administration::platform_sender(public_url);
    let url = format!("{public_url}/#/erase/{token}");
    let to = email.as_str().to_lowercase();
    let message_id = crate::mail::message_id(from);
    let mail = confirmation(language, &url).into_mail(MailKind::ErasureConfirmation, &to, &sender, message_id);
    let job = NewJob {
        kind: JobKind::Mail,
        municipality: Ags::parse(augenmerk_store::sqlite::PLATFORM_AGS).map_err(ApiError::internal)?,
        report: None,
        dedupe_key: format!("erasure:{to}:{}", now.format("%Y-%m-%dT%H")),
        tag: Some(MailKind::ErasureConfirmation.as_str().into()),
        recipient: Some(to),
        payload: serde_json::to_value(&mail).map_err(ApiError::internal)?,
        run_at: now,
    };
    state.store.enqueue_jobs(vec![job]).await?;
    state.mailer.wake();
    Ok(())
}

/// Uses a confirmation link: erases everything sent with its address, everywhere.
pub async fn confirm(state: &AppState, token: &str) -> Result<u32, ApiError> {
    let email = match state
        .store
        .take_erasure_token(&auth::token_hash(token), Utc::now())
        .await
    {
        Err(StoreError::NotFound) => return Err(ApiError::not_found()),
        other => other?,
    };
    let request = Request {
        scope: ErasureScope::Content,
        reason: ErasureReason::EmailRequest,
        actor: Actor::Citizen { device: None },
        reference: None,
        at: Utc::now(),
    };
    erase::erase_email(state, None, &email, &request).await
}

fn confirmation(lang: Language, url: &str) -> Content {
    Content {
        subject: t(
            lang,
            "Löschung Ihrer Daten bestätigen",
            "Confirm the erasure of your data",
        ),
        title: t(lang, "Ihre Daten löschen?", "Erase your data?"),
        blocks: vec![
            Block::Para(t(
                lang,
                "Jemand hat verlangt, alle Daten zu löschen, die mit dieser E-Mail-Adresse an den Mängelmelder \
                 geschickt wurden: E-Mail-Adresse, Beschreibungen, Nachrichten und Fotos. Die Meldungen selbst \
                 bleiben ohne Personenbezug für die Verwaltung erhalten.",
                "Someone asked to erase all data sent to the defect reporter with this e-mail address: the \
                 address, descriptions, messages and photos. The reports themselves remain for the \
                 administration without any personal reference.",
            )),
            Block::Link {
                label: t(lang, "Löschung bestätigen", "Confirm the erasure"),
                url: url.to_owned(),
            },
            Block::Para(t(
                lang,
                "Der Link gilt 24 Stunden und nur einmal. Wenn Sie das nicht verlangt haben, löschen Sie diese \
                 Mail einfach: Dann geschieht nichts.",
                "The link works for 24 hours and once. If you did not ask for this, simply delete this mail: \
                 then nothing happens.",
            )),
        ],
        footer: vec![t(
            lang,
            "Diese Mail kommt vom Mängelmelder Augenmerk, weil hier die Löschung für diese Adresse verlangt wurde.",
            "This mail comes from the Augenmerk defect reporter because the erasure was requested here for this address.",
        )],
    }
}
