//! The storage story: every [`Store`](augenmerk_store::Store) method, exercised through
//! `&dyn Store` so that any backend can run the same story. Each test opens a fresh SQLite
//! database in its own temporary directory; the tests in [`sqlite`] are specific to SQLite
//! (migrations, reopening).
//!
//! One module per area of the store: [`configuration`] (boundaries, municipalities, their
//! configuration), [`accounts`] (staff accounts, sessions, devices), [`photos`] (blobs and
//! upload quotas), [`reports`] (intake, tenancy, updates, messages, notes, the device feed,
//! follows), [`inbox`] (the staff inbox's filters, counts and nearby reports); the story's
//! own fixtures are in [`fixtures`], those shared with the other store tests in `common`.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod configuration;
mod duplicates;
mod fixtures;
mod inbox;
mod photos;
mod reports;
mod sqlite;
mod triage;
