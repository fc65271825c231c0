//! A new report: photos (anonymized at once, blurred areas shown, missed ones markable),
//! the place (photo GPS, the device, the map or typed), the responsible municipality, the
//! category and its questions, description, contact and consent. Every change is saved as
//! a draft; saving queues the report, which is sent when there is network.
//!
//! The page's state is one copyable [`Form`]; its sections live in `photos`, `place` and
//! `details`.

mod details;
mod geocode;
mod photos;
mod place;

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use augenmerk_domain::device::SyncState;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public::MunicipalityConfig;
use augenmerk_domain::{Ags, BlobHash, CategoryId, ReportId};

use crate::backend::{Backend, UiError};
use crate::components::errors::ErrorAlert;
use crate::draft::{Draft, LocationSource, administration_key, is_served, mailed_to};
use crate::i18n::use_i18n;
use crate::map;
use crate::route::Route;
use crate::shell::use_ctx;

const MAP_ID: &str = "report-map";
/// Where the map opens before any place is known: the middle of Schleswig-Holstein …
const STATE_CENTRE: (f64, f64) = (54.25, 9.85);
/// … with the whole state in view on a phone.
const STATE_ZOOM: u32 = 7;
/// More photos than this make a report slow to send on a weak network.
const MAX_PHOTOS: usize = 5;

/// The saved report, whether it waits for the network, and the administration it is
/// mailed to (not on the platform).
type Saved = (ReportId, bool, Option<String>);

/// The new-report page's state (copyable: signals and stored values).
#[derive(Clone, Copy)]
struct Form {
    backend: StoredValue<Backend>,
    draft: RwSignal<Draft>,
    /// Configurations of the administrations seen, by key.
    configs: RwSignal<HashMap<String, MunicipalityConfig>>,
    /// The configuration of the administration that takes reports at the place (an Amt's
    /// for all its Gemeinden).
    config: Signal<Option<MunicipalityConfig>>,
    /// Whether the citizen tried to save (problems are shown from then on).
    attempted: RwSignal<bool>,
    problems: Signal<Vec<FieldError>>,
    error: RwSignal<Option<UiError>>,
    location_error: RwSignal<Option<UiError>>,
    saved: RwSignal<Option<Saved>>,
    saving: RwSignal<bool>,
    /// Photos being anonymized.
    adding: RwSignal<usize>,
    /// The photo being blurred further.
    reworking: RwSignal<Option<BlobHash>>,
    /// Originals stay in memory only (never stored): re-blurring starts from them when possible.
    originals: StoredValue<HashMap<String, Vec<u8>>, LocalStorage>,
    map_shown: RwSignal<bool>,
    /// The program's settings (whether the server has a geocoder); read in callbacks
    /// from the map, where no context is reachable.
    app_info: RwSignal<Option<augenmerk_domain::device::AppInfo>>,
}

impl Form {
    fn new(backend: Backend) -> Self {
        let draft = RwSignal::new(Draft::load());
        let configs: RwSignal<HashMap<String, MunicipalityConfig>> = RwSignal::new(HashMap::new());
        let attempted = RwSignal::new(false);
        let config = Signal::derive(move || {
            let key = draft.with(|d| {
                d.chosen_municipality()
                    .map(|m| administration_key(m).as_str().to_owned())
            })?;
            configs.with(|c| c.get(&key).cloned())
        });
        let problems = Signal::derive(move || {
            if attempted.get() {
                draft.with(|d| d.problems(config.get().as_ref()))
            } else {
                Vec::new()
            }
        });
        Self {
            backend: StoredValue::new(backend),
            draft,
            configs,
            config,
            attempted,
            problems,
            error: RwSignal::new(None),
            location_error: RwSignal::new(None),
            saved: RwSignal::new(None),
            saving: RwSignal::new(false),
            adding: RwSignal::new(0),
            reworking: RwSignal::new(None),
            originals: StoredValue::new_local(HashMap::new()),
            map_shown: RwSignal::new(false),
            app_info: use_ctx().info,
        }
    }

    fn backend(self) -> Backend {
        self.backend.get_value()
    }

    /// Loads an administration's configuration once.
    fn load_config(self, ags: String) {
        let Self { configs, error, .. } = self;
        if configs.with_untracked(|c| c.contains_key(&ags)) {
            return;
        }
        let backend = self.backend();
        leptos::task::spawn_local(async move {
            match backend.municipality_config(&ags).await {
                Ok(config) => configs.update(|c| {
                    c.insert(ags, config);
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    }

    /// Loads the configuration (categories) of the municipality the report goes to;
    /// where nobody takes reports there are none to offer.
    fn load_chosen_config(self) {
        let key = self.draft.with_untracked(|d| {
            d.chosen_municipality()
                .filter(|m| is_served(m))
                .map(|m| administration_key(m).as_str().to_owned())
        });
        if let Some(key) = key {
            self.load_config(key);
        }
    }

    /// Chooses the neighbour (or the place's own municipality) near a border.
    fn choose_municipality(self, administration: &Ags) {
        self.draft.update(|d| d.choose_municipality(administration));
        self.load_chosen_config();
    }

    /// Finds the municipality of the current position.
    fn locate(self) {
        let Self {
            draft, location_error, ..
        } = self;
        let Some(point) = draft.with_untracked(|d| d.location()) else {
            return;
        };
        let backend = self.backend();
        leptos::task::spawn_local(async move {
            match backend.locate(point.lat, point.lon).await {
                Ok(m) => {
                    location_error.set(None);
                    draft.update(|d| d.set_municipality(m));
                    self.load_chosen_config();
                }
                Err(e) => {
                    draft.update(|d| d.municipality = None);
                    location_error.set(Some(e));
                }
            }
        });
    }

    /// Sets the place (the map follows unless the map set it) and finds its municipality.
    fn set_location(self, lat: f64, lon: f64, source: LocationSource) {
        self.draft.update(|d| d.set_location(lat, lon, source));
        if source != LocationSource::Map {
            map::move_to(MAP_ID, (lat, lon));
        }
        self.locate();
        if matches!(source, LocationSource::Map | LocationSource::Device) {
            self.fill_address_hint(lat, lon);
        }
    }

    fn select_category(self, id: CategoryId) {
        // Read before the update: `config` derives from the draft, which is locked while it changes.
        let keep: Vec<String> = self
            .config
            .get_untracked()
            .and_then(|c| {
                c.categories
                    .effective_questions(&id)
                    .map(|q| q.iter().map(|q| q.id.as_str().to_owned()).collect())
            })
            .unwrap_or_default();
        self.draft.update(|d| {
            d.answers.retain(|k, _| keep.contains(k));
            d.category = Some(id);
        })
    }

    fn answer(self, (id, value): (String, Option<serde_json::Value>)) {
        self.draft.update(|d| match value {
            Some(v) => {
                d.answers.insert(id, v);
            }
            None => {
                d.answers.remove(&id);
            }
        })
    }

    /// Checks the draft and saves (queues) the report, or shows what is missing.
    fn submit(self, ev: web_sys::SubmitEvent, sync: RwSignal<augenmerk_domain::device::SyncStatus>) {
        let Self {
            draft,
            config,
            attempted,
            error,
            saved,
            saving,
            map_shown,
            ..
        } = self;
        ev.prevent_default();
        attempted.set(true);
        let problems = draft.with_untracked(|d| d.problems(config.get_untracked().as_ref()));
        if !problems.is_empty() {
            focus("error-summary");
            return;
        }
        let Some(report) = draft.with_untracked(|d| d.to_report()) else {
            return;
        };
        let replaces = draft.with_untracked(|d| d.replaces);
        let mail_to = draft.with_untracked(|d| d.chosen_municipality().and_then(mailed_to).map(str::to_owned));
        let backend = self.backend();
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = match replaces {
                Some(refused) => match backend.replace_report(&refused.to_string(), report.clone()).await {
                    // Given up meanwhile (on another page): this is a new report then.
                    Err(e) if e.code.as_deref() == Some("not_found") => backend.create_report(report).await,
                    other => other,
                },
                None => backend.create_report(report).await,
            };
            saving.set(false);
            match result {
                Ok(id) => {
                    Draft::clear();
                    let status = backend.sync_status().await.unwrap_or_default();
                    let queued = backend
                        .reports()
                        .await
                        .ok()
                        .and_then(|list| list.into_iter().find(|r| r.id == id))
                        .is_none_or(|r| r.sync_state == SyncState::Queued);
                    sync.set(status);
                    map::remove(MAP_ID);
                    map_shown.set(false);
                    saved.set(Some((id, queued, mail_to)));
                    draft.set(Draft::default());
                    attempted.set(false);
                    focus("report-saved");
                }
                Err(e) => {
                    if !e.details.is_empty() {
                        attempted.set(true);
                    }
                    error.set(Some(e));
                }
            }
        });
    }
}

/// The view on a municipality's box: its centre, at the closest zoom that shows its
/// width in about 300 pixels (a phone's map), never wider than the state view.
fn home_view(b: &augenmerk_domain::geo::BoundingBox) -> map::PickerView {
    let span = (b.max_lon - b.min_lon).max(0.001);
    // At zoom z the world is 256·2^z pixels wide: 300 px show 360·300/(256·2^z) degrees.
    let zoom = (360.0 * 300.0 / (256.0 * span))
        .log2()
        .floor()
        .clamp(f64::from(STATE_ZOOM), 15.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped to 7..=15
    let zoom = zoom as u32;
    map::PickerView::Region((b.min_lat + b.max_lat) / 2.0, (b.min_lon + b.max_lon) / 2.0, zoom)
}

/// The new-report page.
#[component]
pub fn NewReport() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let f = Form::new(ctx.backend.clone());
    let Form {
        draft,
        config,
        error,
        saved,
        saving,
        adding,
        map_shown,
        ..
    } = f;

    Effect::new(move |_| draft.with(|d| d.save()));
    // The responsible municipality's colour, once it is known (KERN's theme before); it
    // stays after saving, for the thanks and "my reports".
    Effect::new(move |_| {
        if let Some(config) = config.get() {
            crate::theme::apply(Some(&config));
        }
    });

    if draft.with_untracked(|d| d.municipality.is_none()) {
        f.locate();
    } else {
        f.load_chosen_config();
    }

    // The map at once, as soon as the tiles are known: on the place chosen so far, else
    // on the whole state (Schleswig-Holstein), where a tap sets the place.
    {
        let ctx = ctx.clone();
        Effect::new(move |_| {
            let tiles = ctx.tiles();
            if map_shown.get_untracked() || saved.get().is_some() {
                return;
            }
            let home = ctx.info.with_untracked(|i| i.as_ref().and_then(|i| i.home));
            let view = match (draft.with_untracked(|d| d.location()), home) {
                (Some(p), _) => map::PickerView::Place(p.lat, p.lon),
                (None, Some(b)) => home_view(&b),
                (None, None) => map::PickerView::Region(STATE_CENTRE.0, STATE_CENTRE.1, STATE_ZOOM),
            };
            let label = i18n.t("map-marker");
            let shown = map::place_picker(MAP_ID, &tiles, view, &label, move |lat, lon| {
                f.set_location(lat, lon, LocationSource::Map)
            });
            map_shown.set(shown);
        });
    }
    on_cleanup(|| map::remove(MAP_ID));

    let sync = ctx.sync;
    let form = move || {
        view! {
            <form class="report-form" novalidate on:submit=move |ev| f.submit(ev, sync)>
                <h1 class="kern-heading-large">{move || i18n.t("new-report-title")}</h1>
                <p class="kern-body lead">{move || i18n.t("new-report-lead")}</p>
                {move || draft.with(|d| d.replaces.is_some()).then(|| view! {
                    <div class="kern-alert kern-alert--info" data-testid="replacing">
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                            <span class="kern-title">{move || i18n.t("replacing-title")}</span>
                        </div>
                        <div class="kern-alert__body"><p class="kern-body">{move || i18n.t("replacing-body")}</p></div>
                    </div>
                })}
                {move || details::error_summary(f)}
                <ErrorAlert error=error.into() />

                {photos::photos_section(f)}
                {place::place_section(f)}
                {details::category_section(f)}
                {move || details::questions_section(f)}
                {details::details_section(f)}

                <div class="kern-btn-wrapper form-actions">
                    <button type="submit" class="kern-btn kern-btn--primary" data-testid="submit-report"
                        disabled=move || { saving.get() || adding.get() > 0 }>
                        <span class="kern-label">{move || if saving.get() { i18n.t("saving") } else { i18n.t("submit-report") }}</span>
                    </button>
                </div>
            </form>
        }
    };

    view! {
        <div class="page page--report">
            {move || match saved.get() {
                Some((id, queued, mail_to)) => view! {
                    <div class="kern-alert kern-alert--success saved" id="report-saved" tabindex="-1"
                        data-testid="report-saved" data-report-id=id.to_string()>
                        <div class="kern-alert__header">
                            <span class="kern-icon kern-icon--success" aria-hidden="true"></span>
                            <span class="kern-title">{move || i18n.t("saved-title")}</span>
                        </div>
                        <div class="kern-alert__body">
                            <p class="kern-body">{move || if queued { i18n.t("saved-queued") } else { i18n.t("saved-sent") }}</p>
                            {mail_to.map(|to| view! {
                                <p class="kern-body" data-testid="saved-mailed">
                                    {move || i18n.t_args("saved-mailed", &[("to", to.clone().into())])}</p>
                            })}
                            <div class="kern-btn-wrapper">
                                <a class="kern-btn kern-btn--primary" href=Route::Report(id.to_string()).href()>
                                    <span class="kern-label">{move || i18n.t("saved-follow")}</span></a>
                                <button type="button" class="kern-btn kern-btn--secondary" data-testid="saved-another"
                                    on:click=move |_| saved.set(None)>
                                    <span class="kern-label">{move || i18n.t("saved-another")}</span></button>
                            </div>
                        </div>
                    </div>
                }.into_any(),
                None => form().into_any(),
            }}
        </div>
    }
}

/// Moves the keyboard focus to an element (error summary, a field, the confirmation).
pub fn focus(id: &str) {
    let id = id.to_owned();
    // After the render that shows it.
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use augenmerk_domain::geo::BoundingBox;

    #[test]
    fn the_home_view_fits_the_municipality_and_never_zooms_out_past_the_state() {
        let flensburg = BoundingBox {
            min_lon: 9.35,
            min_lat: 54.74,
            max_lon: 9.55,
            max_lat: 54.84,
        };
        let map::PickerView::Region(lat, lon, zoom) = home_view(&flensburg) else {
            panic!("a region");
        };
        assert!((lat - 54.79).abs() < 1e-9 && (lon - 9.45).abs() < 1e-9, "{lat},{lon}");
        assert_eq!(zoom, 11);
        let wide = BoundingBox {
            min_lon: 7.0,
            min_lat: 53.0,
            max_lon: 12.0,
            max_lat: 55.0,
        };
        assert!(matches!(home_view(&wide), map::PickerView::Region(_, _, STATE_ZOOM)));
    }
}
