//! Backend-neutral pieces of the report lists (`sqlite::inbox`, `postgres::inbox`): the
//! SQL fragments both dialects share, the search pattern, and the ordering of counts, so
//! that both backends list and count alike.

use std::collections::HashMap;

use augenmerk_domain::Status;

/// The `IN (…)` list of open statuses, as SQL text (constants, not user input).
pub(crate) fn open_statuses() -> String {
    let names: Vec<String> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    names.join(", ")
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`.
pub(crate) fn like_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The ORDER BY clause for a sort key; unknown keys sort like the default.
pub(crate) fn order_by(sort: Option<&str>) -> &'static str {
    // Every order ends in `id` so that pages are stable when the sort key ties.
    match sort {
        Some("due_at") => "due_at ASC NULLS LAST, received_at DESC, id",
        Some("priority") => {
            "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, \
             received_at DESC, id"
        }
        Some("updated_at") => "updated_at DESC, id",
        _ => "received_at DESC, id",
    }
}

/// Counts, largest first (ties by key, so the order is stable).
pub(crate) fn sorted<K: Ord>(map: HashMap<K, u64>) -> Vec<(K, u64)> {
    let mut v: Vec<(K, u64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern("Ölspur"), "%ölspur%");
    }
}
