#!/usr/bin/env bash
# Benchmark of the anonymizer on 12-megapixel JPEGs, side by side with
#   (a) the decode+encode floor of the same photos (no detection), and
#   (b) deface 1.5.0 (faces only, onnxruntime) in a venv this script makes,
# plus three 12-megapixel scenes without people or vehicles (a pothole, a
# bench, a sign), made from scikit-image's CC0 textures (gravel, brick, grass;
# the package comes with deface), to show what a typical defect photo costs.
# Each measurement is its own process under /usr/bin/time -v (wall time and
# peak RSS); "1 core" runs are pinned with taskset. Prints a table and ratios.
#
# Usage: scripts/bench-anon.sh [PHOTOS=2] [REPEATS=3]
# BENCH_ANON_BASELINE=PATH also measures another build of the benchmark
# binary (e.g. one copied from an earlier commit) in the same run, as
# base-1core / base-Ncores, so that before and after share the machine's load.
# BENCH_ANON_NO_DEFACE=1 skips deface (quicker runs while tuning).
# The load average is printed at the start and the end: other processes on
# the cores make every figure slower, so compare ratios within one run.
# Needs: cargo, python3 with venv + pip (PyPI reachable), /usr/bin/time
# (Debian package `time`), taskset (util-linux), jq.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
photos="${1:-2}"
repeats="${2:-3}"
out="$root/bench-out/anon"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/augenmerk-target}"
cores="$(nproc)"

# Install what the benchmark needs when missing (Debian packages).
missing=()
[[ -x /usr/bin/time ]] || missing+=(time)
command -v taskset >/dev/null || missing+=(util-linux)
command -v jq >/dev/null || missing+=(jq)
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
if (( ${#missing[@]} )); then
  sudo_cmd=""; [[ "$(id -u)" -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

"$root/models/fetch.sh"

echo "== building the benchmark (release profile)"
bin="$(cd "$root" && cargo bench -p augenmerk-anon --bench pipeline --no-run --message-format=json 2>/dev/null \
  | jq -r 'select(.reason == "compiler-artifact" and .target.name == "pipeline" and .executable != null) | .executable' | tail -n1)"
[[ -x "$bin" ]] || { echo "bench-anon: benchmark binary not found" >&2; exit 1; }

mkdir -p "$out"
if [[ ! -f "$out/photos/boxes.json" ]] || [[ "$(ls "$out/photos/images" | wc -l)" -lt "$photos" ]]; then
  echo "== building $photos 12 MP test photos from the development set"
  "$bin" make-photos "$out/photos" "$photos" >/dev/null
fi
mapfile -t files < <(ls "$out"/photos/images/*.jpg | head -n "$photos")
echo "== load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

venv="$out/deface-venv"
if [[ ! -x "$venv/bin/deface" ]]; then
  echo "== installing deface 1.5.0 + onnxruntime into $venv"
  python3 -m venv "$venv"
  # onnx is needed too: without it deface falls back to its slower OpenCV backend.
  "$venv/bin/pip" install --quiet "deface==1.5.0" "onnxruntime==1.31.1" "onnx==1.23.2"
fi

# Scenes without people or vehicles, 4000×3000 like the test photos, from the
# CC0 textures that scikit-image (a dependency of deface) ships: gravel as a
# road with a pothole and a painted line, brick and grass behind and under a
# bench, grass and gravel around a damaged sign.
scenes="$out/scenes"
if [[ ! -f "$scenes/sign.jpg" ]]; then
  echo "== making 3 scenes without people or vehicles (scikit-image CC0 textures)"
  mkdir -p "$scenes"
  "$venv/bin/python" - "$scenes" <<'PY'
import sys
import numpy as np
import skimage.data as data
from PIL import Image, ImageDraw, ImageFilter

out, W, H = sys.argv[1], 4000, 3000
rng = np.random.default_rng(7)

def texture(img, w, h, tint, scale):
    """Tiles a grey texture (mirrored every other tile, so no hard seams) and tints it."""
    t = Image.fromarray(img).resize((int(img.shape[1] * scale), int(img.shape[0] * scale)), Image.BICUBIC)
    canvas = Image.new("L", (w, h))
    for y in range(0, h, t.height):
        for x in range(0, w, t.width):
            flip = (x // t.width + y // t.height) % 2
            canvas.paste(t.transpose(Image.FLIP_LEFT_RIGHT) if flip else t, (x, y))
    a = np.asarray(canvas, dtype=np.float32)[..., None] / 255.0
    return Image.fromarray(np.clip(a * np.array(tint)[None, None, :], 0, 255).astype(np.uint8), "RGB")

gravel, brick, grass = data.gravel(), data.brick(), data.grass()
road = texture(gravel, W, H, (150, 150, 155), 2.5)
d = ImageDraw.Draw(road)
hole = [(2000 + 700 * np.cos(a) * (0.8 + 0.3 * rng.random()), 1900 + 380 * np.sin(a) * (0.8 + 0.3 * rng.random()))
        for a in np.linspace(0, 2 * np.pi, 40)]
d.polygon(hole, fill=(45, 42, 40))
d.rectangle([0, 900, W, 960], fill=(225, 225, 215))
road.filter(ImageFilter.GaussianBlur(1.2)).save(f"{out}/pothole.jpg", quality=92)

bench = Image.new("RGB", (W, H))
bench.paste(texture(brick, W, 1800, (190, 110, 90), 2.0), (0, 0))
bench.paste(texture(grass, W, 1200, (90, 150, 70), 2.0), (0, 1800))
d = ImageDraw.Draw(bench)
for k in range(4):
    d.rectangle([1200, 1500 + k * 60, 2800, 1540 + k * 60], fill=(120, 80, 40))
d.rectangle([1300, 1740, 1360, 2100], fill=(40, 40, 40))
d.rectangle([2640, 1740, 2700, 2100], fill=(40, 40, 40))
bench.save(f"{out}/bench.jpg", quality=92)

sign = Image.new("RGB", (W, H))
sign.paste(texture(grass, W, 1500, (100, 160, 80), 1.5), (0, 0))
sign.paste(texture(gravel, W, 1500, (140, 135, 130), 2.0), (0, 1500))
d = ImageDraw.Draw(sign)
d.rectangle([1960, 900, 2040, 2900], fill=(150, 150, 150))
d.polygon([(2000, 300), (2600, 1300), (1400, 1300)], fill=(200, 20, 20))
d.polygon([(2000, 480), (2440, 1220), (1560, 1220)], fill=(245, 245, 245))
d.polygon([(2300, 900), (2600, 1300), (2200, 1300)], fill=(90, 90, 90))
sign.save(f"{out}/sign.jpg", quality=92)
PY
fi
mapfile -t scene_files < <(ls "$scenes"/*.jpg)

# onnxruntime pins its own worker threads to the other cores, escaping
# taskset (seen: a "1 core" deface run with 9.4 s CPU in 5.5 s wall). For the
# one-core figure deface runs with a single intra-op thread instead.
cat >"$out/deface-1thread.py" <<'PY'
import sys
import onnxruntime
_session = onnxruntime.InferenceSession
def _one_thread(*args, **kwargs):
    options = kwargs.get("sess_options") or onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    kwargs["sess_options"] = options
    return _session(*args, **kwargs)
onnxruntime.InferenceSession = _one_thread
from deface.deface import main
sys.argv[0] = "deface"
main()
PY

# measure LABEL PIN CMD... → appends "label file wall_s rss_mb cpu_s" lines
# (cpu = user + system time: less disturbed than wall time when other
# processes compete for the cores)
results="$out/results.txt"
: >"$results"
measure() {
  local label="$1" pin="$2" file="$3"; shift 3
  local log="$out/time.log" pre=()
  [[ "$pin" == 1 ]] && pre=(taskset -c 0)
  for _ in $(seq "$repeats"); do
    /usr/bin/time -v -o "$log" "${pre[@]}" "$@" >"$out/last.out" 2>"$out/last.err" || {
      echo "bench-anon: $label failed on $file:" >&2; cat "$out/last.err" >&2; exit 1; }
    local wall rss cpu
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")"
    cpu="$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")"
    echo "$label $(basename "$file") $wall $rss $cpu" >>"$results"
    if [[ "$label" == ours-* || "$label" == base-* || "$label" == floor-* || "$label" == scene-* ]]; then
      jq -c --arg l "${label%%-*}" '. + {label: $l}' "$out/last.out" >>"$out/stages.jsonl"
    elif [[ "$label" == warm-* ]]; then
      # The same photo twice in one process: the second run is what an app that
      # keeps the anonymizer loaded sees (plans built, pages mapped).
      tail -n1 "$out/last.out" | jq -c '. + {label: "warm"}' >>"$out/stages.jsonl"
    fi
  done
}

: >"$out/stages.jsonl"
for f in "${files[@]}"; do
  echo "== $(basename "$f")"
  measure floor-1core 1 "$f" "$bin" run floor 1 "$f"
  measure ours-1core 1 "$f" "$bin" run full 1 "$f"
  measure "ours-${cores}cores" 0 "$f" "$bin" run full "$cores" "$f"
  measure warm-1core 1 "$f" "$bin" run full 1 "$f" "$f"
  if [[ -n "${BENCH_ANON_BASELINE:-}" ]]; then
    measure base-1core 1 "$f" "$BENCH_ANON_BASELINE" run full 1 "$f"
    measure "base-${cores}cores" 0 "$f" "$BENCH_ANON_BASELINE" run full "$cores" "$f"
  fi
  [[ -n "${BENCH_ANON_NO_DEFACE:-}" ]] && continue
  measure deface-1core 1 "$f" env OMP_NUM_THREADS=1 "$venv/bin/python" "$out/deface-1thread.py" --thresh 0.2 -o "$out/deface-out.jpg" "$f"
  measure "deface-${cores}cores" 0 "$f" "$venv/bin/deface" --thresh 0.2 -o "$out/deface-out.jpg" "$f"
done
for f in "${scene_files[@]}"; do
  echo "== $(basename "$f") (no people or vehicles)"
  measure scene-1core 1 "$f" "$bin" run full 1 "$f"
done

echo
echo "== median over $repeats runs x ${#files[@]} photos (wall s, CPU s, peak RSS MB)"
python3 - "$results" "$out/stages.jsonl" "$cores" <<'PY'
import json, statistics, sys
from collections import defaultdict
res, stages_path, cores = sys.argv[1], sys.argv[2], sys.argv[3]
wall, rss, cpu = defaultdict(list), defaultdict(list), defaultdict(list)
for line in open(res):
    label, _f, w, r, c = line.split()
    wall[label].append(float(w)); rss[label].append(float(r)); cpu[label].append(float(c))
med = {k: statistics.median(v) for k, v in wall.items()}
med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
print(f"{'run':<16}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}")
for k in wall:
    print(f"{k:<16}{med[k]:>9.2f}{med_cpu[k]:>9.2f}{max(rss[k]):>9.0f}")
st = defaultdict(lambda: defaultdict(list))
for line in open(stages_path):
    d = json.loads(line)
    key = f"{d.get('label', 'ours')}-{d['threads']}t"
    for s, v in d["stages_ms"].items():
        st[key][s].append(v)
    st[key]["in-process total_ms"].append(d["total_ms"])
    st[key]["model load_ms"].append(d["load_ms"])
print("\nstage breakdown (median ms, in process; includes building tract plans on first use,")
print("except warm: the second photo in one process):")
for k, stages in st.items():
    print("  " + k + ": " + ", ".join(f"{s} {statistics.median(v):.0f}" for s, v in stages.items()))
def ratio(a, b):
    if not (a in med and b in med and med[b] > 0 and med_cpu[b] > 0):
        return "n/a"
    return f"{med[a] / med[b]:.2f} (CPU time {med_cpu[a] / med_cpu[b]:.2f})"
print("\nratios (wall, process):")
print(f"  ours 1 core / deface 1 core (faces+plates vs faces only): {ratio('ours-1core', 'deface-1core')}  (target <= 0.5)")
print(f"  ours 1 core / decode+encode floor 1 core:                  {ratio('ours-1core', 'floor-1core')}")
print(f"  scene without people or vehicles / photo with them, 1 core: {ratio('scene-1core', 'ours-1core')}")
print(f"  ours {cores} cores / deface {cores} cores:                          {ratio(f'ours-{cores}cores', f'deface-{cores}cores')}")
print(f"  ours {cores} cores / floor 1 core:                               {ratio(f'ours-{cores}cores', 'floor-1core')}")
if "base-1core" in med:
    print(f"  ours 1 core / baseline build 1 core:                       {ratio('ours-1core', 'base-1core')}")
    print(f"  ours {cores} cores / baseline build {cores} cores:                    {ratio(f'ours-{cores}cores', f'base-{cores}cores')}")
def in_process(key):
    v = st.get(key, {}).get("in-process total_ms")
    return statistics.median(v) if v else None
warm, floor = in_process("warm-1t"), in_process("floor-1t")
if warm and floor:
    print(f"  steady state 1 core / floor 1 core, in process (second photo, plans built): {warm / floor:.2f} ({warm:.0f} ms / {floor:.0f} ms)")
print(f"  peak RSS ours (max): {max(max(rss[k]) for k in rss if k.startswith(('ours', 'warm', 'scene'))):.0f} MB  (target <= 300)")
print(f"  load average at the end: {open('/proc/loadavg').read().split()[:3]}")
PY
