//! Intake benchmark (see the README).
fn main() {}
