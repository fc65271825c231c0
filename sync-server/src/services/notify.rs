//! What the services need to queue mails with a change: the municipality's mail
//! context and the people involved (the mails themselves are `mail::events`).

use augenmerk_domain::report::Report;
use augenmerk_domain::staff::StaffUser;

use crate::mail::events::MailContext;
use crate::state::{AppState, Tenant};

/// The mail context of a municipality on this server.
pub fn context(state: &AppState, tenant: &Tenant) -> MailContext {
    let public_url = state.settings.public_base_url(state.settings.listen);
    MailContext::new(tenant, &public_url, &state.settings.mail.from)
}

/// The person a report is assigned to, if any (a vanished account: none).
pub async fn assignee(state: &AppState, report: &Report) -> Option<StaffUser> {
    let id = report.assignee?;
    state.store.get_user(&report.municipality, &id).await.ok()
}
