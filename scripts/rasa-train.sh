#!/usr/bin/env bash
# One training from scratch: scripts/rasa-train.sh OUT_DIR MODEL_NAME
# Used by scripts/train.sh (models/) and by the benchmark's --train (a temp folder), so both time the
# same thing.
# - RASA_MAX_CACHE_SIZE=0: no component is restored from Rasa's training cache (.rasa/cache).
# - --skip-validation: `make test` runs `rasa data validate --fail-on-warnings` itself.
# - The malloc settings keep TensorFlow's large per-step buffers in the heap instead of mapping and
#   unmapping them every step.
# - Rasa's output goes whole to OUT_DIR/train-output.log; the console gets a line per component and per
#   ten epochs (scripts/train_progress.py), and the log's end when training fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}" RASA_TELEMETRY_ENABLED=false
export RASA_MAX_CACHE_SIZE=0 MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4294967296 \
  MALLOC_TRIM_THRESHOLD_=8589934592 MALLOC_TOP_PAD_=268435456
mkdir -p "$1"
log="$1/train-output.log"
set +e
.venv/bin/rasa train --skip-validation --out "$1" --fixed-model-name "$2" 2>&1 \
  | tee "$log" | .venv/bin/python scripts/train_progress.py
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ]; then
  echo "[train] rasa train failed (exit $status); the end of $log:" >&2
  tail -n 40 "$log" >&2
fi
exit "$status"
