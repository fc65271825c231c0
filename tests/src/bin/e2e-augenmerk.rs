//! The `augenmerk` command line built inside this package, so the end-to-end tests can
//! run and kill it as a process.

fn main() -> std::process::ExitCode {
    augenmerk_client::cli::main()
}
