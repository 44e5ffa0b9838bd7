"""Rasa's training output, readable: `rasa train ... 2>&1 | python scripts/train_progress.py`.

Rasa without --quiet prints every INFO line of every library and a tqdm bar per model; with --quiet it
prints nothing for minutes. This filter keeps what a developer needs:
- one line per component when its training starts, with the time since the start;
- the epochs of each neural model, every EPOCH_STEP epochs (and the last), from tqdm's bar;
- warnings and errors from Rasa and our components, minus known library noise (deprecations);
The whole output goes to a log as well (scripts/rasa-train.sh), which it shows when training fails.
It reads bytes and splits on both newlines and carriage returns (tqdm redraws its bar with \\r).
"""

from __future__ import annotations

import re
import sys
import time
from typing import Callable

from console_filter import is_library_noise  # scripts/ is this script's own folder on sys.path

EPOCH_STEP = 10
COMPONENT = re.compile(r"Starting to train component '([^']+)'")
RESTORED = re.compile(r"Restored component '([^']+)' from cache")
EPOCHS = re.compile(r"Epochs:\s+\d+%.*?\|\s*(\d+)/(\d+)")
PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|Traceback|Error:|Exception)\b")
# Library noise that says nothing about this project's training.
NOISE = (
    "DeprecationWarning", "FutureWarning", "UserWarning", "np.bool8", "pkg_resources", "tensorflow_addons",
    "TensorFlow Addons", "sqlalchemy", "MovedIn20Warning", "jax", "warnings.warn", "rasa.shared.utils.common",
    "Training an InputGuard", "CUDA", "cuda", "absl", "oneDNN", "cpu_feature_guard", "numa", "rebuild TensorFlow",
)


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes:d}:{seconds:02d}"


class Progress:
    def __init__(self, out: Callable[[str], None], start: float) -> None:
        self.out, self.start = out, start
        self.component = ""
        self.last_epoch = 0

    def line(self, text: str) -> None:
        text = text.rstrip()
        if not text:
            return
        elapsed = clock(time.monotonic() - self.start)
        if match := COMPONENT.search(text):
            self.component, self.last_epoch = match.group(1), 0
            self.out(f"[train] {elapsed}  {self.component}")
        elif match := RESTORED.search(text):
            self.out(f"[train] {elapsed}  {match.group(1)} (from cache)")
        elif match := EPOCHS.search(text):
            done, total = int(match.group(1)), int(match.group(2))
            if done != self.last_epoch and (done % EPOCH_STEP == 0 or done == total):
                self.last_epoch = done
                self.out(f"[train] {elapsed}  {self.component or 'model'}: epoch {done}/{total}")
        elif PROBLEM.search(text) and not is_library_noise(text) and not any(noise in text for noise in NOISE):
            self.out(f"[train] {text}")


def main() -> int:
    def out(text: str) -> None:
        print(text, flush=True)

    progress = Progress(out, time.monotonic())
    buffer = b""
    stream = sys.stdin.buffer
    while chunk := stream.read1(65536):
        buffer += chunk
        *complete, buffer = re.split(rb"[\r\n]", buffer)
        for raw in complete:
            progress.line(raw.decode("utf-8", "replace"))
    progress.line(buffer.decode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
