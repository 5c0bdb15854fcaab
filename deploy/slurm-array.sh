#!/usr/bin/env bash
# Write a dataset in parts with a Slurm job array: array task K of N writes part K of every
# entity into $OUT, a folder every node can reach. Submit from the repository's root (the
# tasks run in the folder sbatch was called from) or set PERFGEN to the binary's path:
#   sbatch deploy/slurm-array.sh                       # 16 parts of --seed 42 --scale 1000
#   OUT=/shared/data sbatch --array=0-3 deploy/slurm-array.sh --seed 42 --scale 10
# Arguments after the script go to `perfgen generate` in place of `--seed 42 --scale 1000`.
# N is the array's task count, so the indexes must be 0..N-1 (`--array=0-15%4` runs at most
# 4 at once), or PARTS: `PARTS=16 sbatch --array=3 ...` writes part 3 of 16 again.
# The parts, concatenated in order, are byte-identical to one unsharded run.
#SBATCH --job-name=perfgen
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=256M
#SBATCH --output=perfgen-%A_%a.log
set -euo pipefail
OUT=${OUT:-/shared/perfgen-data}
PERFGEN=${PERFGEN:-./target/release/perfgen}
if [ "$#" -eq 0 ]; then
  set -- --seed 42 --scale 1000
fi
exec "$PERFGEN" generate \
  --shard-from-env "SLURM_ARRAY_TASK_ID/${PARTS:-SLURM_ARRAY_TASK_COUNT}" \
  --out "$OUT" --threads "${SLURM_CPUS_PER_TASK:-2}" "$@"
