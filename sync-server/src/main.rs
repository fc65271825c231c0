//! The `augenmerk-server` binary.
fn main() {}
