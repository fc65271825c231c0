//! The `augenmerk-server` binary; the command line itself is [`augenmerk_server::cli`].

fn main() -> anyhow::Result<()> {
    augenmerk_server::cli::main()
}
