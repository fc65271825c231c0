//! The public page of reports (`/m`, `/m/{ags}`, and `/embed/{ags}` for an iframe on the
//! municipality's website): a map with the server's clusters, a list newest first, a
//! filter by category, status and period, and a detail view with the public history.
//! A municipality's page opens a report's detail at `/m/{ags}/{report}` (the link in
//! alert mails); opening one adds a history entry, and back closes it.
//!
//! Everything shown comes from `/api/v1/public/reports…`, which sends only what may be
//! public (positions on the municipality's grid unless staff marked them exact; text and
//! photos only when published and approved). The list beside the map keeps every report
//! reachable by keyboard and without tiles.

mod alerts;
mod alerts_page;
mod api;
mod detail;
mod filters;
mod map;

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

use crate::backend::UiError;
use crate::components::errors::ErrorAlert;
use crate::i18n::use_i18n;
use crate::route::Route;
use crate::shell::use_ctx;
use api::{Filter, MunicipalityPage, PublicList, PublicMap, PublicReportDetail, Viewport};
use detail::{Detail, ReportFacts};
use filters::Filters;

pub use alerts_page::AlertPage;

/// Reports per page of the list.
const PAGE_SIZE: u32 = 25;

/// A counter that lets only the newest of several requests in flight show its answer
/// (the map moves faster than answers come back).
#[derive(Clone, Default)]
struct Latest(Rc<Cell<u64>>);

impl Latest {
    fn next(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }

    fn is(&self, n: u64) -> bool {
        self.0.get() == n
    }
}

/// The report a public page's route shows.
fn open_report(route: &Route) -> Option<String> {
    match route {
        Route::PublicMap { report, .. } => report.clone(),
        _ => None,
    }
}

/// The page.
#[component]
pub fn PublicMapPage(ags: Option<String>, embed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_ctx();
    let info = ctx.info;
    // The web page asks its own server; the app, the server it is configured for.
    let server = move || info.with_untracked(|i| i.as_ref().and_then(|i| i.server.clone()));
    let statewide = ags.is_none();

    let municipality: RwSignal<Option<MunicipalityPage>> = RwSignal::new(None);
    let ready = RwSignal::new(statewide);
    let error: RwSignal<Option<UiError>> = RwSignal::new(None);
    if let Some(ags) = ags.clone() {
        leptos::task::spawn_local(async move {
            match api::load_municipality(server().as_deref(), &ags).await {
                Ok(m) => municipality.set(Some(m)),
                Err(e) => error.set(Some(e)),
            }
            ready.set(true);
        });
    }
    let enabled = move || municipality.with(|m| m.as_ref().is_none_or(|m| m.public.enabled));

    let filter = RwSignal::new(Filter::default());
    let viewport: RwSignal<Option<Viewport>> = RwSignal::new(None);
    let page = RwSignal::new(1u32);
    let shown: RwSignal<Option<PublicMap>> = RwSignal::new(None);
    let list: RwSignal<Option<PublicList>> = RwSignal::new(None);
    // The open report follows the URL (`/m/{ags}/{report}`; back closes it) on a
    // municipality's page; the statewide and the embedded view keep it to themselves.
    let route = crate::route::use_route();
    let in_url = !embed && ags.is_some();
    let selected: RwSignal<Option<String>> = RwSignal::new(route.with_untracked(open_report));
    Effect::new(move |_| {
        let report = route.with(open_report);
        if in_url {
            selected.set(report);
        }
    });
    let open = {
        let ags = ags.clone();
        Callback::new(move |id: String| match ags.clone().filter(|_| in_url) {
            Some(ags) => {
                let next = Route::PublicMap {
                    ags: Some(ags),
                    embed: false,
                    report: Some(id),
                };
                // One entry for the detail, whichever report it shows: back returns to the list.
                if route.with_untracked(open_report).is_some() {
                    crate::route::replace(&next);
                } else {
                    crate::route::push(&next);
                }
            }
            None => selected.set(Some(id)),
        })
    };
    let detail: RwSignal<Option<PublicReportDetail>> = RwSignal::new(None);
    let map_drawn = RwSignal::new(false);

    // A new filter starts the list at its first page.
    Effect::new(move |prev: Option<Filter>| {
        let now = filter.get();
        if prev.is_some_and(|p| p != now) {
            page.set(1);
        }
        now
    });

    // The map, once the municipality (its boundary) is known; drawn again when the tile
    // settings arrive.
    Effect::new(move |_| {
        if !ready.get() || !enabled() {
            return;
        }
        let tiles = ctx.tiles();
        let boundary = municipality.with_untracked(|m| m.as_ref().and_then(|m| m.boundary.clone()));
        let drawn = map::create(
            &tiles,
            boundary.as_ref(),
            move |v| {
                let _ = viewport.try_set(Some(v));
            },
            move |id| {
                let _ = open.try_run(id);
            },
        );
        map_drawn.set(drawn);
    });
    on_cleanup(map::remove);

    // The viewport's clusters and reports.
    {
        let latest = Latest::default();
        let ags = ags.clone();
        Effect::new(move |_| {
            let Some(view) = viewport.get() else {
                return;
            };
            let f = filter.get();
            let n = latest.next();
            let latest = latest.clone();
            let ags = ags.clone();
            leptos::task::spawn_local(async move {
                let answer = api::load_map(server().as_deref(), ags.as_deref(), &f, view).await;
                if latest.is(n) {
                    match answer {
                        Ok(m) => {
                            let _ = shown.try_set(Some(m));
                        }
                        Err(e) => {
                            let _ = error.try_set(Some(e));
                        }
                    }
                }
            });
        });
    }
    Effect::new(move |_| {
        let lang = i18n.lang();
        shown.with(|m| {
            if let Some(m) = m {
                map::show(lang, m, |count| {
                    i18n.t_args("pm-cluster-label", &[("count", (count as f64).into())])
                });
            }
        });
    });

    // The list.
    {
        let latest = Latest::default();
        let ags = ags.clone();
        Effect::new(move |_| {
            if !ready.get() || !enabled() {
                return;
            }
            let f = filter.get();
            let p = page.get();
            let n = latest.next();
            let latest = latest.clone();
            let ags = ags.clone();
            leptos::task::spawn_local(async move {
                let answer = api::load_list(server().as_deref(), ags.as_deref(), &f, p, PAGE_SIZE).await;
                if latest.is(n) {
                    match answer {
                        Ok(l) => {
                            let _ = error.try_set(None);
                            let _ = list.try_set(Some(l));
                        }
                        Err(e) => {
                            let _ = error.try_set(Some(e));
                        }
                    }
                }
            });
        });
    }

    // The chosen report.
    {
        let latest = Latest::default();
        Effect::new(move |_| {
            let Some(id) = selected.get() else {
                detail.set(None);
                return;
            };
            let n = latest.next();
            let latest = latest.clone();
            leptos::task::spawn_local(async move {
                let answer = api::load_detail(server().as_deref(), &id).await;
                if latest.is(n) {
                    match answer {
                        Ok(d) => {
                            map::focus(d.report.location.lat, d.report.location.lon);
                            let _ = detail.try_set(Some(d));
                        }
                        Err(e) => {
                            let _ = error.try_set(Some(e));
                        }
                    }
                }
            });
        });
    }

    let title = move || match municipality.get() {
        Some(m) => i18n.t_args("pm-title", &[("name", m.name.into())]),
        None if statewide => i18n.t("pm-title-statewide"),
        None => i18n.t("pm-title-loading"),
    };
    let total = move || {
        list.get().map(|l| {
            view! {
                <p class="kern-body" role="status" data-testid="pm-total" data-total=l.total.to_string()>
                    {i18n.t_args("pm-total", &[("count", (l.total as f64).into())])}
                </p>
            }
        })
    };
    let categories = Signal::derive(move || municipality.with(|m| m.as_ref().and_then(|m| m.categories.clone())));
    let back = Callback::new(move |()| {
        if !(in_url && route.with_untracked(open_report).is_some()) {
            selected.set(None);
        } else if crate::route::pushed_here() {
            crate::route::back();
        } else {
            // Opened from a link: the list replaces the detail.
            crate::route::replace(&route.with_untracked(Route::page));
        }
    });

    let items = move || {
        list.get().map(|l| {
            if l.items.is_empty() {
                return view! {
                    <p class="kern-body" data-testid="pm-empty">{move || i18n.t("pm-empty")}</p>
                }
                .into_any();
            }
            let last_page = l.total.div_ceil(u64::from(PAGE_SIZE.max(1))).max(1);
            view! {
                <ol class="map-list" data-testid="pm-list">
                    {l.items.into_iter().map(|r| {
                        let id = r.id.clone();
                        let name = r.category_name.clone();
                        view! {
                            <li class="map-list__item" data-testid="pm-item" data-id=r.id.clone() data-status=r.status.as_str()>
                                <span class=format!("map-list__dot map-pin--{}", r.status.as_str()) aria-hidden="true"></span>
                                <div>
                                    <p class="kern-body kern-body--bold">
                                        <button type="button" class="kern-link public-list__open" data-testid="pm-open"
                                            on:click=move |_| open.run(id.clone())>
                                            {move || i18n.lang().pick(&name).to_owned()}
                                        </button>
                                    </p>
                                    <ReportFacts report=r.clone() show_municipality=statewide />
                                    {(r.comments > 0).then(|| view! {
                                        <p class="kern-body kern-body--small" data-testid="pm-comments">
                                            {move || i18n.t_args("pm-comments", &[("count", r.comments.into())])}</p>
                                    })}
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <Show when=move || { last_page > 1 }>
                    <nav class="public-pager" aria-label=move || i18n.t("pm-pages")>
                        <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="pm-prev"
                            disabled=move || { page.get() <= 1 } on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>
                            <span class="kern-label">{move || i18n.t("pm-prev")}</span>
                        </button>
                        <span class="kern-body kern-body--small">
                            {move || i18n.t_args("pm-page", &[("page", page.get().into()), ("pages", (last_page as f64).into())])}
                        </span>
                        <button type="button" class="kern-btn kern-btn--secondary kern-btn--small" data-testid="pm-next"
                            disabled=move || { u64::from(page.get()) >= last_page } on:click=move |_| page.update(|p| *p += 1)>
                            <span class="kern-label">{move || i18n.t("pm-next")}</span>
                        </button>
                    </nav>
                </Show>
            }
            .into_any()
        })
    };
    let panel = move || match detail.get() {
        Some(d) => view! { <Detail detail=d show_municipality=statewide on_back=back /> }.into_any(),
        None => items.into_any(),
    };
    let full_page = ags.clone().map(|a| format!("/m/{a}"));
    let licence = move || municipality.with(|m| m.as_ref().and_then(|m| m.public.licence.clone()));

    view! {
        <section class="public-map" class:public-map--embed=embed data-testid="public-map-page"
            data-map=move || map_drawn.get().to_string()>
            // Without the app's header the embedded page carries its own language switch.
            {embed.then(|| view! {
                <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small lang-switch public-map__lang"
                    data-testid="pm-lang-switch" lang=move || i18n.lang().other().tag()
                    on:click=move |_| i18n.set(i18n.lang().other())>
                    <span class="kern-icon kern-icon--language" aria-hidden="true"></span>
                    <span class="kern-label">{move || i18n.t("switch-language")}</span>
                </button>
            })}
            <h1 class="kern-heading-large">{title}</h1>
            <p class="kern-body">{move || i18n.t("pm-intro")}</p>
            <ErrorAlert error=error.into() />
            <Show when=move || !enabled()>
                <div class="kern-alert kern-alert--info" role="status" data-testid="pm-disabled">
                    <div class="kern-alert__header">
                        <span class="kern-title">{move || i18n.t("pm-disabled")}</span>
                    </div>
                </div>
            </Show>
            <div class:map--hidden=move || !enabled()>
                <Filters filter=filter categories=categories />
                {total}
                <div class="map-layout">
                    <div id=map::MAP_ID class="console-map console-map--large public-map__map" role="region"
                        aria-label=move || i18n.t("pm-map-label") data-testid="pm-map"
                        data-clusters=move || shown.with(|m| m.as_ref().map_or(0, |m| m.clusters.len()).to_string())
                        data-pins=move || shown.with(|m| m.as_ref().map_or(0, |m| m.reports.len()).to_string())></div>
                    <div class="map-layout__list" data-testid="pm-panel">{panel}</div>
                </div>
                <alerts::AlertSignup ags=ags.clone() map_drawn=map_drawn.into() server=Signal::derive(server) />
                <p class="kern-body kern-body--small public-map__licence">
                    {move || licence().map(|l| i18n.t_args("pm-licence", &[("licence", l.into())]))}
                    " "
                    {full_page.clone().filter(|_| embed).map(|href| view! {
                        <a class="kern-link" href=href target="_blank" rel="noopener" data-testid="pm-full-page">
                            {move || i18n.t("pm-open-full")}</a>
                    })}
                </p>
            </div>
        </section>
    }
}
