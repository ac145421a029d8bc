#!/usr/bin/env bash
# A single-node Slurm cluster on localhost for the Slurm integration test: munged, slurmctld and slurmd with their own
# configuration, munge key, ports, state and log folders under one directory, so nothing of the machine's own Slurm or
# munge setup is used or changed. No cgroups are needed: processes are tracked through /proc (proctrack/linuxproc) and
# memory limits are enforced by slurmd's accounting poll (jobacct_gather/linux with OverMemoryKill).
#
#   tools/slurm/local-cluster.sh start [DIR]   start it (DIR: a new temporary folder); prints the variables that
#                                             point the Slurm commands and the tests at it, e.g.
#                                             eval "$(tools/slurm/local-cluster.sh start)"
#   tools/slurm/local-cluster.sh stop DIR      cancel its jobs and stop its daemons by their PIDs
#
# Needs root (slurmd starts jobs) and Debian's slurmctld, slurmd, slurm-client and munge packages.
set -euo pipefail

say() { printf 'local-cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# A TCP port nothing listens on (from a range away from the usual services).
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  die "no free TCP port found"
}

# Waits until a command succeeds (an observable state, not a fixed sleep), at most $1 seconds.
wait_for() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

pid_of() { [ -s "$1" ] && cat "$1"; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root: slurmd starts the jobs of any user"
  for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (apt-get install slurmctld slurmd slurm-client munge)"
  done
  local dir="${1:-}"
  if [ -z "$dir" ]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/ecg-slurm.XXXXXX")"; else mkdir -p "$dir"; fi
  dir="$(cd "$dir" && pwd)"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"

  # munge: its own key and socket; --force accepts a key folder under a world-writable temporary folder.
  mungekey --create --keyfile="$dir/munge/munge.key" --force
  chmod 400 "$dir/munge/munge.key"
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
  wait_for 20 test -S "$dir/munge/munge.socket" || die "munged did not start (see $dir/log/munged.log)"

  local host cpus memory
  host="$(hostname -s)"
  cpus="$(nproc)"
  memory="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"
  cat >"$dir/slurm.conf" <<EOF
ClusterName=ecglocal
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MpiDefault=none
SchedulerType=sched/backfill
ReturnToService=2
SlurmdParameters=config_overrides
# Finished jobs stay visible to squeue/scontrol for an hour: there is no accounting database behind sacct here.
MinJobAge=3600
KillWait=5
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || fail "$dir" "slurmctld did not start"
  slurmd -f "$SLURM_CONF" || fail "$dir" "slurmd did not start"
  wait_for 60 node_idle || fail "$dir" "the node did not become idle within 60 s"
  say "single-node cluster up in $dir (slurmctld $(pid_of "$dir/slurmctld.pid"), slurmd $(pid_of "$dir/slurmd.pid"), munged $(pid_of "$dir/munge/munged.pid"))"
  echo "export SLURM_CONF='$dir/slurm.conf' ECG_TEST_SLURM_CLUSTER='$dir'"
}

# A start that failed half-way: the daemons' last log lines, then whatever did start is stopped by its PID.
fail() {
  local dir=$1; shift
  for f in "$dir"/log/*.log; do [ -f "$f" ] && { say "--- $f"; tail -n 20 "$f" >&2; }; done
  stop "$dir"
  die "$*"
}

node_idle() { sinfo -h -o '%t' | grep -qx 'idle'; }

stop() {
  local dir="${1:-}"
  # A half-started cluster (no slurm.conf yet) is stopped too: whatever daemon wrote its PID file.
  [ -n "$dir" ] && [ -d "$dir/munge" ] || die "usage: $0 stop DIR (the folder start printed)"
  export SLURM_CONF="$dir/slurm.conf"
  local ctld slurmd munge
  ctld="$(pid_of "$dir/slurmctld.pid" || true)"
  slurmd="$(pid_of "$dir/slurmd.pid" || true)"
  munge="$(pid_of "$dir/munge/munged.pid" || true)"
  # Jobs first (their slurmstepd processes would outlive slurmd), then the daemons, each by its own PID.
  if alive "$ctld"; then
    scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    wait_for 30 no_jobs || say "jobs still listed after 30 s; stopping anyway"
  fi
  for pid in "$slurmd" "$ctld" "$munge"; do
    alive "$pid" || continue
    kill -TERM "$pid"
    wait_for 30 dead "$pid" || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
  say "stopped (slurmd ${slurmd:--}, slurmctld ${ctld:--}, munged ${munge:--})"
}

no_jobs() { ! squeue -h -t PENDING,RUNNING,COMPLETING -o '%i' | grep -q .; }

dead() { ! kill -0 "$1" 2>/dev/null; }

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) die "usage: $0 start [DIR] | stop DIR" ;;
esac
