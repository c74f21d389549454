#!/bin/sh
# Time `targetsim run` on the seed district against the NumPy peer, the
# commands alternated (so all see the same machine load), and print each
# run's wall times, the medians and their ratio. hyperfine runs one
# command's runs before the other's, which on a shared machine compares two
# moments of its load rather than two programs.
#
#   benches/peer/alternate.sh [RUNS] [DRAWS]       (default 5 and 1000000)
#
# Run from the repository root after `cargo build --release`. TARGETSIM
# times another build of targetsim; BASELINE adds a second build (for
# example the previous version) to each round.
set -eu
runs=${1:-5}
draws=${2:-1000000}
targetsim=${TARGETSIM:-target/release/targetsim}
baseline=${BASELINE:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Wall time of a command, in seconds, its output discarded.
timed() {
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

ts_run() { timed "$1" run scenarios/seed-district.toml --draws "$draws" --out "$out/ts" -q; }

i=0
while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    ts=$(ts_run "$targetsim")
    py=$(timed python3 benches/peer/seed_district.py --draws "$draws" --seed 20251126 --out "$out/peer")
    line="targetsim $ts peer $py"
    if [ -n "$baseline" ]; then
        line="$line baseline $(ts_run "$baseline")"
    fi
    echo "run $i: $line (s)"
    echo "$line" >>"$out/times"
done

median() {
    awk -v f="$1" '{ print $f }' "$out/times" | sort -n |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ts=$(median 2)
py=$(median 4)
echo "medians: targetsim $ts s, peer $py s: ratio $(echo "scale=3; $ts / $py" | bc)"
if [ -n "$baseline" ]; then
    bl=$(median 6)
    echo "baseline $bl s: ratio $(echo "scale=3; $bl / $py" | bc)"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
