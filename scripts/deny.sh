#!/usr/bin/env bash
# cargo-deny over Cargo.lock by deny.toml: licences (EUPL-1.2-compatible allow-list),
# bans, sources (crates.io only) and, when the RustSec advisory database can be fetched,
# advisories. The database is a git repository on GitHub and no package registry ships
# it; where GitHub cannot be reached the advisories are skipped, saying so, and the rest
# is still checked. Installed by scripts/setup.sh.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# A fetch that cannot connect fails at once; the timeout is for one that hangs.
if timeout 180 cargo deny --locked fetch db >/dev/null 2>&1; then
  cargo deny --locked check advisories licenses bans sources
else
  echo "advisory database unreachable: advisories not checked"
  cargo deny --locked check licenses bans sources
fi
