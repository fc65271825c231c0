//! Forwarding reports to external authorities by Open311: the POST of a forwarded
//! report ([`open311`]) and the polling of the authority's updates ([`poll`]).
//! Forwarding by mail is an ordinary mail (`mail::events`).

mod http;
pub mod open311;
pub mod poll;
