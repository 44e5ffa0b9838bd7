#!/usr/bin/env bash
# Train the Rasa model unless config, domain and data are unchanged since the last training.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
MODEL=models/registerwijzer.tar.gz
fingerprint=$( (cat config.yml domain.yml requirements.lock .venv/spacy-nl.name; find data components -type f \( -name '*.yml' -o -name '*.py' \) | sort | xargs cat) | sha256sum | cut -c1-16)
if [ -f "$MODEL" ] && [ -f models/.fingerprint ] && [ "$(cat models/.fingerprint)" = "$fingerprint" ]; then
  echo "[train] model up to date ($MODEL); data and config unchanged"
  exit 0
fi
echo "[train] training $MODEL (data or config changed)"
start=$(date +%s)
# From scratch: no component is restored from Rasa's training cache (.rasa/cache), so the time in
# results/train.log is the real cost of a training. --skip-validation: `make test` runs
# `rasa data validate --fail-on-warnings` itself. The malloc settings keep TensorFlow's large
# per-step buffers in the heap instead of mapping and unmapping them every step.
RASA_MAX_CACHE_SIZE=0 MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=8589934592 \
  MALLOC_TOP_PAD_=268435456 \
  .venv/bin/rasa train --skip-validation --fixed-model-name registerwijzer --out models --quiet
echo "$fingerprint" > models/.fingerprint
mkdir -p results
# The last training time, for the benchmark report (bench/bench_assistant.py reads results/train.log).
echo "[train] done in $(( $(date +%s) - start )) s" | tee results/train.log
