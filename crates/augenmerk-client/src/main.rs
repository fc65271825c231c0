//! The `augenmerk` command line; see [`augenmerk_client::cli`].

fn main() -> std::process::ExitCode {
    augenmerk_client::cli::main()
}
