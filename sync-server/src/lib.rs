//! Augenmerk sync server.
