//! Integration tests of the sync server's HTTP API, each against a real server on
//! 127.0.0.1 with its own data directory (see [`helpers::spawn_app`]).
#![allow(clippy::unwrap_used)]

mod amt;
mod api_keys;
mod area_import;
mod audit;
mod bad_input;
mod border_confirmation;
mod branding;
mod category_editing;
mod exif;
mod follow;
mod forwarding;
mod free_text;
mod geocode;
mod headers;
mod helpers;
mod idempotency;
mod inbox_area;
mod intake_validation;
mod leaks;
mod leaks_staff;
mod mail;
mod messages;
mod metrics;
mod nearby;
mod open311;
mod open311_address;
mod open311_georeport;
mod open311_media;
mod open_data;
mod open_data_rdf;
mod photo_limits;
mod privacy;
mod process;
mod public_map;
mod public_policy;
mod reply_templates;
mod responsibility;
mod routing;
mod security_limits;
mod server_photos;
mod sessions;
mod statistics;
mod tenancy;
mod web_ui;
