#!/usr/bin/env bash
# `ruleforge discover` on one machine, using all of it:
#
#   scripts/discover-node.sh                       # size 3, TASO's preset, into rules.db
#   RF_RANKS=4 RF_MAX_OPS=2 scripts/discover-node.sh
#
# RF_RANKS=1 (the default) runs one process with an OpenMP thread per core. RF_RANKS=R > 1
# runs R MPI ranks (mpirun on this machine) with cores/R threads each: the same rules, and
# finer load balancing of the proofs (chunks handed out on demand instead of fixed batches),
# which pays when a few proofs run to their timeout. As the Slurm script does, it continues the
# database's unfinished run when the database exists (RF_RESUME=auto).
#
# Environment overrides (defaults in brackets): RF_BIN [build/cli/ruleforge], RF_DB [rules.db],
# RF_RANKS [1], RF_THREADS [cores / RF_RANKS], RF_MAX_OPS [3], RF_PRESET [taso], RF_OPS [all],
# RF_BACKEND [z3], RF_TIMEOUT_MS [4000], RF_BATCH [128], RF_RESUME [auto | yes | no],
# RF_EXTRA [more discover options].
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${RF_BIN:-build/cli/ruleforge}
[[ -x $bin ]] || { echo "error: $bin not found: build first (scripts/build.sh) or set RF_BIN" >&2; exit 2; }
db=${RF_DB:-rules.db}
ranks=${RF_RANKS:-1}
cores=$(nproc)
threads=${RF_THREADS:-$(( cores / ranks > 0 ? cores / ranks : 1 ))}
args=(discover --db "$db" --max-ops "${RF_MAX_OPS:-3}" --preset "${RF_PRESET:-taso}"
      --backend "${RF_BACKEND:-z3}" --timeout-ms "${RF_TIMEOUT_MS:-4000}" --batch "${RF_BATCH:-128}"
      --threads "$threads")
[[ -n ${RF_OPS:-} ]] && args+=(--ops "$RF_OPS")
case ${RF_RESUME:-auto} in
  yes) args+=(--resume) ;;
  auto) [[ -e $db ]] && args+=(--resume) ;;
  no) ;;
  *) echo "error: RF_RESUME must be auto, yes or no (got '$RF_RESUME')" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206  # RF_EXTRA is a list of options, split on purpose
[[ -n ${RF_EXTRA:-} ]] && args+=($RF_EXTRA)

if (( ranks == 1 )); then
  exec "$bin" "${args[@]}"
fi
# Root in a container needs --allow-run-as-root; --oversubscribe lets R exceed the slot count
# mpirun detects (hardware threads are not always counted as slots).
root_flag=()
(( EUID == 0 )) && root_flag=(--allow-run-as-root)
exec mpirun "${root_flag[@]}" --oversubscribe -np "$ranks" --bind-to none -x OMP_NUM_THREADS="$threads" \
  "$bin" "${args[@]:0:1}" --distributed "${args[@]:1}"
