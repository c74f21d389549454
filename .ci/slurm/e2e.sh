#!/usr/bin/env bash
# End-to-end sweep on a real Slurm: Debian's slurmctld and `slurmd -N
# localhost` from slurm.conf beside this file, with munged, no systemd.
#  1. sweep --slurm --submit on scenarios/province (2 shards per unit); every
#     summary.json must equal a local sweep's, byte for byte;
#  2. one shard made to fail once: the merge job waits, --resume resubmits
#     only that index and re-points the merge, which then completes.
# The daemons are stopped by their pid files on exit. Needs root and the
# release binary (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
T=$ROOT/target/release/targetsim
export SLURM_CONF=$ROOT/.ci/slurm/slurm.conf
W=/tmp/targetsim-slurm

if ! command -v slurmctld >/dev/null 2>&1; then
  echo "== installing Slurm (slurmctld slurmd slurm-client munge)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
fi

stop() {
  for pid in "$W/slurmd.pid" "$W/slurmctld.pid" /run/munge/munged.pid; do
    [ -s "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
}
trap stop EXIT
rm -rf "$W"
mkdir -p "$W/state" "$W/spool" /run/munge
chown munge:munge /run/munge
[ -s /etc/munge/munge.key ] || { echo "no /etc/munge/munge.key" >&2; exit 1; }
su -s /bin/sh munge -c /usr/sbin/munged
slurmctld
slurmd -N localhost
for _ in $(seq 1 100); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 0.2
done
sinfo

# wait_job ID: until the job has ended; prints its state.
wait_job() {
  local state=""
  for _ in $(seq 1 1200); do
    state=$(scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2)
    case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
    sleep 0.5
  done
  echo "$state"
}
merge_job() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merge_job'])" "$1/slurm/state.json"; }
same() {
  local n=0
  for f in $(cd "$1" && ls -d */*/summary.json); do
    cmp "$1/$f" "$2/$f"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || { echo "no summary.json in $1" >&2; exit 1; }
  echo "$n summary.json files identical"
}

work=$W/work
mkdir -p "$work"
cp -r scenarios/province "$work/province"
cd "$work/province"
"$T" sweep sweep.toml --out "$work/local" -q

echo "== sweep --slurm --submit"
start=$(date +%s.%N)
"$T" sweep sweep.toml --out "$work/cluster" --slurm --submit --merge-cpus 2
state=$(wait_job "$(merge_job "$work/cluster")")
echo "merge job: $state after $(python3 -c "import sys; print(round($(date +%s.%N) - $start, 1))") s"
[ "$state" = COMPLETED ] || { tail -n 30 "$work"/cluster/slurm/logs/*; exit 1; }
same "$work/local" "$work/cluster"

echo "== a shard that fails once, then --resume"
cat > "$work/flaky" <<FLAKY
#!/bin/bash
if [[ "\$*" == *hexi.toml*--shard\ 2/2* && ! -e $work/failed-once ]]; then
  touch $work/failed-once; echo "failing once on purpose" >&2; exit 1
fi
exec $T "\$@"
FLAKY
chmod +x "$work/flaky"
TARGETSIM="$work/flaky" "$T" sweep sweep.toml --out "$work/retry" --slurm --submit
array=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['arrays'][0]['job'])" "$work/retry/slurm/state.json")
for _ in $(seq 1 1200); do
  [ -z "$(squeue -h -j "$array" 2>/dev/null)" ] && break
  sleep 0.5
done
merge=$(merge_job "$work/retry")
scontrol show job -o "$merge" | grep -o 'JobState=[A-Z_]* Reason=[A-Za-z_]*'
[ ! -e "$work/retry/sweep.csv" ] || { echo "the merge ran despite a failed shard" >&2; exit 1; }
"$T" sweep sweep.toml --out "$work/retry" --slurm --resume | tee "$work/resume.log"
grep -q "1 shard(s)" "$work/resume.log"
grep -q "merge job $merge now waits for" "$work/resume.log"
state=$(wait_job "$merge")
echo "merge job after --resume: $state"
[ "$state" = COMPLETED ] || { tail -n 30 "$work"/retry/slurm/logs/*; exit 1; }
same "$work/local" "$work/retry"
echo "== Slurm end-to-end: ok"
