//! The citizen's side of a case: whether they gave an e-mail address and get updates by
//! mail (the address itself only where the server sends it: for roles that need it), and
//! whether their messages wait for an answer ([`awaiting_reply_since`], the inbox's
//! definition: a citizen message is unanswered until a staff message to the citizen
//! follows it; internal notes do not answer).

use leptos::prelude::*;

use augenmerk_domain::MessageId;
use augenmerk_domain::mail::MailUpdates;
use augenmerk_domain::public::MessageAuthor;
use augenmerk_domain::staff::{StaffMessage, StaffReportDetail};
use augenmerk_domain::triage::awaiting_reply_since;

use crate::format;
use crate::i18n::use_i18n;

/// The citizen messages no staff message answered yet, oldest first.
pub(super) fn unanswered(messages: &[StaffMessage]) -> Vec<MessageId> {
    let Some(since) = awaiting_reply_since(messages) else {
        return Vec::new();
    };
    let first = messages
        .iter()
        .position(|m| m.author == MessageAuthor::Citizen && m.created_at == since)
        .unwrap_or(messages.len());
    messages[first..]
        .iter()
        .filter(|m| m.author == MessageAuthor::Citizen)
        .map(|m| m.id)
        .collect()
}

fn mail_updates_key(m: MailUpdates) -> &'static str {
    match m {
        MailUpdates::None => "c-citizen-mail-none",
        MailUpdates::Unconfirmed => "c-citizen-mail-unconfirmed",
        MailUpdates::On => "c-citizen-mail-on",
        MailUpdates::Off => "c-citizen-mail-off",
    }
}

/// The card.
pub(super) fn citizen_card(d: &StaffReportDetail) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let c = d.citizen.clone();
    let waiting = unanswered(&d.messages).len();
    let since = awaiting_reply_since(&d.messages);
    let mail_state = match c.mail_updates {
        MailUpdates::None => "none",
        MailUpdates::Unconfirmed => "unconfirmed",
        MailUpdates::On => "on",
        MailUpdates::Off => "off",
    };
    view! {
        <section class="console-card" aria-labelledby="case-citizen-h" data-testid="case-citizen">
            <h2 class="console-card__title" id="case-citizen-h">{i18n.t("c-citizen-title")}</h2>
            <dl class="case-facts case-facts--stacked">
                <div>
                    <dt>{i18n.t("c-citizen-email")}</dt>
                    <dd data-testid="citizen-email" data-given=c.email_given.to_string()>
                        {match (&c.email, c.email_given) {
                            (Some(address), _) => address.clone(),
                            (None, true) => i18n.t("c-citizen-email-hidden"),
                            (None, false) => i18n.t("c-citizen-email-none"),
                        }}
                    </dd>
                </div>
                <div>
                    <dt>{i18n.t("c-citizen-mail-updates")}</dt>
                    <dd data-testid="citizen-mail-updates" data-state=mail_state>{i18n.t(mail_updates_key(c.mail_updates))}</dd>
                </div>
                <div>
                    <dt>{i18n.t("c-citizen-waiting")}</dt>
                    <dd data-testid="citizen-waiting" data-count=waiting.to_string()>
                        {match since {
                            Some(at) => i18n.t_args("c-citizen-waiting-since", &[
                                ("count", (waiting as f64).into()),
                                ("since", format::date_time(lang, at).into()),
                            ]),
                            None => i18n.t("c-citizen-waiting-none"),
                        }}
                    </dd>
                </div>
            </dl>
        </section>
    }
}
