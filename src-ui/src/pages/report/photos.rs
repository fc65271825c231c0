//! The report's photos: chosen or dropped files are anonymized at once (the originals stay
//! in memory only, to blur again from them); a missed face or plate can be marked, a
//! photo removed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::public::BlurredKind;

use super::{Form, MAX_PHOTOS};
use crate::backend::{AnonymizedBy, UiError};
use crate::components::photo::{PhotoCard, PixelBox};
use crate::draft::LocationSource;
use crate::i18n::use_i18n;

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

impl Form {
    /// Anonymizes each file; the first GPS position becomes the place if there is none yet.
    fn add_files(self, files: Vec<web_sys::File>) {
        let Form {
            draft,
            adding,
            error,
            originals,
            ..
        } = self;
        for file in files {
            if draft.with_untracked(|d| d.photos.len()) + adding.get_untracked() >= MAX_PHOTOS {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("max", MAX_PHOTOS);
                error.set(Some(UiError::localized_with("e-max-photos", &args)));
                break;
            }
            let backend = self.backend();
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
                            self.set_location(p.lat, p.lon, LocationSource::Photo);
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    }

    /// Blurs a marked box of photo `index`.
    fn mark(self, index: usize, b: PixelBox) {
        let Form {
            draft,
            error,
            originals,
            reworking,
            ..
        } = self;
        let backend = self.backend();
        let Some(photo) = draft.with_untracked(|d| d.photos.get(index).cloned()) else {
            return;
        };
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
                        all.extend(
                            new.blurred
                                .into_iter()
                                .filter(|x| x.kind == BlurredKind::Manual)
                                .map(|mut x| {
                                    x.area = b;
                                    x
                                }),
                        );
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

    /// Removes photo `index` (and discards it in the backend).
    fn remove(self, index: usize) {
        let draft = self.draft;
        let removed = draft.with_untracked(|d| d.photos.get(index).map(|p| p.hash.clone()));
        draft.update(|d| {
            if index < d.photos.len() {
                d.photos.remove(index);
            }
        });
        if let Some(hash) = removed {
            let backend = self.backend();
            leptos::task::spawn_local(async move {
                let _ = backend.discard_photo(&hash).await;
            });
        }
    }
}

/// The photo section: where anonymization happens, the drop zone and the photos.
pub(super) fn photos_section(f: Form) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = crate::shell::use_ctx();
    let Form {
        draft,
        adding,
        reworking,
        ..
    } = f;
    let dragging = RwSignal::new(false);
    let on_files = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let files = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect());
        f.add_files(files.unwrap_or_default());
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect());
        f.add_files(files.unwrap_or_default());
    };
    // The app always anonymizes on the device; the page where its browser runs the
    // anonymizer (`AppInfo::anonymizes_on_device`) and none of the photos had to go to the
    // server after all (each card says where its photo was anonymized).
    let is_app = ctx.backend.is_app();
    let info = ctx.info;
    let backend = ctx.backend.clone();
    let on_device = Signal::derive(move || {
        is_app
            || (info.with(|i| i.as_ref().is_some_and(|i| i.anonymizes_on_device))
                && !draft.with(|d| {
                    d.photos
                        .iter()
                        .any(|p| backend.anonymized_by(&p.hash) == Some(AnonymizedBy::Server))
                }))
    });
    let anon_where = move || {
        if on_device.get() {
            i18n.t("anon-on-device")
        } else {
            i18n.t("anon-on-server")
        }
    };
    let photos_view = move || {
        draft
            .with(|d| d.photos.clone())
            .into_iter()
            .enumerate()
            .map(|(index, photo)| {
                let hash = photo.hash.clone();
                let busy = Signal::derive(move || reworking.get().as_ref() == Some(&hash));
                view! {
                    <PhotoCard photo=photo index=index busy=busy
                        on_mark=Callback::new(move |b| f.mark(index, b))
                        on_remove=Callback::new(move |_| f.remove(index)) />
                }
            })
            .collect_view()
    };
    view! {
        <section class="form-section" aria-labelledby="photos-heading">
            <h2 class="kern-heading-small" id="photos-heading">{move || i18n.t("section-photos")}</h2>
            <p class="kern-hint" data-testid="anon-where" data-anonymized=move || if on_device.get() { "device" } else { "server" }>
                <span class="kern-icon kern-icon--visibility-off kern-icon--small" aria-hidden="true"></span>
                {anon_where}
            </p>
            <div class="dropzone" class:dropzone--active=move || dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                // On a phone the first opens the camera, the second the gallery; a desktop
                // browser ignores `capture`, so the second is hidden where the pointer is fine.
                <input id="photo-input" class="kern-sr-only" type="file" accept="image/*" capture="environment"
                    multiple data-testid="photo-input" on:change=on_files />
                <label for="photo-input" class="kern-btn kern-btn--secondary">
                    <span class="kern-icon kern-icon--add" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("photo-add")}</span>
                </label>
                <input id="photo-pick" class="kern-sr-only" type="file" accept="image/*"
                    multiple data-testid="photo-pick" on:change=on_files />
                <label for="photo-pick" class="kern-btn kern-btn--tertiary photo-pick">
                    <span class="kern-label">{move || i18n.t("photo-pick")}</span>
                </label>
                <p class="kern-hint">{move || i18n.t("photo-drop-hint")}</p>
            </div>
            <Show when=move || { adding.get() > 0 }>
                <p class="kern-body working" role="status">
                    <span class="kern-loader kern-loader--visible" aria-hidden="true"></span>
                    {move || i18n.t("photo-working")}
                </p>
            </Show>
            <ul class="photo-list" aria-label=move || i18n.t("section-photos")>{photos_view}</ul>
        </section>
    }
}
