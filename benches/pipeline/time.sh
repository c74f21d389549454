#!/usr/bin/env bash
# Whole command, issue 14's requirement: `run --draws 100000` of the
# 10,000-project scenario against the same scenario without [pipeline],
# alternating the two, ROUNDS rounds (default 7); prints each median and
# their ratio (wall), and the same for user + system CPU time.
#
#   cargo build --release
#   benches/pipeline/time.sh [BINARY] [ROUNDS] [DRAWN_SHARE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../target/release/targetsim}
rounds=${2:-7}
drawn=${3:-0.1}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$here/make_scenario.py" --out "$dir" --drawn "$drawn" >/dev/null
for i in $(seq "$rounds"); do
  for name in plain projects; do
    /usr/bin/time -f "$name %e %U %S" -a -o "$dir/times" \
      "$bin" run "$dir/$name.toml" --draws 100000 -q -o "$dir/out-$name" >/dev/null
  done
done
python3 - "$dir/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    name, wall, user, sys_ = line.split()
    t.setdefault(name, []).append((float(wall), float(user) + float(sys_)))
m = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in t.items()}
for k in ("plain", "projects"):
    print(f"{k:9} median wall {m[k][0]:.2f} s, cpu {m[k][1]:.2f} s over {len(t[k])} runs")
print(f"ratio     wall {m['projects'][0] / m['plain'][0]:.1f}x, cpu {m['projects'][1] / m['plain'][1]:.1f}x")
PY
