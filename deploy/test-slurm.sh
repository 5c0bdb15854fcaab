#!/usr/bin/env bash
# Runs deploy/slurm-array.sh on a real Slurm and checks what it wrote. As root:
#   deploy/test-slurm.sh
# Installs slurm-wlm and munge when missing, starts a one-node cluster on this machine (its
# own munged, slurmctld and slurmd, configured in a temporary folder), submits the array as
# deploy/README.md tells a user to (4 tasks, the bundled example at --scale 10), waits for it,
# then checks that part 2 written again as the README tells (PARTS=4 --array=2) has the same
# bytes, that every entity has its 4 parts, that they concatenate to the bytes of one whole
# run, that `perfgen verify` passes on them, and that `perfgen load` loads them into a fresh
# PostgreSQL database. The daemons it started, the database and the temporary folder
# are removed on exit, failed or not. Prints PASS or FAIL; exits 1 on failure.
# Environment: PERFGEN_TEST_PG (PostgreSQL server URL, default postgres://root@127.0.0.1:5432),
# SLURM_TEST_TIMEOUT (seconds to wait for the array, default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
STARTED_AT=$(date +%s)

TASKS=4
SEED=42
SCALE=10
TIMEOUT=${SLURM_TEST_TIMEOUT:-600}
PG=${PERFGEN_TEST_PG:-postgres://root@127.0.0.1:5432}
# Its own database per run, so two runs on one server never drop the other's.
DB=perfgen_slurm_test_$$
export PGOPTIONS="-c client_min_messages=warning"

WORK=""
JOB=""
DB_CREATED=""
PG_STARTED=""

say() { echo "test-slurm: [$(($(date +%s) - STARTED_AT)) s] $*"; }
# Why the script failed, repeated on its last line: CI keeps only the end of the output, and
# the daemons' logs printed on failure would push the reason out of it.
REASON=""
fail() {
  REASON=$*
  echo "test-slurm: FAIL: $*" >&2
  exit 1
}
# A command that fails under `set -e` without `fail` names itself.
trap 'REASON=${REASON:-"line $LINENO: \`$BASH_COMMAND\` exited with $?"}' ERR

# Stops what this script started (by the PIDs it recorded) and removes its temporary folder.
cleanup() {
  local status=$?
  set +e
  if [ -n "$JOB" ]; then
    scancel "$JOB" 2>/dev/null
    for _ in $(seq 20); do
      [ -z "$(squeue --noheader --jobs "$JOB" 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  if [ -n "$WORK" ]; then
    for pidfile in "$WORK/run/slurmd.pid" "$WORK/run/slurmctld.pid" "$WORK/munge-run/munged.pid"; do
      [ -s "$pidfile" ] || continue
      local pid
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || continue
      for _ in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
      done
      kill -9 "$pid" 2>/dev/null
    done
  fi
  if [ -n "$DB_CREATED" ]; then
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  fi
  if [ -n "$PG_STARTED" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$PG_STARTED" main stop
  fi
  if [ -n "$WORK" ]; then
    if [ "$status" -ne 0 ] && [ -d "$WORK/log" ]; then
      for f in "$WORK"/log/*; do
        echo "--- last lines of ${f#"$WORK"/}" >&2
        tail -n 20 "$f" >&2
      done
    fi
    rm -rf "$WORK"
  fi
  local seconds=$(($(date +%s) - STARTED_AT))
  if [ "$status" -eq 0 ]; then
    echo "test-slurm: PASS ($seconds s)"
  else
    echo "test-slurm: FAIL ($seconds s): ${REASON:-exit status $status}" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || fail "run as root: it installs packages and starts Slurm's daemons"

# --- Slurm and munge ----------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
  ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# --- perfgen ------------------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
PERFGEN=$REPO/target/release/perfgen
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  # The array's tasks look for ./target/release/perfgen unless PERFGEN says otherwise.
  PERFGEN=$(realpath "$CARGO_TARGET_DIR")/release/perfgen
  export PERFGEN
fi
if command -v cargo >/dev/null 2>&1; then
  say "cargo build --release (a no-op when target/release/perfgen is current)"
  cargo build --release --quiet
fi
[ -x "$PERFGEN" ] || fail "no $PERFGEN and no cargo to build it"

# --- PostgreSQL ---------------------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    PG_STARTED=$(ls /etc/postgresql | head -1)
    pg_ctlcluster --skip-systemctl-redirect "$PG_STARTED" main start
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL is not running at 127.0.0.1:5432"
fi

# --- a one-node cluster -------------------------------------------------------------------
# The parts, a whole run to compare them with and the loaded tables take about 4 GB; a
# fuller disk fails here by name instead of in the middle of a load.
free_kb=$(df --output=avail -k /tmp | tail -n 1)
[ "$free_kb" -ge $((4 * 1024 * 1024)) ] ||
  fail "needs 4 GB free in /tmp (for the parts, a whole run and the loaded tables); $((free_kb / 1024)) MB are"
WORK=$(mktemp -d /tmp/perfgen-slurm-test.XXXXXX)
# munged requires its socket's folders to be searchable by everyone.
chmod 755 "$WORK"
mkdir -p "$WORK"/{munge,munge-run,state,spool,log,run,parts,whole}
chmod 700 "$WORK/munge"
chmod 755 "$WORK/munge-run"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
SOCKET=$WORK/munge-run/munge.socket
munged --socket="$SOCKET" --key-file="$WORK/munge/munge.key" \
  --pid-file="$WORK/munge-run/munged.pid" --log-file="$WORK/log/munged.log" \
  --seed-file="$WORK/munge/munged.seed"

NODE=$(hostname -s)
export SLURM_CONF=$WORK/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=perfgentest
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
SlurmctldPort=17817
SlurmdPort=17818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=2 RealMemory=1024 State=UNKNOWN
PartitionName=perfgentest Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld
slurmd
for _ in $(seq 60); do
  sinfo --noheader --states=idle 2>/dev/null | grep -q . && break
  sleep 0.5
done
sinfo --noheader --states=idle | grep -q . || fail "the node did not come up: $(sinfo 2>&1)"
say "one-node cluster up ($NODE, slurm $(sinfo --version | cut -d' ' -f2))"

# Waits for array job $JOB to leave the queue (within TIMEOUT seconds) and fails unless
# all of its $1 tasks COMPLETED.
wait_for_array() {
  local deadline states completed info
  deadline=$(($(date +%s) + TIMEOUT))
  while [ -n "$(squeue --noheader --jobs "$JOB" 2>/dev/null)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] ||
      fail "job $JOB did not finish within $TIMEOUT s: $(squeue --jobs "$JOB")"
    sleep 2
  done
  info=$(scontrol --oneliner show job "$JOB" 2>&1) || fail "scontrol show job $JOB: $info"
  states=$(echo "$info" | grep -o 'ArrayTaskId=[0-9]* .*JobState=[A-Z_]*' |
    sed 's/ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\)/\1=\2/' | sort -n | tr '\n' ' ')
  say "job $JOB: array tasks ${states% }"
  completed=$(echo "$states" | grep -o '=COMPLETED' | wc -l)
  [ "$completed" -eq "$1" ] || fail "$completed of $1 tasks of job $JOB completed: $states"
  JOB=""
}

# --- the array, as deploy/README.md submits it -------------------------------------------
# --output puts the tasks' logs in the temporary folder instead of the repository.
SUBMITTED=$(OUT="$WORK/parts" sbatch --parsable --output="$WORK/log/perfgen-%A_%a.log" \
  --array=0-$((TASKS - 1)) deploy/slurm-array.sh --seed "$SEED" --scale "$SCALE")
JOB=${SUBMITTED%%;*}
say "submitted array job $JOB ($TASKS tasks, --seed $SEED --scale $SCALE)"
wait_for_array "$TASKS"

# --- one part written again, as deploy/README.md tells for a failed task ------------------
RERUN=2
mkdir "$WORK/first"
mv "$WORK"/parts/*."$(printf 'part%05d-of-%05d' "$RERUN" "$TASKS")".csv "$WORK/first/"
SUBMITTED=$(OUT="$WORK/parts" PARTS=$TASKS sbatch --parsable \
  --output="$WORK/log/perfgen-%A_%a.log" --array=$RERUN \
  deploy/slurm-array.sh --seed "$SEED" --scale "$SCALE")
JOB=${SUBMITTED%%;*}
say "submitted job $JOB: part $RERUN of $TASKS again (PARTS=$TASKS --array=$RERUN)"
wait_for_array 1
for first in "$WORK"/first/*.csv; do
  cmp "$first" "$WORK/parts/${first##*/}" ||
    fail "part $RERUN written again differs from the array's: ${first##*/}"
done
say "part $RERUN written again: the same bytes"

# --- the parts ----------------------------------------------------------------------------
"$PERFGEN" generate --seed "$SEED" --scale "$SCALE" --out "$WORK/whole" --quiet
entities=0
for whole in "$WORK"/whole/*.csv; do
  name=$(basename "$whole" .csv)
  parts=("$WORK/parts/$name".part*-of-*.csv)
  expected=()
  for k in $(seq 0 $((TASKS - 1))); do
    expected+=("$WORK/parts/$(printf '%s.part%05d-of-%05d.csv' "$name" "$k" "$TASKS")")
  done
  [ "${parts[*]}" = "${expected[*]}" ] ||
    fail "$name: expected parts 0..$((TASKS - 1)) of $TASKS, found: ${parts[*]##*/}"
  cat "${expected[@]}" | cmp - "$whole" ||
    fail "$name: its $TASKS parts concatenated differ from the whole run's $name.csv"
  entities=$((entities + 1))
done
[ "$entities" -gt 0 ] || fail "the whole run wrote no CSV file"
say "$entities entities: $TASKS parts each, concatenated byte-identical to one whole run"

"$PERFGEN" verify --scale "$SCALE" --out "$WORK/parts" >"$WORK/log/verify.txt" 2>&1 ||
  fail "perfgen verify on the parts: $(tail -n 20 "$WORK/log/verify.txt")"
say "perfgen verify passed on the parts"

out=$(psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB" 2>&1) ||
  fail "DROP DATABASE IF EXISTS $DB: $out"
out=$(psql -q "$PG/postgres" -c "CREATE DATABASE $DB" 2>&1) || fail "CREATE DATABASE $DB: $out"
DB_CREATED=1
"$PERFGEN" load "$PG/$DB" --dir "$WORK/parts" --create-tables --check-rules >"$WORK/log/load.txt" 2>&1 ||
  fail "perfgen load of the parts: $(tail -n 20 "$WORK/log/load.txt")"
for whole in "$WORK"/whole/*.csv; do
  table=$(basename "$whole" .csv)
  table=${table%_bulk}
  rows=$(psql -qtA "$PG/$DB" -c "SELECT count(*) FROM \"$table\"" 2>&1) ||
    fail "counting the rows of $table: $rows"
  lines=$(($(wc -l <"$whole") - 1))
  [ "$rows" -eq "$lines" ] || fail "table $table has $rows rows, its CSV $lines"
done
say "perfgen load loaded the parts into PostgreSQL ($DB), every table's row count matching"
