#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone, Utc};

use super::*;

fn facts() -> NoticeFacts<'static> {
    NoticeFacts {
        municipality: "Stadt Flensburg",
        mailbox: Some("service@flensburg.example"),
        authorities: vec!["LBV.SH", "Autobahn GmbH"],
        retention: RetentionPolicy::default(),
    }
}

#[test]
fn defaults_are_within_bounds_and_bounds_are_enforced() {
    assert_eq!(RetentionPolicy::default().check(), Ok(()));
    let bad = RetentionPolicy {
        contact_days: 4000,
        content_days: 0,
        device_inactive_days: 7,
    };
    let fields: Vec<&str> = bad.check().unwrap_err().iter().map(|e| e.field).collect();
    assert_eq!(fields, ["contact_days", "content_days", "device_inactive_days"]);
}

#[test]
fn retention_removes_contact_first_then_content() {
    let p = RetentionPolicy::default();
    let closed = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    assert_eq!(p.due(closed, closed + Duration::days(29)), None);
    assert_eq!(p.due(closed, closed + Duration::days(30)), Some(ErasureScope::Contact));
    assert_eq!(p.due(closed, closed + Duration::days(365)), Some(ErasureScope::Content));
    let (contact, content) = p.cutoffs(closed + Duration::days(365));
    assert!(contact > content);
    assert_eq!(content, closed);
}

#[test]
fn a_device_expires_by_the_shortest_period_of_its_municipalities() {
    let seen = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let now = seen + Duration::days(100);
    assert!(device_expired(seen, &[90, 365], 365, now));
    assert!(!device_expired(seen, &[365], 365, now));
    assert!(!device_expired(seen, &[], 365, now));
    assert!(device_expired(seen, &[], 99, now));
}

#[test]
fn the_default_notice_quotes_the_live_policy_and_names_the_authority_of_supervision() {
    let mut f = facts();
    f.retention.contact_days = 14;
    let info = legal_info(&LegalTexts::default(), &f);
    let de = &info.privacy_notice.de;
    assert!(de.contains("14 Tage nach Abschluss"), "{de}");
    assert!(de.contains("365 Tage"), "{de}");
    assert!(de.contains("LBV.SH, Autobahn GmbH"), "{de}");
    assert!(de.contains("Unabhängiges Landeszentrum für Datenschutz Schleswig-Holstein"));
    assert!(
        info.privacy_notice.en.contains("deleted 14 days after"),
        "{}",
        info.privacy_notice.en
    );
    assert!(!de.contains('{') && !info.imprint.en.contains('{'));
    for t in [NOTICE_DE, NOTICE_EN, IMPRINT_DE, IMPRINT_EN] {
        assert!(unknown_placeholders(t).is_empty(), "{t}");
    }
}

#[test]
fn an_own_german_text_is_shown_in_english_too_and_typos_are_found() {
    let texts = LegalTexts {
        privacy_notice: I18nText::new("# Hinweise\n\n{municipality} speichert {contact_days} Tage.", ""),
        ..LegalTexts::default()
    };
    let info = legal_info(&texts, &facts());
    assert_eq!(
        info.privacy_notice.de,
        "# Hinweise\n\nStadt Flensburg speichert 30 Tage."
    );
    assert_eq!(info.privacy_notice.en, info.privacy_notice.de);
    assert_eq!(
        unknown_placeholders("{municipalty} und {contact_days} { x } {}"),
        ["municipalty"]
    );
}

#[test]
fn blocks_split_headings_paragraphs_and_lists() {
    let text = "# Titel\n\nEins\nzwei.\n\n- a\n  weiter\n- b\n\nEnde";
    assert_eq!(
        blocks(text),
        [
            Block::Heading("Titel".into()),
            Block::Paragraph("Eins zwei.".into()),
            Block::List(vec!["a weiter".into(), "b".into()]),
            Block::Paragraph("Ende".into()),
        ]
    );
    assert_eq!(
        blocks("<script>x</script>"),
        [Block::Paragraph("<script>x</script>".into())]
    );
}
