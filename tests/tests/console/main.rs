//! The staff console in headless Chromium against a real server (the demo: Flensburg):
//! a dispatcher handles a report created through the citizen API, an admin adds a rule
//! and sees the dry run pick it, the citizen's view shows the message and the status but
//! not the note; an admin drives every configuration section (departments, templates,
//! areas, rules, categories, appearance) and the console is used in English; axe-core on
//! every console screen; an Amt's admin works by Gemeinde and the platform admin keeps the
//! directory of administrations and creates tenants; an admin sets the retention policy and
//! the privacy notice, data protection executes an erasure request; staff choose what the
//! public map shows of a report and an admin configures the public map; working hours,
//! external authorities, Open311 API keys and the boundary are set in the console;
//! screenshots to
//! `docs/screenshots/console/`. Needs the built UI (`scripts/build-ui.sh`), Debian's
//! `chromium` and `chromium-driver`, and the anonymization models.

//!
//! The harness (server process, browser, axe, the citizen's steps and API) is the package's
//! library; `helpers` holds what only the console needs.

mod amt;
mod config;
mod config_screens;
mod duplicates;
mod flow;
mod handbook;
mod helpers;
mod mail_config;
mod oidc;
mod platform;
mod privacy;
mod publication;
mod sessions;
mod totp;
mod triage;
