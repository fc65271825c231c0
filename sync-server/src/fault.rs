//! Fault injection for the crash tests, off unless `AUGENMERK_FAULT` is set.
//!
//! `AUGENMERK_FAULT=exit_after_send` ends the process right after the SMTP server
//! accepted a mail and before the outbox marks it sent: the one window in which a crash
//! sends a mail twice (tests/tests/api/mail/delivery.rs shows what happens then).

/// Called between a mail's 250 and its sent mark.
pub fn after_send() {
    if std::env::var("AUGENMERK_FAULT").as_deref() == Ok("exit_after_send") {
        tracing::error!("AUGENMERK_FAULT=exit_after_send: exiting between send and sent mark");
        std::process::exit(86);
    }
}
