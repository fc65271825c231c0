//! The staff handbook (`docs/handbuch.md`, `docs/handbook.md`) shows the screenshots the
//! console and app tests take: every picture it references must exist, so that a renamed
//! or dropped screenshot breaks this test rather than the handbook, and both languages
//! show the same pictures.

use std::path::Path;

use augenmerk_tests::workspace;

/// The targets of the Markdown images (`![alt](target)`) in `text`, in order.
fn images(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("![") {
        rest = &rest[start + 2..];
        let Some(close) = rest.find("](") else { break };
        rest = &rest[close + 2..];
        let Some(end) = rest.find(')') else { break };
        out.push(rest[..end].trim().to_owned());
        rest = &rest[end..];
    }
    out
}

fn handbook(name: &str) -> (String, Vec<String>) {
    let path = workspace().join("docs").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let found = images(&text);
    (text, found)
}

#[test]
fn images_are_found_in_markdown() {
    assert_eq!(
        images("Text ![Eingang](screenshots/console/inbox-laptop.png) und\n![Karte]( a.png )"),
        ["screenshots/console/inbox-laptop.png", "a.png"]
    );
    assert!(images("no [link](x.md) here").is_empty());
}

#[test]
fn every_picture_of_the_handbook_exists_in_both_languages() {
    let docs = workspace().join("docs");
    let (_, german) = handbook("handbuch.md");
    let (_, english) = handbook("handbook.md");
    assert!(german.len() >= 20, "the handbook shows the screens: {german:?}");
    let missing: Vec<&String> = german
        .iter()
        .chain(&english)
        .filter(|target| !docs.join(Path::new(target.as_str())).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "pictures the handbook references but no test took (run the console and app tests, or fix the name): {missing:?}"
    );
    assert_eq!(
        german, english,
        "both languages show the same pictures in the same order"
    );
}
