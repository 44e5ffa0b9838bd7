#!/usr/bin/env bash
# One training from scratch: scripts/rasa-train.sh OUT_DIR MODEL_NAME
# Used by scripts/train.sh (models/) and by the benchmark's --train (a temp folder), so both time the
# same thing.
# - RASA_MAX_CACHE_SIZE=0: no component is restored from Rasa's training cache (.rasa/cache).
# - --skip-validation: `make test` runs `rasa data validate --fail-on-warnings` itself.
# - The malloc settings keep TensorFlow's large per-step buffers in the heap instead of mapping and
#   unmapping them every step.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export RASA_MAX_CACHE_SIZE=0 MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4294967296 \
  MALLOC_TRIM_THRESHOLD_=8589934592 MALLOC_TOP_PAD_=268435456
exec .venv/bin/rasa train --skip-validation --out "$1" --fixed-model-name "$2" --quiet
