# Shared by the project's scripts: one stable target directory outside the clone, so
# repeated runs on the same machine reuse the build; fail early and loudly.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/augenmerk-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A CI run builds a fresh clone once: incremental data would only fill the disk (tens of
# GB across runs, and SeaweedFS refuses writes on a full disk).
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
cd "$ROOT"
say() { printf '\n==> %s\n' "$*"; }
