//! `augenmerk-server` built inside this package, so the end-to-end tests can start and
//! kill it as a process (Cargo only names binaries of a test's own package).

fn main() -> anyhow::Result<()> {
    augenmerk_server::cli::main()
}
