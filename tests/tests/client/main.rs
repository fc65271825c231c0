//! The client against real server processes on 127.0.0.1: offline queueing, exactly-once
//! delivery, field work, crashes of either side, a flaky network, bad input, reports
//! in an Amt's Gemeinden or mailed to an administration not on the platform, the
//! citizen's data protection rights (export, withdrawal, erasure), and a field worker's
//! second factor at sign-in.

mod administrations;
mod backup;
mod bad_input;
mod crashes;
mod deployment;
mod end_to_end;
mod flaky_network;
mod following;
mod mail_updates;
mod privacy;
mod refused;
mod scale_out;
mod second_factor;
mod staff_municipalities;
mod support;
