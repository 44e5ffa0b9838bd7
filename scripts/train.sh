#!/usr/bin/env bash
# Train the Rasa model unless config, domain and data are unchanged since the last training.
# The conversation and lock stores (components/*_store.py) run beside the model, never in it.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=models/registerwijzer.tar.gz
# The fixed wording at the end of domain.yml (`responses:`, read by the actions from the file) is left
# out: editing a text needs a restart, not a new model.
fingerprint=$( (cat config.yml; sed '/^responses:/,$d' domain.yml; cat requirements.lock .venv/spacy-nl.name
  find data components -type f \( -name '*.yml' -o -name '*.py' \) ! -name '*_store.py' | sort | xargs cat) \
  | sha256sum | cut -c1-16)
if [ -f "$MODEL" ] && [ -f models/.fingerprint ] && [ "$(cat models/.fingerprint)" = "$fingerprint" ]; then
  echo "[train] model up to date ($MODEL); data and config unchanged"
  exit 0
fi
last=$( (sed -n 's/^\[train\] done in \([0-9]*\) s.*/\1/p' results/train.log 2>/dev/null || true) | tail -n 1)
if [ -n "$last" ]; then
  usually="the last training here took $((last / 60)) min $((last % 60)) s"
else
  usually="usually about 5 minutes on two cores"
fi
echo "[train] training $MODEL because data, domain or config changed ($usually)"
echo "[train] a line per component and per ten epochs of the neural models; the full output is in models/train-output.log"
start=$(date +%s)
# From scratch, as the benchmark times it (see scripts/rasa-train.sh).
bash scripts/rasa-train.sh models registerwijzer
echo "$fingerprint" > models/.fingerprint
mkdir -p results
# The last training time, for the benchmark report (bench/bench_assistant.py reads results/train.log).
seconds=$(( $(date +%s) - start ))
echo "[train] done in $seconds s ($((seconds / 60)) min $((seconds % 60)) s)" | tee results/train.log
