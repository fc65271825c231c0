//! A new report: photos (anonymized at once, blurred areas shown, missed ones markable),
//! the place (photo GPS, the device, the map or typed), the responsible municipality, the
//! category and its questions, description, contact and consent. Every change is saved as
//! a draft; saving queues the report, which is sent when there is network.

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::device::SyncState;
use augenmerk_domain::error::FieldError;
use augenmerk_domain::public::{BlurredKind, MunicipalityConfig, NearbyReport};
use augenmerk_domain::{BlobHash, CategoryId, ReportId};

use crate::backend::UiError;
use crate::components::errors::{ErrorAlert, FieldProblem, field_anchor, field_label, problem_text};
use crate::components::photo::{PhotoCard, PixelBox};
use crate::draft::{Draft, LocationSource, administration_key, is_served, mailed_to, needs_confirmation, place_name};
use crate::format;
use crate::i18n::use_i18n;
use crate::map;
use crate::pages::report_form::{CategoryPicker, Questions};
use crate::route::Route;
use crate::shell::use_ctx;

const MAP_ID: &str = "report-map";
/// More photos than this make a report slow to send on a weak network.
const MAX_PHOTOS: usize = 5;

/// Reads a file the user chose or dropped.
async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, UiError> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| UiError::unexpected(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads a photo back from the address the UI shows it from (to blur it further).
async fn url_bytes(url: &str) -> Result<Vec<u8>, UiError> {
    let window = web_sys::window().ok_or_else(|| UiError::unexpected("no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| UiError::offline())?
        .unchecked_into();
    let buffer = JsFuture::from(
        response
            .array_buffer()
            .map_err(|e| UiError::unexpected(format!("{e:?}")))?,
    )
    .await
    .map_err(|e| UiError::unexpected(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The new-report page.
#[component]
pub fn NewReport() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let backend = ctx.backend.clone();
    let draft = RwSignal::new(Draft::load());
    let configs: RwSignal<HashMap<String, MunicipalityConfig>> = RwSignal::new(HashMap::new());
    let attempted = RwSignal::new(false);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let location_error: RwSignal<Option<UiError>> = RwSignal::new(None);
    // The saved report, whether it waits for the network, and the administration it is
    // mailed to (not on the platform).
    let saved: RwSignal<Option<(ReportId, bool, Option<String>)>> = RwSignal::new(None);
    let saving = RwSignal::new(false);
    let adding = RwSignal::new(0usize);
    let reworking: RwSignal<Option<BlobHash>> = RwSignal::new(None);
    // Originals stay in memory only (never stored): re-blurring starts from them when possible.
    let originals: StoredValue<HashMap<String, Vec<u8>>, LocalStorage> = StoredValue::new_local(HashMap::new());

    Effect::new(move |_| draft.with(|d| d.save()));

    // The configuration of the administration that takes reports at the place (an Amt's
    // for all its Gemeinden).
    let config = Signal::derive(move || {
        let key = draft.with(|d| {
            d.municipality
                .as_ref()
                .map(|m| administration_key(m).as_str().to_owned())
        })?;
        configs.with(|c| c.get(&key).cloned())
    });
    // The responsible municipality's colour, once it is known (KERN's theme before); it
    // stays after saving, for the thanks and "my reports".
    Effect::new(move |_| {
        if let Some(config) = config.get() {
            crate::theme::apply(Some(&config));
        }
    });
    // "Already reported?": open reports of the chosen category near the place, asked for
    // whenever the place or the category changes (not on every keystroke elsewhere).
    let nearby: RwSignal<Vec<NearbyReport>> = RwSignal::new(Vec::new());
    // Reports of that list the citizen chose to follow instead of reporting again.
    let following: RwSignal<Vec<ReportId>> = RwSignal::new(Vec::new());
    let follow_error: RwSignal<Option<UiError>> = RwSignal::new(None);
    let follow = {
        let backend = backend.clone();
        move |id: ReportId| {
            let backend = backend.clone();
            leptos::task::spawn_local(async move {
                match backend.follow_report(&id.to_string()).await {
                    Ok(_) => {
                        follow_error.set(None);
                        following.update(|f| f.push(id));
                    }
                    Err(e) => follow_error.set(Some(e)),
                }
            });
        }
    };
    let nearby_key = Memo::new(move |_| draft.with(|d| Some((d.location()?, d.category.clone()?))));
    {
        let backend = backend.clone();
        Effect::new(move |_| {
            let Some((at, category)) = nearby_key.get() else {
                nearby.set(Vec::new());
                return;
            };
            let backend = backend.clone();
            leptos::task::spawn_local(async move {
                // Offline (or refused): nothing to offer, and the report works as before.
                let found = backend
                    .nearby_reports(at.lat, at.lon, category.as_str())
                    .await
                    .unwrap_or_default();
                // Only if the citizen has not moved on to another place or category meanwhile.
                if nearby_key.get_untracked() == Some((at, category)) {
                    nearby.set(found);
                }
            });
        });
    }

    let problems: Signal<Vec<FieldError>> = Signal::derive(move || {
        if attempted.get() {
            draft.with(|d| d.problems(config.get().as_ref()))
        } else {
            Vec::new()
        }
    });

    let load_config = {
        let backend = backend.clone();
        move |ags: String| {
            if configs.with_untracked(|c| c.contains_key(&ags)) {
                return;
            }
            let backend = backend.clone();
            leptos::task::spawn_local(async move {
                match backend.municipality_config(&ags).await {
                    Ok(config) => configs.update(|c| {
                        c.insert(ags, config);
                    }),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    // The municipality of the current position.
    let locate = {
        let backend = backend.clone();
        let load_config = load_config.clone();
        move || {
            let Some(point) = draft.with_untracked(|d| d.location()) else {
                return;
            };
            let backend = backend.clone();
            let load_config = load_config.clone();
            leptos::task::spawn_local(async move {
                match backend.locate(point.lat, point.lon).await {
                    Ok(m) => {
                        location_error.set(None);
                        let key = administration_key(&m).as_str().to_owned();
                        let served = is_served(&m);
                        draft.update(|d| {
                            if d.municipality.as_ref().map(|x| &x.ags) != Some(&m.ags) {
                                d.municipality_confirmed = false;
                            }
                            // Another administration has other categories; the Gemeinden
                            // of one Amt share them.
                            if d.municipality.as_ref().map(administration_key) != Some(administration_key(&m)) {
                                d.category = None;
                                d.answers.clear();
                            }
                            d.municipality = Some(m);
                        });
                        // Nobody takes reports there: no categories to offer.
                        if served {
                            load_config(key);
                        }
                    }
                    Err(e) => {
                        draft.update(|d| d.municipality = None);
                        location_error.set(Some(e));
                    }
                }
            });
        }
    };
    if let Some(key) = draft.with_untracked(|d| {
        d.municipality
            .as_ref()
            .filter(|m| is_served(m))
            .map(|m| administration_key(m).as_str().to_owned())
    }) {
        load_config(key);
    } else if draft.with_untracked(|d| d.municipality.is_none()) {
        locate();
    }

    let set_location = {
        let locate = locate.clone();
        move |lat: f64, lon: f64, source: LocationSource| {
            draft.update(|d| d.set_location(lat, lon, source));
            if source != LocationSource::Map {
                map::move_to(MAP_ID, (lat, lon));
            }
            locate();
        }
    };

    // Photos: anonymize each, take the first GPS position as the place if there is none yet.
    let add_files = {
        let backend = backend.clone();
        let set_location = set_location.clone();
        move |files: Vec<web_sys::File>| {
            for file in files {
                if draft.with_untracked(|d| d.photos.len()) + adding.get_untracked() >= MAX_PHOTOS {
                    let mut args = fluent_bundle::FluentArgs::new();
                    args.set("max", MAX_PHOTOS);
                    error.set(Some(UiError::localized_with("e-max-photos", &args)));
                    break;
                }
                let backend = backend.clone();
                let set_location = set_location.clone();
                adding.update(|n| *n += 1);
                leptos::task::spawn_local(async move {
                    let result = match file_bytes(&file).await {
                        Ok(bytes) => backend.add_photo(bytes.clone(), &[]).await.map(|p| (p, bytes)),
                        Err(e) => Err(e),
                    };
                    adding.update(|n| *n = n.saturating_sub(1));
                    match result {
                        Ok((photo, bytes)) => {
                            error.set(None);
                            originals.update_value(|o| {
                                o.insert(photo.hash.as_str().to_owned(), bytes);
                            });
                            let suggestion = photo.suggested_location;
                            let duplicate = draft.with_untracked(|d| d.photos.iter().any(|p| p.hash == photo.hash));
                            if !duplicate {
                                draft.update(|d| d.photos.push(photo));
                            }
                            if let Some(p) = suggestion
                                && draft.with_untracked(|d| d.location().is_none())
                            {
                                set_location(p.lat, p.lon, LocationSource::Photo);
                            }
                        }
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
        }
    };
    let on_files = {
        let add_files = add_files.clone();
        move |ev: web_sys::Event| {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
                return;
            };
            let files = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect());
            add_files(files.unwrap_or_default());
            input.set_value("");
        }
    };
    let dragging = RwSignal::new(false);
    let on_drop = {
        let add_files = add_files.clone();
        move |ev: web_sys::DragEvent| {
            ev.prevent_default();
            dragging.set(false);
            let files = ev
                .data_transfer()
                .and_then(|dt| dt.files())
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect());
            add_files(files.unwrap_or_default());
        }
    };

    let mark = {
        let backend = backend.clone();
        move |index: usize, b: PixelBox| {
            let Some(photo) = draft.with_untracked(|d| d.photos.get(index).cloned()) else {
                return;
            };
            let backend = backend.clone();
            reworking.set(Some(photo.hash.clone()));
            leptos::task::spawn_local(async move {
                let original = originals.with_value(|o| o.get(photo.hash.as_str()).cloned());
                let result = match original {
                    // From the original: the user's earlier marks are applied again with the new one.
                    Some(bytes) => {
                        let mut boxes: Vec<PixelBox> = photo
                            .blurred
                            .iter()
                            .filter(|x| x.kind == BlurredKind::Manual)
                            .map(|x| x.area)
                            .collect();
                        boxes.push(b);
                        backend.add_photo(bytes.clone(), &boxes).await.map(|p| (p, Some(bytes)))
                    }
                    // After a reload only the anonymized photo exists: blur further in its pixels.
                    None => {
                        let sx = photo.width as f32 / photo.source_width.max(1) as f32;
                        let sy = photo.height as f32 / photo.source_height.max(1) as f32;
                        let scaled = [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy];
                        match backend.photo_src(&photo.hash).await {
                            Ok(url) => match url_bytes(&url).await {
                                Ok(bytes) => backend.add_photo(bytes, &[scaled]).await.map(|p| (p, None)),
                                Err(e) => Err(e),
                            },
                            Err(e) => Err(e),
                        }
                    }
                };
                reworking.set(None);
                match result {
                    Ok((mut new, original)) => {
                        if original.is_none() {
                            // Keep the list of what was blurred before.
                            let mut all = photo.blurred.clone();
                            all.extend(new.blurred.into_iter().filter(|x| x.kind == BlurredKind::Manual).map(
                                |mut x| {
                                    x.area = b;
                                    x
                                },
                            ));
                            new.blurred = all;
                            new.source_width = photo.source_width;
                            new.source_height = photo.source_height;
                            new.suggested_location = photo.suggested_location;
                        }
                        if let Some(bytes) = original {
                            originals.update_value(|o| {
                                o.insert(new.hash.as_str().to_owned(), bytes);
                            });
                        }
                        let old = photo.hash.clone();
                        draft.update(|d| {
                            if let Some(slot) = d.photos.get_mut(index) {
                                *slot = new;
                            }
                        });
                        let _ = backend.discard_photo(&old).await;
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let remove = {
        let backend = backend.clone();
        move |index: usize| {
            let removed = draft.with_untracked(|d| d.photos.get(index).map(|p| p.hash.clone()));
            draft.update(|d| {
                if index < d.photos.len() {
                    d.photos.remove(index);
                }
            });
            if let Some(hash) = removed {
                let backend = backend.clone();
                leptos::task::spawn_local(async move {
                    let _ = backend.discard_photo(&hash).await;
                });
            }
        }
    };

    let use_device_position = {
        let set_location = set_location.clone();
        move |_| {
            let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
                location_error.set(Some(UiError::localized("e-location-unavailable")));
                return;
            };
            let set_location = set_location.clone();
            let ok = Closure::<dyn FnMut(web_sys::Position)>::new(move |p: web_sys::Position| {
                let c = p.coords();
                set_location(c.latitude(), c.longitude(), LocationSource::Device);
            });
            let fail = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                location_error.set(Some(UiError::localized("e-location-failed")));
            });
            let _ = geo.get_current_position_with_error_callback(
                ok.as_ref().unchecked_ref(),
                Some(fail.as_ref().unchecked_ref()),
            );
            ok.forget();
            fail.forget();
        }
    };

    // The map, once tiles are known and there is a place to show.
    let map_shown = RwSignal::new(false);
    {
        let set_location = set_location.clone();
        let ctx = ctx.clone();
        Effect::new(move |_| {
            let tiles = ctx.tiles();
            let Some(point) = draft.with(|d| d.location()) else {
                return;
            };
            if map_shown.get_untracked() || saved.get().is_some() {
                return;
            }
            let set_location = set_location.clone();
            let label = i18n.t("map-marker");
            let shown = map::picker(MAP_ID, &tiles, (point.lat, point.lon), &label, move |lat, lon| {
                set_location(lat, lon, LocationSource::Map)
            });
            map_shown.set(shown);
        });
    }
    on_cleanup(|| map::remove(MAP_ID));

    let on_select_category = Callback::new(move |id: CategoryId| {
        // Read before the update: `config` derives from the draft, which is locked while it changes.
        let keep: Vec<String> = config
            .get_untracked()
            .and_then(|c| {
                c.categories
                    .effective_questions(&id)
                    .map(|q| q.iter().map(|q| q.id.as_str().to_owned()).collect())
            })
            .unwrap_or_default();
        draft.update(|d| {
            d.answers.retain(|k, _| keep.contains(k));
            d.category = Some(id);
        })
    });
    let on_answer = Callback::new(move |(id, value): (String, Option<serde_json::Value>)| {
        draft.update(|d| match value {
            Some(v) => {
                d.answers.insert(id, v);
            }
            None => {
                d.answers.remove(&id);
            }
        })
    });

    let submit = {
        let backend = backend.clone();
        let ctx = ctx.clone();
        move |ev: web_sys::SubmitEvent| {
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
            let mail_to = draft.with_untracked(|d| d.municipality.as_ref().and_then(mailed_to).map(str::to_owned));
            let backend = backend.clone();
            let sync = ctx.sync;
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
    };

    let question_label = move |id: &str| -> Option<String> {
        let config = config.get()?;
        let category = draft.with(|d| d.category.clone())?;
        let questions = config.categories.effective_questions(&category)?;
        let q = questions.into_iter().find(|q| q.id.as_str() == id)?;
        Some(i18n.lang().choose(&q.de, &q.en).to_owned())
    };
    let summary = move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="kern-alert kern-alert--danger" id="error-summary" tabindex="-1" role="alert"
                    data-testid="error-summary">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                        <span class="kern-title">{i18n.t("errors-title")}</span>
                    </div>
                    <div class="kern-alert__body">
                        <ul class="kern-list">
                            {list.into_iter().map(|p| {
                                let href = format!("#{}", field_anchor(&p.field));
                                let text = format!("{}: {}", field_label(&i18n, &p.field, question_label), problem_text(&i18n, &p));
                                let anchor = field_anchor(&p.field);
                                view! { <li><a class="kern-link" href=href on:click=move |ev| {
                                    ev.prevent_default();
                                    focus(&anchor);
                                }>{text}</a></li> }
                            }).collect_view()}
                        </ul>
                    </div>
                </div>
            }
        })
    };

    let anon_where = move || {
        if ctx.backend.is_app() {
            i18n.t("anon-on-device")
        } else {
            i18n.t("anon-on-server")
        }
    };
    let photos_view = {
        let mark = mark.clone();
        let remove = remove.clone();
        move || {
            draft
                .with(|d| d.photos.clone())
                .into_iter()
                .enumerate()
                .map(|(index, photo)| {
                    let mark = mark.clone();
                    let remove = remove.clone();
                    let hash = photo.hash.clone();
                    let busy = Signal::derive(move || reworking.get().as_ref() == Some(&hash));
                    view! {
                        <PhotoCard photo=photo index=index busy=busy
                            on_mark=Callback::new(move |b| mark(index, b))
                            on_remove=Callback::new(move |_| remove(index)) />
                    }
                })
                .collect_view()
        }
    };

    let location_text = move || {
        draft.with(|d| d.location()).map(|p| {
            let source = draft.with(|d| d.location_source);
            let key = match source {
                Some(LocationSource::Photo) => "location-from-photo",
                Some(LocationSource::Device) => "location-from-device",
                Some(LocationSource::Map) => "location-from-map",
                _ => "location-typed",
            };
            format!("{} ({})", format::coordinates(p.lat, p.lon), i18n.t(key))
        })
    };
    let municipality_view = move || {
        draft.with(|d| d.municipality.clone()).map(|m| {
            let confirm = needs_confirmation(&m);
            let place = place_name(&m);
            let place2 = place.clone();
            let place3 = place.clone();
            let logo = config.get().and_then(|c| c.logo);
            let served = is_served(&m);
            let mail_to = mailed_to(&m).map(str::to_owned);
            view! {
                <div class="municipality" id=field_anchor("municipality") tabindex="-1">
                    <p class="kern-body municipality__name">
                        {logo.map(|src| view! {
                            <img class="municipality__logo" src=src data-testid="municipality-logo"
                                alt=move || i18n.t_args("municipality-logo", &[("name", place3.clone().into())]) />
                        })}
                        <span>
                            {move || i18n.t("municipality-responsible")}" "
                            <strong data-testid="municipality-name">{place.clone()}</strong>
                        </span>
                    </p>
                    // Told before anything is written: the report leaves the platform.
                    {mail_to.map(|to| view! {
                        <div class="kern-alert kern-alert--info" data-testid="mail-notice">
                            <div class="kern-alert__header">
                                <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                                <span class="kern-title">{move || i18n.t("mail-notice-title")}</span>
                            </div>
                            <div class="kern-alert__body">
                                <p class="kern-body">{move || i18n.t_args("mail-notice", &[("to", to.clone().into())])}</p>
                            </div>
                        </div>
                    })}
                    <Show when=move || !served>
                        <div class="kern-alert kern-alert--danger" data-testid="municipality-refused">
                            <div class="kern-alert__header">
                                <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                                <span class="kern-title">{move || i18n.t("municipality-inactive")}</span>
                            </div>
                            <div class="kern-alert__body">
                                <p class="kern-body">{move || i18n.t("municipality-refused-reason")}</p>
                            </div>
                        </div>
                    </Show>
                    <Show when=move || confirm>
                        <div class="kern-form-check">
                            <input class="kern-form-check__checkbox" type="checkbox" id="municipality-confirm"
                                data-testid="municipality-confirm"
                                prop:checked=move || draft.with(|d| d.municipality_confirmed)
                                on:change=move |ev| draft.update(|d| d.municipality_confirmed = event_target_checked(&ev)) />
                            <label class="kern-label" for="municipality-confirm">
                                {let place2 = place2.clone(); move || i18n.t_args("municipality-confirm", &[("name", place2.clone().into())])}
                            </label>
                        </div>
                    </Show>
                    <FieldProblem problems=problems field="municipality" />
                </div>
            }
        })
    };
    // Where the report is mailed to an administration not on the platform: whether the
    // citizen's address goes with it (only with an address; off unless chosen).
    let share_contact_view = move || {
        let to = draft.with(|d| d.municipality.as_ref().and_then(mailed_to).map(str::to_owned))?;
        let no_email = move || draft.with(|d| d.email.trim().is_empty());
        Some(view! {
            <div class="share-contact">
                <div class="kern-form-check">
                    <input class="kern-form-check__checkbox" type="checkbox" id="share-contact-input"
                        data-testid="share-contact" aria-describedby="share-contact-hint"
                        prop:disabled=no_email
                        prop:checked=move || draft.with(|d| d.share_contact && !d.email.trim().is_empty())
                        on:change=move |ev| draft.update(|d| d.share_contact = event_target_checked(&ev)) />
                    <label class="kern-label" for="share-contact-input">
                        {let to = to.clone(); move || i18n.t_args("share-contact", &[("to", to.clone().into())])}
                    </label>
                </div>
                <p class="kern-hint" id="share-contact-hint">
                    {move || if no_email() { i18n.t("share-contact-needs-email") } else { i18n.t("share-contact-help") }}
                </p>
            </div>
        })
    };
    let category_view = move || {
        let Some(config) = config.get() else {
            return view! { <p class="kern-hint">{move || i18n.t("category-needs-location")}</p> }.into_any();
        };
        let selected = Signal::derive(move || draft.with(|d| d.category.clone()));
        view! {
            <CategoryPicker tree=config.categories.clone() selected=selected on_select=on_select_category problems=problems />
        }
        .into_any()
    };
    let questions_view = move || {
        let config = config.get()?;
        let category = draft.with(|d| d.category.clone())?;
        let questions: Vec<_> = config
            .categories
            .effective_questions(&category)?
            .into_iter()
            .cloned()
            .collect();
        if questions.is_empty() {
            return None;
        }
        let answers = Signal::derive(move || draft.with(|d| d.answers.clone()));
        Some(view! {
            <section class="form-section" aria-labelledby="questions-heading">
                <h2 class="kern-heading-small" id="questions-heading">{move || i18n.t("section-questions")}</h2>
                <Questions questions=questions answers=answers on_answer=on_answer problems=problems />
            </section>
        })
    };

    let nearby_view = move || {
        let list = nearby.get();
        let follow = follow.clone();
        (!list.is_empty()).then(|| {
            let lang = i18n.lang();
            let tree = config.get().map(|c| c.categories);
            view! {
                <div class="kern-alert kern-alert--info nearby" role="status" data-testid="nearby">
                    <div class="kern-alert__header">
                        <span class="kern-icon kern-icon--info" aria-hidden="true"></span>
                        <span class="kern-title">{i18n.t("nearby-title")}</span>
                    </div>
                    <div class="kern-alert__body">
                        <p class="kern-body">{i18n.t("nearby-lead")}</p>
                        <ul class="kern-list">
                            {list.into_iter().map(|n| {
                                let name = tree
                                    .as_ref()
                                    .and_then(|t| t.find(&n.category))
                                    .map(|c| lang.pick(&c.name()).to_owned())
                                    .unwrap_or_else(|| n.category.as_str().to_owned());
                                let text = i18n.t_args("nearby-item", &[
                                    ("status", lang.pick(&n.status.label()).to_owned().into()),
                                    ("date", format::date_time(lang, n.created_at).into()),
                                    ("distance", format::distance(lang, n.distance_m).into()),
                                ]);
                                let id = n.id;
                                let own = n.own;
                                let follow = follow.clone();
                                let is_followed = move || following.with(|f| f.contains(&id));
                                view! {
                                    <li class="nearby__item" data-testid="nearby-report" data-report-id=n.id.to_string()>
                                        <span><strong>{name}</strong>": "{text}</span>
                                        {own.then(|| view! {
                                            <a class="kern-link" data-testid="nearby-own" href=Route::Report(id.to_string()).href()>
                                                {move || i18n.t("nearby-own")}</a>
                                        })}
                                        <Show when=move || !own && is_followed() fallback=move || {
                                            let follow = follow.clone();
                                            (!own).then(|| view! {
                                                <button type="button" class="kern-btn kern-btn--secondary kern-btn--small"
                                                    data-testid="nearby-follow" on:click=move |_| follow(id)>
                                                    <span class="kern-label">{move || i18n.t("nearby-follow")}</span>
                                                </button>
                                            })
                                        }>
                                            <span class="nearby__following" data-testid="nearby-following">
                                                <span class="kern-icon kern-icon--check kern-icon--small" aria-hidden="true"></span>
                                                {move || i18n.t("nearby-following")}" "
                                                <a class="kern-link" href=Route::MyReports.href()>{move || i18n.t("nearby-see-followed")}</a>
                                            </span>
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <ErrorAlert error=follow_error.into() />
                    </div>
                </div>
            }
        })
    };

    let form = move || {
        let nearby_view = nearby_view.clone();
        let submit = submit.clone();
        let on_files = on_files.clone();
        let on_drop = on_drop.clone();
        let use_device_position = use_device_position.clone();
        let set_location_lat = set_location.clone();
        let set_location_lon = set_location.clone();
        view! {
            <form class="report-form" novalidate on:submit=submit>
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
                {summary}
                <ErrorAlert error=error.into() />

                <section class="form-section" aria-labelledby="photos-heading">
                    <h2 class="kern-heading-small" id="photos-heading">{move || i18n.t("section-photos")}</h2>
                    <p class="kern-hint" data-testid="anon-where">
                        <span class="kern-icon kern-icon--visibility-off kern-icon--small" aria-hidden="true"></span>
                        {anon_where.clone()}
                    </p>
                    <div class="dropzone" class:dropzone--active=move || dragging.get()
                        on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=on_drop>
                        <input id="photo-input" class="kern-sr-only" type="file" accept="image/jpeg,image/png,image/webp"
                            multiple data-testid="photo-input" on:change=on_files />
                        <label for="photo-input" class="kern-btn kern-btn--secondary">
                            <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                            <span class="kern-label">{move || i18n.t("photo-add")}</span>
                        </label>
                        <p class="kern-hint">{move || i18n.t("photo-drop-hint")}</p>
                    </div>
                    <Show when=move || { adding.get() > 0 }>
                        <p class="kern-body working" role="status">
                            <span class="kern-loader kern-loader--visible" aria-hidden="true"></span>
                            {move || i18n.t("photo-working")}
                        </p>
                    </Show>
                    <ul class="photo-list" aria-label=move || i18n.t("section-photos")>{photos_view.clone()}</ul>
                </section>

                <section class="form-section" aria-labelledby="place-heading">
                    <h2 class="kern-heading-small" id="place-heading">{move || i18n.t("section-place")}</h2>
                    <div class="kern-btn-wrapper">
                        <button type="button" class="kern-btn kern-btn--secondary" on:click=use_device_position>
                            <span class="kern-icon kern-icon--home" aria-hidden="true"></span>
                            <span class="kern-label">{move || i18n.t("location-use-device")}</span>
                        </button>
                    </div>
                    <div id=MAP_ID class="map" class:map--hidden=move || !map_shown.get()
                        role="application" aria-label=move || i18n.t("map-label")></div>
                    <Show when=move || !map_shown.get()>
                        <p class="kern-hint">{move || i18n.t("map-unavailable")}</p>
                    </Show>
                    <div class="coords" id=field_anchor("location")>
                        <div class="kern-form-input">
                            <label class="kern-label" for="lat-input">{move || i18n.t("latitude")}</label>
                            <input id="lat-input" class="kern-form-input__input" type="text" inputmode="decimal"
                                data-testid="lat-input" autocomplete="off"
                                prop:value=move || draft.with(|d| d.lat.clone())
                                on:change=move |ev| {
                                    draft.update(|d| { d.lat = event_target_value(&ev); d.location_source = Some(LocationSource::Typed); });
                                    if let Some(p) = draft.with_untracked(|d| d.location()) { set_location_lat(p.lat, p.lon, LocationSource::Typed); }
                                } />
                        </div>
                        <div class="kern-form-input">
                            <label class="kern-label" for="lon-input">{move || i18n.t("longitude")}</label>
                            <input id="lon-input" class="kern-form-input__input" type="text" inputmode="decimal"
                                data-testid="lon-input" autocomplete="off"
                                prop:value=move || draft.with(|d| d.lon.clone())
                                on:change=move |ev| {
                                    draft.update(|d| { d.lon = event_target_value(&ev); d.location_source = Some(LocationSource::Typed); });
                                    if let Some(p) = draft.with_untracked(|d| d.location()) { set_location_lon(p.lat, p.lon, LocationSource::Typed); }
                                } />
                        </div>
                    </div>
                    <p class="kern-body kern-body--small" data-testid="location-text">{location_text}</p>
                    <FieldProblem problems=problems field="location" />
                    <ErrorAlert error=location_error.into() />
                    <div class="kern-form-input">
                        <label class="kern-label" for="address-hint">{move || i18n.t("address-hint")}
                            <span class="kern-label__optional">{move || format!(" – {}", i18n.t("optional"))}</span></label>
                        <input id="address-hint" class="kern-form-input__input" type="text" maxlength="200"
                            data-testid="address-hint" prop:value=move || draft.with(|d| d.address_hint.clone())
                            on:change=move |ev| draft.update(|d| d.address_hint = event_target_value(&ev)) />
                        <p class="kern-hint">{move || i18n.t("address-hint-help")}</p>
                    </div>
                    {municipality_view}
                </section>

                <section class="form-section" aria-labelledby="category-heading">
                    <h2 class="kern-heading-small" id="category-heading">{move || i18n.t("section-category")}</h2>
                    {category_view}
                    {nearby_view}
                </section>

                {questions_view}

                <section class="form-section" aria-labelledby="details-heading">
                    <h2 class="kern-heading-small" id="details-heading">{move || i18n.t("section-details")}</h2>
                    <div class="kern-form-input">
                        <label class="kern-label" for=field_anchor("description")>{move || i18n.t("description")}
                            <span class="kern-label__optional">{move || format!(" – {}", i18n.t("optional"))}</span></label>
                        <textarea id=field_anchor("description") class="kern-form-input__input" rows="4" maxlength="4000"
                            data-testid="description" prop:value=move || draft.with(|d| d.description.clone())
                            on:input=move |ev| draft.update(|d| d.description = event_target_value(&ev))></textarea>
                        <FieldProblem problems=problems field="description" />
                    </div>
                    <div class="kern-form-input">
                        <label class="kern-label" for=field_anchor("contact_email")>{move || i18n.t("email")}
                            <span class="kern-label__optional">{move || format!(" – {}", i18n.t("optional"))}</span></label>
                        <input id=field_anchor("contact_email") class="kern-form-input__input" type="email"
                            autocomplete="email" data-testid="email" prop:value=move || draft.with(|d| d.email.clone())
                            on:change=move |ev| draft.update(|d| d.email = event_target_value(&ev)) />
                        <p class="kern-hint">{move || i18n.t("email-help")}</p>
                        <FieldProblem problems=problems field="contact_email" />
                    </div>
                    {share_contact_view}
                    <div class="kern-form-check consent" id=field_anchor("consent")>
                        <input class="kern-form-check__checkbox" type="checkbox" id="consent-input" data-testid="consent"
                            prop:checked=move || draft.with(|d| d.consent)
                            on:change=move |ev| draft.update(|d| d.consent = event_target_checked(&ev)) />
                        <label class="kern-label" for="consent-input">{move || i18n.t("consent")}</label>
                    </div>
                    <FieldProblem problems=problems field="consent" />
                    <crate::components::legal::ConsentNotice config=config />
                </section>

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
