//! Keyboard triage: shortcuts through the inbox and the case page, and the on-screen
//! list of them ("Tastenkürzel", opened with `?` or its button).
//!
//! One key listener for the whole console. Which key does what where is a pure function
//! ([`decide`]); carrying it out touches the DOM and the route. Shortcuts never fire while
//! the focus is in a text field, a select or an editable element, nor with Ctrl, Alt or
//! Meta held (those belong to the browser). The inbox publishes the order of its current
//! page here ([`Triage::ids`]), so the case page can step to the next and previous case.

use std::collections::BTreeSet;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Page;
use crate::i18n::use_i18n;
use crate::route::{Route, use_route};

/// What the shortcuts share with the inbox.
#[derive(Debug, Clone, Copy)]
pub struct Triage {
    /// The ids of the inbox's current page, in order.
    pub ids: RwSignal<Vec<String>>,
    /// The row the keyboard is on.
    pub cursor: RwSignal<Option<usize>>,
    /// The selected reports (for bulk actions).
    pub selected: RwSignal<BTreeSet<String>>,
    /// Whether the list of shortcuts is open.
    pub help: RwSignal<bool>,
    /// Bumped by `a` in the inbox: the bulk bar opens "assign" and takes the focus.
    pub assign: RwSignal<u32>,
}

/// The triage context.
pub fn use_triage() -> Triage {
    expect_context::<Triage>()
}

/// Where the keyboard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The inbox.
    Inbox,
    /// A case page.
    Case,
    /// Any other page (no shortcuts).
    Other,
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// The next case (row).
    Next,
    /// The previous case (row).
    Previous,
    /// Open the case the cursor is on.
    Open,
    /// Assign: the assignee field takes the focus.
    Assign,
    /// Select or unselect the row.
    ToggleSelect,
    /// The search field takes the focus.
    Search,
    /// Back to the inbox.
    Back,
    /// Open or close the list of shortcuts.
    Help,
    /// Close the list of shortcuts.
    CloseHelp,
}

/// The command of a key (as `KeyboardEvent.key` names it) at a place, if any.
pub fn decide(key: &str, place: Place, help_open: bool) -> Option<Command> {
    use Command::*;
    match (place, key) {
        (Place::Other, _) => None,
        (_, "?") => Some(Help),
        (_, "Escape") if help_open => Some(CloseHelp),
        (Place::Inbox, "j" | "ArrowDown") | (Place::Case, "j") => Some(Next),
        (Place::Inbox, "k" | "ArrowUp") | (Place::Case, "k") => Some(Previous),
        (Place::Inbox, "Enter") => Some(Open),
        (_, "a") => Some(Assign),
        (Place::Inbox, "x") => Some(ToggleSelect),
        (Place::Inbox, "/") => Some(Search),
        (Place::Case, "u" | "Escape") => Some(Back),
        _ => None,
    }
}

/// The shortcuts as the help lists them: keys and the translation key of what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("j / ↓", "c-keys-next"),
    ("k / ↑", "c-keys-previous"),
    ("Enter", "c-keys-open"),
    ("x", "c-keys-select"),
    ("a", "c-keys-assign"),
    ("/", "c-keys-search"),
    ("u / Esc", "c-keys-back"),
    ("?", "c-keys-help"),
];

/// The case a step of `delta` from `current` leads to in `ids`, if there is one.
pub fn step(ids: &[String], current: &str, delta: isize) -> Option<(usize, String)> {
    let at = ids.iter().position(|id| id == current)?;
    let next = at.checked_add_signed(delta)?;
    ids.get(next).map(|id| (next, id.clone()))
}

/// The cursor after a step of `delta` in a list of `len` rows (the first step lands on
/// the first row).
pub fn move_cursor(cursor: Option<usize>, delta: isize, len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match cursor {
        None => 0,
        Some(c) => c.saturating_add_signed(delta).min(len - 1),
    })
}

/// Provides the triage context and listens for shortcuts (once, for the console).
pub fn provide() {
    let triage = Triage {
        ids: RwSignal::new(Vec::new()),
        cursor: RwSignal::new(None),
        selected: RwSignal::new(BTreeSet::new()),
        help: RwSignal::new(false),
        assign: RwSignal::new(0),
    };
    provide_context(triage);
    let route = use_route();
    let handle = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.default_prevented() || typing() {
            return;
        }
        let page = match route.get_untracked() {
            Route::Console(rest) => Page::parse(&rest),
            _ => return,
        };
        let place = match &page {
            Page::Inbox => Place::Inbox,
            Page::Case(_) => Place::Case,
            _ => Place::Other,
        };
        let Some(command) = decide(&ev.key(), place, triage.help.get_untracked()) else {
            return;
        };
        if run(triage, &page, command) {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}

/// Whether the focus is where keys type text or choose.
fn typing() -> bool {
    let Some(el) = document().active_element() else {
        return false;
    };
    let tag = el.tag_name().to_ascii_uppercase();
    matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || el
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|e| e.is_content_editable())
}

/// Carries a command out; whether it did something (then the key's default is dropped).
fn run(t: Triage, page: &Page, command: Command) -> bool {
    match (command, page) {
        (Command::Help, _) => t.help.update(|h| *h = !*h),
        (Command::CloseHelp, _) => t.help.set(false),
        (Command::Next | Command::Previous, Page::Inbox) => {
            let delta = if command == Command::Next { 1 } else { -1 };
            let cursor = move_cursor(t.cursor.get_untracked(), delta, t.ids.with_untracked(Vec::len));
            t.cursor.set(cursor);
            if let Some(i) = cursor {
                focus_row(i);
            }
        }
        (Command::Next | Command::Previous, Page::Case(id)) => {
            let delta = if command == Command::Next { 1 } else { -1 };
            let Some((i, next)) = t.ids.with_untracked(|ids| step(ids, id, delta)) else {
                return false;
            };
            t.cursor.set(Some(i));
            go(&Page::Case(next));
        }
        (Command::Open, _) => {
            // Enter on a link or button already does what it should.
            let on_control = document()
                .active_element()
                .is_some_and(|e| matches!(e.tag_name().to_ascii_uppercase().as_str(), "A" | "BUTTON"));
            let id = t
                .cursor
                .get_untracked()
                .and_then(|i| t.ids.with_untracked(|ids| ids.get(i).cloned()));
            match id {
                Some(id) if !on_control => go(&Page::Case(id)),
                _ => return false,
            }
        }
        (Command::ToggleSelect, _) => {
            let Some(id) = t
                .cursor
                .get_untracked()
                .and_then(|i| t.ids.with_untracked(|ids| ids.get(i).cloned()))
            else {
                return false;
            };
            t.selected.update(|s| {
                if !s.remove(&id) {
                    s.insert(id);
                }
            });
        }
        (Command::Assign, Page::Case(_)) => focus("#case-assignee"),
        (Command::Assign, _) => {
            if t.selected.with_untracked(BTreeSet::is_empty) {
                let Some(id) = t
                    .cursor
                    .get_untracked()
                    .and_then(|i| t.ids.with_untracked(|ids| ids.get(i).cloned()))
                else {
                    return false;
                };
                t.selected.update(|s| {
                    s.insert(id);
                });
            }
            t.assign.update(|n| *n += 1);
        }
        (Command::Search, _) => focus("#filter-q"),
        (Command::Back, _) => go(&Page::Inbox),
        (Command::Next | Command::Previous, _) => return false,
    }
    true
}

/// Shows a console page.
fn go(page: &Page) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(page.href().trim_start_matches('#'));
    }
}

/// Moves the focus to the element `selector` finds, if any.
pub fn focus(selector: &str) {
    if let Some(el) = document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Moves the focus to the link of the inbox's `n`th row.
fn focus_row(n: usize) {
    focus(&format!(
        "[data-testid=inbox-row]:nth-child({}) [data-testid=inbox-open]",
        n + 1
    ));
}

/// The "Tastenkürzel" button and list, on the inbox and the case page.
pub fn shortcut_help(page: Memo<Page>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_triage();
    let shown = move || matches!(page.get(), Page::Inbox | Page::Case(_));
    move || {
        shown().then(|| {
            view! {
                <div class="shortcut-help" data-testid="shortcut-help">
                    <button type="button" class="kern-btn kern-btn--tertiary kern-btn--x-small" data-testid="shortcut-help-toggle"
                        aria-expanded=move || t.help.get().to_string() aria-controls="shortcut-list"
                        on:click=move |_| t.help.update(|h| *h = !*h)>
                        <span class="kern-icon kern-icon--info kern-icon--small" aria-hidden="true"></span>
                        <span class="kern-label">{move || i18n.t("c-keys-title")}" (?)"</span>
                    </button>
                    <section id="shortcut-list" class="shortcut-help__list" hidden=move || !t.help.get()
                        aria-label=move || i18n.t("c-keys-title") data-testid="shortcut-list">
                        <p class="kern-body kern-body--small">{move || i18n.t("c-keys-hint")}</p>
                        <dl>
                            {SHORTCUTS.iter().map(|(keys, what)| view! {
                                <div class="shortcut-help__row">
                                    <dt><kbd>{*keys}</kbd></dt>
                                    <dd>{move || i18n.t(what)}</dd>
                                </div>
                            }).collect_view()}
                        </dl>
                    </section>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_do_what_the_help_says_where_it_says() {
        use Command::*;
        assert_eq!(decide("j", Place::Inbox, false), Some(Next));
        assert_eq!(decide("ArrowDown", Place::Inbox, false), Some(Next));
        assert_eq!(decide("k", Place::Case, false), Some(Previous));
        // Arrows scroll the case page; only j/k step there.
        assert_eq!(decide("ArrowDown", Place::Case, false), None);
        assert_eq!(decide("Enter", Place::Inbox, false), Some(Open));
        assert_eq!(decide("Enter", Place::Case, false), None);
        assert_eq!(decide("a", Place::Case, false), Some(Assign));
        assert_eq!(decide("Escape", Place::Case, false), Some(Back));
        assert_eq!(decide("Escape", Place::Case, true), Some(CloseHelp));
        assert_eq!(decide("?", Place::Inbox, false), Some(Help));
        assert_eq!(decide("j", Place::Other, false), None);
    }

    #[test]
    fn steps_stay_in_the_list() {
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(step(&ids, "b", 1), Some((2, "c".into())));
        assert_eq!(step(&ids, "a", -1), None);
        assert_eq!(step(&ids, "c", 1), None);
        assert_eq!(step(&ids, "z", 1), None);
        assert_eq!(move_cursor(None, 1, 3), Some(0));
        assert_eq!(move_cursor(Some(2), 1, 3), Some(2));
        assert_eq!(move_cursor(Some(0), -1, 3), Some(0));
        assert_eq!(move_cursor(Some(0), 1, 0), None);
    }
}
