//! Seeding: the statewide boundaries, default configuration for new municipalities, and
//! the demo (Flensburg with departments, Stadtteile and rules; Kiel to show isolation).

use augenmerk_domain::api::{AreaDefinition, MunicipalitySettings, NewStaffUser};
use augenmerk_domain::rules::{Rule, WorkingHours};
use augenmerk_domain::staff::{Department, ExternalAuthority, Role};
use augenmerk_domain::{Ags, AuthorityId, CategoryTree, DepartmentId};
// The domain's slug rule, re-exported for this module's callers (area imports).
pub use augenmerk_domain::ids::slug;
use augenmerk_geo::{AreaKeys, Areas, Boundaries};
use augenmerk_store::{BoundaryRecord, MunicipalityRecord};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// All municipalities of Schleswig-Holstein (© GeoBasis-DE / BKG 2021, dl-de/by-2-0; see data/geo/README.md).
pub const SH_BOUNDARIES: &str = include_str!("../../data/geo/sh-gemeinden.geojson");
/// Flensburg's Stadtteile (Stadt Flensburg, OK Lab Flensburg, CC0-1.0).
pub const FLENSBURG_STADTTEILE: &str = include_str!("../../data/geo/flensburg-stadtteile.geojson");
/// The standard category tree with intake questions (CC0-1.0).
pub const DEFAULT_CATEGORIES: &str = include_str!("../../data/categories.json");

/// Flensburg's AGS.
pub const FLENSBURG: &str = "01001000";
/// Kiel's AGS.
pub const KIEL: &str = "01002000";
/// Amt Langballig's key: an Amt with seven Gemeinden, one tenant.
pub const AMT_LANGBALLIG: &str = "010595937";
/// The demo's directory of administrations not on the platform (`.example` mailboxes).
pub const DEMO_DIRECTORY: &str = include_str!("../../data/directory-demo.csv");

/// The standard category tree a new municipality starts from.
pub fn default_categories() -> Result<CategoryTree, serde_json::Error> {
    CategoryTree::from_json(DEFAULT_CATEGORIES)
}

/// The standard tree, parsed once: administrations off the platform have no tree of
/// their own, and their reports, configurations and views read it on every request.
pub fn standard_tree() -> ApiResult<&'static CategoryTree> {
    static TREE: std::sync::OnceLock<Option<CategoryTree>> = std::sync::OnceLock::new();
    TREE.get_or_init(|| default_categories().ok())
        .as_ref()
        .ok_or_else(|| ApiError::internal("the standard category tree does not parse"))
}

/// Settings a new municipality starts from: Mon–Fri 7–16 h and the usual external authorities.
pub fn default_settings() -> MunicipalitySettings {
    let authority = |id: &str, name: &str| ExternalAuthority {
        id: AuthorityId::parse(id).expect("static id"),
        name: name.into(),
        email: None,
        open311: None,
    };
    MunicipalitySettings {
        working_hours: WorkingHours::default(),
        authorities: vec![
            authority(
                "lbv-sh",
                "Landesbetrieb Straßenbau und Verkehr Schleswig-Holstein (LBV.SH)",
            ),
            authority("kreis", "Kreisverwaltung (Straßenbaulastträger Kreisstraßen)"),
            authority("autobahn", "Die Autobahn GmbH des Bundes, Niederlassung Nord"),
            authority("db", "Deutsche Bahn (Bahnanlagen)"),
        ],
        accent_color: None,
        logo: None,
        publish_text: false,
        mail_sender_name: None,
        mail_reply_to: None,
        retention: Default::default(),
        legal: Default::default(),
        public: Default::default(),
        sso: Default::default(),
        totp: Default::default(),
        reply_templates: vec![
            template(
                "eingang",
                "Eingangsbestätigung",
                "Vielen Dank für Ihre Meldung {{nummer}} ({{kategorie}}). Sie ist bei {{abteilung}} eingegangen; \
                 wir melden uns, sobald wir mehr wissen.",
            ),
            template(
                "erledigt",
                "Erledigt",
                "Ihre Meldung {{nummer}} ({{kategorie}}, {{adresse}}) ist erledigt. Danke, dass Sie mithelfen, \
                 {{gemeinde}} in Ordnung zu halten!",
            ),
            template(
                "zustaendigkeit",
                "Nicht zuständig",
                "Ihre Meldung {{nummer}} betrifft eine Fläche, für die {{gemeinde}} nicht zuständig ist. \
                 Wir haben sie an die zuständige Stelle weitergegeben.",
            ),
        ],
    }
}

fn template(id: &str, name: &str, body: &str) -> augenmerk_domain::templates::ReplyTemplate {
    augenmerk_domain::templates::ReplyTemplate {
        id: id.into(),
        name: name.into(),
        body: body.into(),
    }
}

/// Parses boundaries from GeoJSON (checking every feature) into storable records.
pub fn parse_boundaries(geojson: &str) -> Result<Vec<BoundaryRecord>, augenmerk_geo::GeoError> {
    let parsed = Boundaries::from_geojson(geojson)?;
    Ok(parsed
        .iter()
        .map(|m| BoundaryRecord {
            ags: m.ags().clone(),
            name: m.name().to_owned(),
            geometry: m.geometry_geojson(),
            administration: m.administration().cloned(),
        })
        .collect())
}

/// Imports boundaries and rebuilds the index; returns how many there are now.
pub async fn import_boundaries(state: &AppState, geojson: &str) -> anyhow::Result<usize> {
    let records = parse_boundaries(geojson)?;
    state.store.upsert_boundaries(records).await?;
    state.reload_boundaries().await
}

/// Named areas from a GeoJSON FeatureCollection, their ids slugged from the name property.
pub fn parse_areas(geojson: &str, name_key: &str) -> Result<Vec<AreaDefinition>, anyhow::Error> {
    let keys = AreaKeys {
        id: name_key.to_owned(),
        name: name_key.to_owned(),
    };
    let areas = Areas::from_geojson_with(geojson, &keys)?;
    areas
        .iter()
        .map(|a| {
            Ok(AreaDefinition {
                // The id property is the name: the import made the id a slug of it.
                id: a.id().clone(),
                name: a.name().to_owned(),
                geometry: serde_json::from_str(&a.geometry_geojson())?,
            })
        })
        .collect()
}

/// Stores a new municipality.
pub async fn create_municipality(state: &AppState, record: MunicipalityRecord) -> ApiResult<()> {
    let ags = record.ags.clone();
    state.store.create_municipality(record).await?;
    state.invalidate(&ags);
    Ok(())
}

fn dept(id: &str, name: &str, city: &str) -> Department {
    Department {
        id: DepartmentId::parse(id).expect("static id"),
        name: name.into(),
        // `.example` is reserved (RFC 2606): the demo's mails go to `.eml` files anyway.
        email: Some(format!("{id}@{city}.example")),
    }
}

/// A demo municipality's settings: the defaults, with mailboxes for the authorities so
/// that a forwarding shows its mail (as an `.eml` file) in the demo.
fn demo_settings(city: &str) -> MunicipalitySettings {
    let mut settings = default_settings();
    for a in &mut settings.authorities {
        a.email = Some(format!("meldungen-{}@{city}.example", a.id));
    }
    settings.mail_reply_to = Some(format!("service@{city}.example"));
    settings
}

fn flensburg_rules() -> Vec<Rule> {
    serde_json::from_value(serde_json::json!([
        {"id": "landes-bundesstrasse", "name": "Landes- und Bundesstraßen → LBV.SH",
         "conditions": [
            {"type": "category", "categories": ["strasse", "verkehr", "winterdienst"]},
            {"type": "answer", "question": "strassenart", "test": "one_of", "values": ["landesstrasse", "bundesstrasse"]}],
         "action": {"forward_to": "lbv-sh"}},
        {"id": "autobahn", "name": "Autobahn → Autobahn GmbH",
         "conditions": [{"type": "answer", "question": "strassenart", "test": "one_of", "values": ["autobahn"]}],
         "action": {"forward_to": "autobahn"}},
        {"id": "gefahr-ausserhalb-dienstzeit", "name": "Akute Gefahr außerhalb der Dienstzeit → Ordnungsamt (Bereitschaft)",
         "conditions": [
            {"type": "answer", "question": "gefahr_akut", "test": "is_true"},
            {"type": "time", "window": "outside_working_hours"}],
         "action": {"department": "ordnungsamt", "priority": "urgent", "due_hours": 2}},
        {"id": "gefahr-strasse", "name": "Akute Gefahr auf Straßen → Tiefbau, dringend",
         "conditions": [
            {"type": "category", "categories": ["strasse", "verkehr", "wasser"]},
            {"type": "answer", "question": "gefahr_akut", "test": "is_true"}],
         "action": {"department": "tiefbau", "priority": "urgent", "due_hours": 24}},
        {"id": "strasse", "name": "Straßen, Verkehr, Entwässerung, Winterdienst → Tiefbau",
         "conditions": [{"type": "category", "categories": ["strasse", "verkehr", "wasser", "winterdienst"]}],
         "action": {"department": "tiefbau", "due_hours": 240}},
        {"id": "beleuchtung", "name": "Straßenbeleuchtung → Technisches Betriebszentrum",
         "conditions": [{"type": "category", "categories": ["beleuchtung"]}],
         "action": {"department": "tbz", "due_hours": 120}},
        {"id": "muell-innenstadt", "name": "Müll in Altstadt und Neustadt → TBZ, hohe Priorität",
         "conditions": [
            {"type": "category", "categories": ["muell", "graffiti"]},
            {"type": "area", "areas": ["altstadt", "neustadt"]}],
         "action": {"department": "tbz", "priority": "high", "due_hours": 24}},
        {"id": "muell", "name": "Müll, Graffiti, Haltestellen → TBZ",
         "conditions": [{"type": "category", "categories": ["muell", "graffiti", "oepnv"]}],
         "action": {"department": "tbz", "due_hours": 72}},
        {"id": "gruen", "name": "Grün und Spielplätze → Grünflächen",
         "conditions": [{"type": "category", "categories": ["gruen", "spielplatz"]}],
         "action": {"department": "gruenflaechen", "due_hours": 168}},
        {"id": "default", "name": "Alles andere → Ordnungsamt (Zentrale)", "conditions": [],
         "action": {"department": "ordnungsamt", "due_hours": 120}}
    ]))
    .expect("static rules")
}

fn langballig_rules() -> Vec<Rule> {
    serde_json::from_value(serde_json::json!([
        {"id": "wees-westerholz", "name": "Wees und Westerholz → Bauhof",
         "conditions": [{"type": "gemeinde", "gemeinden": ["01059176", "01059178"]}],
         "action": {"department": "bauhof", "due_hours": 120}},
        {"id": "strasse", "name": "Straßen und Beleuchtung → Bauamt",
         "conditions": [{"type": "category", "categories": ["strasse", "verkehr", "beleuchtung"]}],
         "action": {"department": "bauamt", "due_hours": 240}},
        {"id": "default", "name": "Alles andere → Ordnungsamt", "conditions": [],
         "action": {"department": "ordnungsamt", "due_hours": 168}}
    ]))
    .expect("static rules")
}

/// AGS, name, departments, rules, the field worker's department.
type DemoTenant = (&'static str, &'static str, Vec<Department>, Vec<Rule>, &'static str);

fn kiel_rules() -> Vec<Rule> {
    serde_json::from_value(serde_json::json!([
        {"id": "strasse", "name": "Straßen → Tiefbauamt",
         "conditions": [{"type": "category", "categories": ["strasse", "verkehr", "beleuchtung"]}],
         "action": {"department": "tiefbauamt", "due_hours": 240}},
        {"id": "default", "name": "Alles andere → Bürgerservice", "conditions": [],
         "action": {"department": "buergerservice", "due_hours": 168}}
    ]))
    .expect("static rules")
}

/// The demo: boundaries statewide, Flensburg and Kiel with departments, rules and users
/// `admin`, `dispatcher` and `field` (same password). Does nothing if municipalities exist.
pub async fn seed_demo(state: &AppState, password: &str) -> anyhow::Result<bool> {
    let boundaries = state.store.list_boundaries().await?;
    // Boundaries imported before Ämter were tenants lack the administration: import again.
    if boundaries.is_empty() || boundaries.iter().all(|b| b.administration.is_none()) {
        import_boundaries(state, SH_BOUNDARIES).await?;
    }
    let existing = state.store.list_municipalities().await?;
    if existing.is_empty() {
        let platform = NewStaffUser {
            username: "platform".into(),
            display_name: "Plattformbetrieb".into(),
            password: password.into(),
            role: Role::PlatformAdmin,
            department: None,
            email: None,
        };
        crate::services::accounts::new_platform_admin(state, platform)
            .await
            .map_err(api_to_anyhow)?;
    }
    if state.store.list_directory().await?.is_empty() {
        let entries = crate::services::directory::parse_csv(DEMO_DIRECTORY)
            .map_err(|p| anyhow::anyhow!("demo directory: {p:?}"))?;
        state.store.put_directory(entries, chrono::Utc::now()).await?;
    }
    let tree = default_categories()?;
    let setups: [DemoTenant; 3] = [
        (
            FLENSBURG,
            "Flensburg",
            vec![
                dept("tiefbau", "Tiefbau", "flensburg"),
                dept("gruenflaechen", "Grünflächen", "flensburg"),
                dept("tbz", "Technisches Betriebszentrum", "flensburg"),
                dept("ordnungsamt", "Ordnungsamt", "flensburg"),
            ],
            flensburg_rules(),
            "tiefbau",
        ),
        (
            KIEL,
            "Kiel",
            vec![
                dept("tiefbauamt", "Tiefbauamt", "kiel"),
                dept("buergerservice", "Bürgerservice", "kiel"),
            ],
            kiel_rules(),
            "tiefbauamt",
        ),
        (
            AMT_LANGBALLIG,
            "Amt Langballig",
            vec![
                dept("bauamt", "Bauamt", "amt-langballig"),
                dept("bauhof", "Bauhof", "amt-langballig"),
                dept("ordnungsamt", "Ordnungsamt", "amt-langballig"),
            ],
            langballig_rules(),
            "bauhof",
        ),
    ];
    let mut seeded = false;
    for (ags, name, departments, rules, field_dept) in setups {
        let ags = Ags::parse(ags)?;
        // Each demo tenant once: a demo from before Ämter gets the Amt added.
        if existing.iter().any(|m| m.ags == ags) {
            continue;
        }
        seeded = true;
        create_municipality(
            state,
            MunicipalityRecord {
                ags: ags.clone(),
                name: name.into(),
                categories: tree.clone(),
                settings: demo_settings(&slug(name)),
                config_version: 1,
            },
        )
        .await
        .map_err(api_to_anyhow)?;
        for d in departments {
            state.store.put_department(&ags, d).await?;
        }
        if ags.as_str() == FLENSBURG {
            for area in parse_areas(FLENSBURG_STADTTEILE, "name")? {
                state.store.put_area(&ags, area).await?;
            }
        }
        state.store.put_rules(&ags, rules).await?;
        state.invalidate(&ags);
        for (username, display, role, department) in [
            ("admin", "Administration", Role::Admin, None),
            ("dispatcher", "Leitstelle", Role::Dispatcher, None),
            ("field", "Außendienst", Role::FieldWorker, Some(field_dept)),
        ] {
            let new = NewStaffUser {
                username: username.into(),
                display_name: format!("{display} {name}"),
                password: password.into(),
                role,
                department: department.map(DepartmentId::parse).transpose()?,
                email: None,
            };
            crate::services::accounts::new_user(state, &ags, new)
                .await
                .map_err(api_to_anyhow)?;
        }
        let problems = crate::services::config::rule_problems(
            state,
            &ags,
            &state.tenant(&ags).await.map_err(api_to_anyhow)?.rules,
            None,
            None,
        )
        .await
        .map_err(api_to_anyhow)?;
        anyhow::ensure!(
            problems.is_empty(),
            "demo rules of {name} are inconsistent: {problems:?}"
        );
    }
    Ok(seeded)
}

fn api_to_anyhow(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{:?}", e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Westliche Höhe"), "westliche-hoehe");
        assert_eq!(slug("Jürgensby"), "juergensby");
        assert_eq!(slug("St. Nikolai"), "st-nikolai");
    }

    #[test]
    fn static_configuration_parses() {
        assert!(default_categories().is_ok());
        assert_eq!(flensburg_rules().len(), 10);
        assert_eq!(kiel_rules().len(), 2);
        assert_eq!(
            parse_areas(FLENSBURG_STADTTEILE, "name").map(|a| a.len()).ok(),
            Some(13)
        );
    }
}
