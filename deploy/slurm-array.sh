#!/usr/bin/env bash
# Write a dataset in 16 parts with a Slurm job array: task K writes part K of every entity.
#   sbatch deploy/slurm-array.sh
# The parts, concatenated in order, are byte-identical to one unsharded run.
#SBATCH --job-name=perfgen
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=256M
#SBATCH --output=perfgen-%A_%a.log
set -euo pipefail
OUT=${OUT:-/shared/perfgen-data}
exec ./target/release/perfgen generate --seed 42 --scale 1000 \
  --shard-from-env SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT \
  --out "$OUT" --threads "${SLURM_CPUS_PER_TASK:-2}"
