//! Which database the servers of a test run use.
//!
//! By default the HTTP API suite (tests/tests/api, servers in the test process) runs on
//! PostgreSQL and the suites that start server processes (client, web, console, app) on
//! the embedded default, SQLite: so `cargo test --workspace` serves the whole API from
//! both backends without running any test twice (the store's own tests run every story on
//! both). `AUGENMERK_TEST_DATABASE=sqlite` or `=postgres` puts every suite on one backend.
//! PostgreSQL databases live in the test binary's throwaway cluster (`augenmerk-testenv`),
//! one per server.

/// The variable that switches the backend.
pub const SWITCH: &str = "AUGENMERK_TEST_DATABASE";

/// The backend the switch names, if it is set.
fn chosen() -> Option<bool> {
    match std::env::var(SWITCH) {
        Ok(v) if v == "postgres" => Some(true),
        Ok(v) if v == "sqlite" => Some(false),
        Ok(v) if v.is_empty() => None,
        Ok(v) => panic!("{SWITCH} must be sqlite or postgres, not {v:?}"),
        Err(_) => None,
    }
}

/// Whether servers started as processes use PostgreSQL (default: no).
pub fn postgres() -> bool {
    chosen().unwrap_or(false)
}

/// Whether the API suite's servers use PostgreSQL (default: yes).
pub fn postgres_for_api() -> bool {
    chosen().unwrap_or(true)
}

/// A new, empty PostgreSQL database of the shared cluster (a copy of `template` when
/// given), as a `database_url`.
pub fn postgres_database(template: Option<&str>) -> String {
    let cluster = augenmerk_testenv::pg::shared().expect("the test PostgreSQL cluster");
    // A template whose last connection is still closing cannot be copied yet: the server
    // waits up to 5 s for it, which a loaded machine can exceed.
    let mut last = None;
    for _ in 0..5 {
        match cluster.create_database(template) {
            Ok(url) => return url,
            Err(e) => last = Some(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("cannot create a database: {last:?}")
}

/// The PostgreSQL database of a server's data directory: a new one the first time a
/// directory is seen, the same one when a server is started on it again (as its SQLite
/// file would be).
pub fn postgres_database_of(data: &std::path::Path) -> String {
    static DATABASES: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, String>>> =
        std::sync::OnceLock::new();
    let mut known = DATABASES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    known
        .entry(data.to_owned())
        .or_insert_with(|| postgres_database(None))
        .clone()
}

/// A named database of the shared cluster (for a template), as a `database_url`.
pub fn postgres_named(name: &str) -> String {
    augenmerk_testenv::pg::shared()
        .expect("the test PostgreSQL cluster")
        .create_named(name)
        .expect("create the template database")
}

/// The database name of a URL of [`postgres_database`].
pub fn database_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default()
}

/// Runs SQL in a database of the shared cluster; what `psql` printed.
pub fn postgres_execute(url: &str, sql: &str) -> String {
    augenmerk_testenv::pg::shared()
        .expect("the test PostgreSQL cluster")
        .execute(database_name(url), sql)
        .expect("SQL in the test database")
}

/// Whether any row of any table of the database holds `needle` in its text.
pub fn postgres_rows_contain(url: &str, needle: &str) -> bool {
    let quoted = needle.replace('\'', "''");
    let query = postgres_execute(
        url,
        &format!(
            "SELECT string_agg(format('SELECT 1 FROM %I t WHERE strpos(t::text, %L) > 0', table_name, '{quoted}'),
                               ' UNION ALL ')
               FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ),
    );
    !postgres_execute(url, query.trim()).trim().is_empty()
}
