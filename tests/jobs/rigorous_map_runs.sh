#!/usr/bin/env bash
# CTest driver for examples/rigorous_map (issue #16): the data a run writes must not depend on how
# it ran. Usage:
#   rigorous_map_runs.sh ranks N EXE DIR MPIEXEC   N ranks under mpiexec = one process
#   rigorous_map_runs.sh kill  N EXE DIR MPIEXEC   killed with SIGKILL part-way (N ranks, 0: no
#                                                  mpiexec), then resumed = one uninterrupted run
# The compared files are the per-cell status and box counts (timings differ by nature).
set -euo pipefail
mode=$1 ranks=$2 exe=$3 dir=$4 mpiexec=${5:-}
rm -rf "$dir" && mkdir -p "$dir"
compared=(rigorous_map_L_status.npy rigorous_map_L_boxes.npy rigorous_map_M_status.npy
          rigorous_map_M_boxes.npy)
launch() { # launch RANKS ARGS...: the example under mpiexec (RANKS > 0) or alone
  local n=$1; shift
  if [ "$n" -gt 0 ]; then "$mpiexec" -n "$n" "$exe" "$@"; else "$exe" "$@"; fi
}
same() { # same A B: the compared files of two output folders are byte for byte equal
  for f in "${compared[@]}"; do
    cmp "$1/$f" "$2/$f" || { echo "FAIL: $f differs between $1 and $2"; exit 1; }
  done
}
"$exe" --quick --threads 1 --checkpoint none --output "$dir/reference" > "$dir/reference.log"
if [ "$mode" = ranks ]; then
  launch "$ranks" --quick --threads 1 --checkpoint none --output "$dir/run" > "$dir/run.log"
  grep -q "FAIL:" "$dir/run.log" && { cat "$dir/run.log"; exit 1; }
  same "$dir/reference" "$dir/run"
  echo "PASS: $ranks ranks wrote the same data as one process"
  exit 0
fi
# kill: start in its own process group, SIGKILL the whole group once the App. L verification
# checkpoint holds records, then run again with the same arguments.
checkpoint="$dir/run/ck"
mkdir -p "$dir/run"
setsid bash -c "$(declare -f launch); mpiexec='$mpiexec' exe='$exe'; launch $ranks --quick \
  --threads 1 --checkpoint '$checkpoint' --output '$dir/run' > '$dir/killed.log' 2>&1" &
group=$!
for _ in $(seq 1 600); do # up to 60 s
  if [ -f "$checkpoint.verify_L" ]; then
    size=$(stat -c %s "$checkpoint.verify_L")
    [ "$size" -gt 2000 ] && break # the header is < 2000 bytes; records follow it
  fi
  sleep 0.1
done
kill -9 -- "-$group" 2>/dev/null || true
wait "$group" 2>/dev/null || true
sleep 0.5
[ -f "$checkpoint.verify_L" ] || { echo "FAIL: no checkpoint was written"; exit 1; }
if [ -f "$dir/run/rigorous_map_L_status.npy" ]; then
  echo "FAIL: the run finished before it was killed (nothing to resume)"; exit 1
fi
launch "$ranks" --quick --threads 1 --checkpoint "$checkpoint" --output "$dir/run" > "$dir/resumed.log"
grep -q "FAIL:" "$dir/resumed.log" && { cat "$dir/resumed.log"; exit 1; }
grep -q "resumed" "$dir/resumed.log" || { echo "FAIL: the second run did not resume"; cat "$dir/resumed.log"; exit 1; }
same "$dir/reference" "$dir/run"
grep "resumed" "$dir/resumed.log"
echo "PASS: killed with SIGKILL and resumed ($ranks ranks), same data as one uninterrupted run"
