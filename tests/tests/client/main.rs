//! The client against real server processes on 127.0.0.1: offline queueing, exactly-once
//! delivery, field work, crashes of either side, a flaky network, bad input, and reports
//! in an Amt's Gemeinden or mailed to an administration not on the platform.

mod administrations;
mod bad_input;
mod crashes;
mod end_to_end;
mod flaky_network;
mod following;
mod mail_updates;
#[path = "../common/receipt.rs"]
mod receipt;
mod refused;
mod support;
