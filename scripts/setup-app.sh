#!/usr/bin/env bash
# Installs what the desktop app (src-tauri/) needs to build and to be tested, and only what
# is missing: the WebKitGTK/GTK development packages Tauri links against, Xvfb and xauth to
# run it without a display, WebKitWebDriver (webkit2gtk-driver) and tauri-driver 2.1.0 for
# end-to-end tests, and ImageMagick for screenshots. Safe to run again.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Debian package → a file or command that shows it is installed (dpkg -s would also work,
# but a check on the file we actually need survives packages installed under other names).
need_apt=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in libwebkit2gtk-4.1-dev librsvg2-dev libxdo-dev libssl-dev pkg-config build-essential file \
  xvfb xauth webkit2gtk-driver imagemagick; do
  have_pkg "$pkg" || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi

# tauri-driver bridges WebDriver clients to WebKitWebDriver; 2.1.0 is the version measured
# with tauri 2.12 (shared docs/toolchain.md). --locked: its own lockfile builds here.
if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver 2.1.0 (compiles for 1.5-3 minutes)"
  cargo install tauri-driver --version 2.1.0 --locked
fi
