//! A photo after anonymization: the picture with the blurred areas outlined, what was
//! blurred, and a drag on the picture to blur something the detectors missed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use augenmerk_domain::public::{AnonymizedPhoto, BlurredKind};

use crate::backend::AnonymizedBy;
use crate::i18n::use_i18n;
use crate::shell::use_ctx;

/// A box in the original's pixels: `[x1, y1, x2, y2]`.
pub type PixelBox = [f32; 4];

/// Loads the address an `<img>` shows the photo from.
pub fn photo_src_signal(hash: augenmerk_domain::BlobHash) -> RwSignal<Option<String>> {
    photo_src_and_origin(hash).0
}

/// [`photo_src_signal`], and where the photo was anonymized once that is known.
fn photo_src_and_origin(
    hash: augenmerk_domain::BlobHash,
) -> (RwSignal<Option<String>>, RwSignal<Option<AnonymizedBy>>) {
    let src = RwSignal::new(None);
    let backend = use_ctx().backend;
    let by = RwSignal::new(backend.anonymized_by(&hash));
    leptos::task::spawn_local(async move {
        if let Ok(url) = backend.photo_src(&hash).await {
            src.set(Some(url));
        }
        by.set(backend.anonymized_by(&hash));
    });
    (src, by)
}

fn kind_class(kind: BlurredKind) -> &'static str {
    match kind {
        BlurredKind::Face => "blur-box blur-box--face",
        BlurredKind::Plate => "blur-box blur-box--plate",
        BlurredKind::Manual => "blur-box blur-box--manual",
    }
}

/// One anonymized photo. `on_mark` gets a box the user drew; `on_remove` removes the photo.
#[component]
pub fn PhotoCard(
    photo: AnonymizedPhoto,
    index: usize,
    #[prop(into)] busy: Signal<bool>,
    on_mark: Callback<PixelBox>,
    on_remove: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (src, by) = photo_src_and_origin(photo.hash.clone());
    let info = use_ctx().info;
    let on_device = move || info.with(|i| i.as_ref().is_some_and(|i| i.anonymizes_on_device));
    let (w, h) = (photo.source_width.max(1) as f32, photo.source_height.max(1) as f32);
    let faces = photo.blurred.iter().filter(|b| b.kind == BlurredKind::Face).count();
    let plates = photo.blurred.iter().filter(|b| b.kind == BlurredKind::Plate).count();
    let manual = photo.blurred.iter().filter(|b| b.kind == BlurredKind::Manual).count();
    let marking = RwSignal::new(false);
    let drag: RwSignal<Option<(f32, f32, f32, f32)>> = RwSignal::new(None);
    let overlay = NodeRef::<leptos::svg::Svg>::new();

    // Pointer position in the original's pixels.
    let to_source = move |ev: &web_sys::PointerEvent| -> Option<(f32, f32)> {
        let el: web_sys::Element = overlay.get()?.unchecked_into();
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let x = ((f64::from(ev.client_x()) - rect.left()) / rect.width()).clamp(0.0, 1.0) as f32 * w;
        let y = ((f64::from(ev.client_y()) - rect.top()) / rect.height()).clamp(0.0, 1.0) as f32 * h;
        Some((x, y))
    };
    let down = move |ev: web_sys::PointerEvent| {
        if !marking.get_untracked() {
            return;
        }
        if let Some((x, y)) = to_source(&ev) {
            ev.prevent_default();
            drag.set(Some((x, y, x, y)));
        }
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if drag.get_untracked().is_none() {
            return;
        }
        if let Some((x, y)) = to_source(&ev) {
            drag.update(|d| {
                if let Some(d) = d {
                    d.2 = x;
                    d.3 = y;
                }
            });
        }
    };
    let up = move |_ev: web_sys::PointerEvent| {
        if let Some((x1, y1, x2, y2)) = drag.get_untracked() {
            drag.set(None);
            let b = [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)];
            // A tap is not a box; a real mark spans at least 1 % of the picture.
            if b[2] - b[0] > w * 0.01 && b[3] - b[1] > h * 0.01 {
                marking.set(false);
                on_mark.run(b);
            }
        }
    };

    let boxes = photo.blurred.clone();
    let summary = move || {
        i18n.t_args(
            "photo-blurred-summary",
            &[
                ("faces", (faces as f64).into()),
                ("plates", (plates as f64).into()),
                ("manual", (manual as f64).into()),
            ],
        )
    };
    let alt = move || i18n.t_args("photo-alt", &[("number", ((index + 1) as f64).into())]);
    view! {
        <li class="photo-card kern-card" data-testid="photo-card" data-hash=photo.hash.as_str().to_owned()
            data-faces=faces.to_string() data-plates=plates.to_string()
            data-anonymized=move || by.get().map(AnonymizedBy::as_str)>
            <div class="photo-card__frame" class:photo-card__frame--marking=move || marking.get()>
                {move || src.get().map(|s| view! { <img src=s alt=alt class="photo-card__img" /> })}
                <svg node_ref=overlay class="photo-card__overlay" viewBox=format!("0 0 {w} {h}")
                    preserveAspectRatio="none" aria-hidden="true"
                    on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointerleave=up>
                    {boxes.into_iter().map(|b| view! {
                        <rect class=kind_class(b.kind) x=b.area[0].to_string() y=b.area[1].to_string()
                            width=(b.area[2] - b.area[0]).to_string() height=(b.area[3] - b.area[1]).to_string() />
                    }).collect_view()}
                    {move || drag.get().map(|(x1, y1, x2, y2)| view! {
                        <rect class="blur-box blur-box--drawing" x=x1.min(x2).to_string() y=y1.min(y2).to_string()
                            width=(x1 - x2).abs().to_string() height=(y1 - y2).abs().to_string() />
                    })}
                </svg>
                <Show when=move || busy.get()>
                    <div class="photo-card__busy"><span class="kern-loader kern-loader--visible" role="status">
                        <span class="kern-sr-only">{move || i18n.t("photo-working")}</span></span></div>
                </Show>
            </div>
            <div class="kern-card__body photo-card__body">
                <p class="kern-body kern-body--small" data-testid="photo-summary">{summary}</p>
                // The page anonymizes in the browser, but this one went to the server after all.
                <Show when=move || by.get() == Some(AnonymizedBy::Server) && on_device()>
                    <p class="kern-hint" data-testid="photo-anon-server">{move || i18n.t("photo-anon-server")}</p>
                </Show>
                <Show when=move || marking.get()>
                    <p class="kern-hint">{move || i18n.t("photo-mark-hint")}</p>
                </Show>
                <div class="kern-btn-wrapper photo-card__actions">
                    <button type="button" class="kern-btn kern-btn--secondary kern-btn--x-small"
                        aria-pressed=move || marking.get().to_string() disabled=move || busy.get()
                        data-testid="photo-mark" on:click=move |_| marking.update(|m| *m = !*m)>
                        <span class="kern-icon kern-icon--edit" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("photo-mark")}</span>
                    </button>
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small"
                        disabled=move || busy.get() on:click=move |_| on_remove.run(())>
                        <span class="kern-icon kern-icon--delete" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("photo-remove")}</span>
                    </button>
                </div>
            </div>
        </li>
    }
}
