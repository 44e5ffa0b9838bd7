#!/usr/bin/env bash
# Train the Rasa model unless config, domain and data are unchanged since the last training.
# The conversation and lock stores (components/*_store.py) run beside the model, never in it.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=models/registerwijzer.tar.gz
fingerprint=$( (cat config.yml domain.yml requirements.lock .venv/spacy-nl.name; find data components -type f \( -name '*.yml' -o -name '*.py' \) ! -name '*_store.py' | sort | xargs cat) | sha256sum | cut -c1-16)
if [ -f "$MODEL" ] && [ -f models/.fingerprint ] && [ "$(cat models/.fingerprint)" = "$fingerprint" ]; then
  echo "[train] model up to date ($MODEL); data and config unchanged"
  exit 0
fi
echo "[train] training $MODEL (data or config changed)"
start=$(date +%s)
# From scratch, as the benchmark times it (see scripts/rasa-train.sh).
bash scripts/rasa-train.sh models registerwijzer
echo "$fingerprint" > models/.fingerprint
mkdir -p results
# The last training time, for the benchmark report (bench/bench_assistant.py reads results/train.log).
echo "[train] done in $(( $(date +%s) - start )) s" | tee results/train.log
