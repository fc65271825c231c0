//! The decisions of a copy: table order, column plan, value conversion, rendering.

use std::collections::{BTreeMap, BTreeSet};

use super::*;

fn table(name: &str, columns: &[(&str, ColumnType, bool)], key: &[&str], references: &[&str]) -> PgTable {
    PgTable {
        name: name.into(),
        columns: columns.iter().map(|(n, t, i)| ((*n).to_owned(), *t, *i)).collect(),
        primary_key: key.iter().map(|k| (*k).to_owned()).collect(),
        references: references.iter().map(|r| (*r).to_owned()).collect::<BTreeSet<_>>(),
    }
}

fn sqlite(tables: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    tables
        .iter()
        .map(|(t, cs)| ((*t).to_owned(), cs.iter().map(|c| (*c).to_owned()).collect()))
        .collect()
}

#[test]
fn tables_follow_their_foreign_keys() {
    let tables = [
        table("notes", &[], &[], &["reports"]),
        table("reports", &[], &[], &["municipalities", "devices", "reports"]),
        table("devices", &[], &[], &[]),
        table("municipalities", &[], &[], &["elsewhere"]),
    ];
    assert_eq!(
        foreign_key_order(&tables),
        Ok(vec![
            "devices".into(),
            "municipalities".into(),
            "reports".into(),
            "notes".into()
        ])
    );
    let cycle = [table("a", &[], &[], &["b"]), table("b", &[], &[], &["a"])];
    assert!(foreign_key_order(&cycle).is_err_and(|e| e.contains("cycle")));
}

#[test]
fn the_plan_reads_rowid_for_identity_columns_sqlite_lacks_and_skips_postgres_tables() {
    let tables = vec![
        table(
            "messages",
            &[("seq", ColumnType::Int8, true), ("id", ColumnType::Text, false)],
            &["id"],
            &[],
        ),
        table("rate_limits", &[("key", ColumnType::Text, false)], &["key"], &[]),
    ];
    let plans = plan(tables, &sqlite(&[("messages", &["id"])])).expect("plan");
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].columns[0].source, "rowid");
    assert_eq!(plans[0].key, vec![1]);
    assert_eq!(
        plans[0].select_sqlite(),
        r#"SELECT rowid, "id" FROM "messages" ORDER BY "id" COLLATE BINARY"#
    );
    assert_eq!(
        plans[0].select_postgres(),
        r#"SELECT "seq", "id" FROM "messages" ORDER BY "id" COLLATE "C""#
    );
    assert_eq!(
        plans[0].copy_statement(),
        r#"COPY "messages" ("seq", "id") FROM STDIN (FORMAT binary)"#
    );
}

#[test]
fn the_plan_refuses_what_would_lose_data() {
    let tables = vec![table("reports", &[("id", ColumnType::Text, false)], &["id"], &[])];
    let extra_column = plan(tables.clone(), &sqlite(&[("reports", &["id", "secret"])]));
    assert!(extra_column.is_err_and(|e| e.contains("reports.secret")));
    let extra_table = plan(tables.clone(), &sqlite(&[("reports", &["id"]), ("other", &["x"])]));
    assert!(extra_table.is_err_and(|e| e.contains("other")));
    let missing = plan(tables, &sqlite(&[]));
    assert!(missing.is_err_and(|e| e.contains("reports is missing")));
    let unknown = vec![table("t", &[("at", ColumnType::Other, false)], &[], &[])];
    assert!(plan(unknown, &sqlite(&[("t", &["at"])])).is_err_and(|e| e.contains("t.at")));
}

#[test]
fn values_convert_by_the_target_type_without_change() {
    assert_eq!(convert(Cell::Int(1), ColumnType::Bool), Ok(PgValue::Bool(Some(true))));
    assert_eq!(convert(Cell::Int(0), ColumnType::Bool), Ok(PgValue::Bool(Some(false))));
    assert!(convert(Cell::Int(2), ColumnType::Bool).is_err());
    assert_eq!(convert(Cell::Null, ColumnType::Bool), Ok(PgValue::Bool(None)));
    assert_eq!(
        convert(Cell::Int(i64::MAX), ColumnType::Int8),
        Ok(PgValue::Int8(Some(i64::MAX)))
    );
    assert!(convert(Cell::Int(i64::from(i32::MAX) + 1), ColumnType::Int4).is_err());
    assert_eq!(
        convert(Cell::Real(54.78), ColumnType::Float8),
        Ok(PgValue::Float8(Some(54.78)))
    );
    assert_eq!(
        convert(Cell::Text("Straße".into()), ColumnType::Text),
        Ok(PgValue::Text(Some("Straße".into())))
    );
    assert!(convert(Cell::Int(5), ColumnType::Text).is_err());
    assert!(convert(Cell::Text("5".into()), ColumnType::Int8).is_err());
}

#[test]
fn renderings_are_unambiguous() {
    let hash = |rows: &[&[Cell]]| {
        let mut h = RowHasher::default();
        for r in rows {
            h.add(r);
        }
        h.finish()
    };
    let a = hash(&[&[Cell::Text("ab".into()), Cell::Text("c".into())]]);
    let b = hash(&[&[Cell::Text("a".into()), Cell::Text("bc".into())]]);
    assert_ne!(a, b);
    assert_ne!(hash(&[&[Cell::Null]]), hash(&[&[Cell::Text(String::new())]]));
    assert_ne!(hash(&[&[Cell::Int(1)]]), hash(&[&[Cell::Real(1.0)]]));
    assert_ne!(
        hash(&[&[Cell::Int(1)], &[Cell::Int(2)]]),
        hash(&[&[Cell::Int(2)], &[Cell::Int(1)]])
    );
    let (rows, sha) = hash(&[]);
    assert_eq!(rows, 0);
    // SHA-256 of nothing.
    assert_eq!(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

#[test]
fn a_difference_names_its_table() {
    let plans = plan(
        vec![
            table("a", &[("x", ColumnType::Int8, false)], &["x"], &[]),
            table("b", &[("x", ColumnType::Int8, false)], &["x"], &[]),
        ],
        &sqlite(&[("a", &["x"]), ("b", &["x"])]),
    )
    .expect("plan");
    let same = vec![(1, "h1".to_owned()), (2, "h2".to_owned())];
    let report = compare(&plans, &same, &same).expect("equal");
    assert_eq!(report.tables[1].table, "b");
    assert_eq!(report.tables[1].rows, 2);
    let changed = vec![(1, "h1".to_owned()), (2, "other".to_owned())];
    let e = compare(&plans, &same, &changed).expect_err("differs");
    assert!(e.contains("table b") && !e.contains("table a"), "{e}");
}
