#!/usr/bin/env bash
# Launch one ETRM run from anywhere: the script moves to the project root first.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
cd "$SCRIPT_DIR/.."

ENCODER=${1:-hybrid_standard}
NPROC=${NPROC:-4}

echo "python pretrain.py arch=nope   <- not a job, just a message"

torchrun --nproc-per-node "$NPROC" pretrain_etrm.py \
    --config-name cfg_pretrain_etrm_arc_agi_1 \
    arch.encoder_type="$ENCODER" \
    +run_name="etrm_${ENCODER}"
