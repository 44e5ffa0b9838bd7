"""The servers' console without library deprecation warnings: `... | python scripts/console_filter.py`.

Rasa imports its Telegram channel, whose library (aiogram) turns every DeprecationWarning back on
(`warnings.simplefilter("always", DeprecationWarning)`), so PYTHONWARNINGS=ignore cannot keep them out
of `make run`. A Python warning is printed as a header line (`path.py:12: DeprecationWarning: ...`),
sometimes a continued message, and the indented source line; this drops such blocks for the categories
in DROPPED and passes every other line unchanged (our own lines, errors, tracebacks, other warnings).
"""

from __future__ import annotations

import re
import signal
import sys
from typing import Iterable, Iterator

DROPPED = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning", "MovedIn20Warning",
           "RemovedIn20Warning", "SADeprecationWarning")
HEADER = re.compile(r"^\S*\.py:\d+: (\w+): ")
# Lines that are never a warning's continued message: our own ("[run] ..."), logs with a date, tracebacks.
OWN = re.compile(r"^(\[|\d{4}-\d\d-\d\d |Traceback)")
# A dropped block is its header, at most this many continuation lines, then the indented source line.
MAX_CONTINUATION = 3


def is_library_noise(line: str) -> bool:
    """True for the header line of a deprecation warning."""
    match = HEADER.match(line)
    return bool(match) and match.group(1) in DROPPED


def filtered(lines: Iterable[str]) -> Iterator[str]:
    skipping = 0  # > 0: inside a dropped block, lines left before it surely ended
    for line in lines:
        if is_library_noise(line):
            skipping = MAX_CONTINUATION + 1
            continue
        if skipping:
            skipping -= 1
            if line.startswith("  "):  # the warning's source line ends the block
                skipping = 0
                continue
            if skipping and not HEADER.match(line) and not OWN.match(line):
                continue  # the message's continuation
            skipping = 0
        yield line


def main() -> int:
    # Ctrl-C reaches the whole foreground group: keep reading until the writer ends, so its goodbye
    # lines still show and it never writes into a closed pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for line in filtered(iter(sys.stdin.readline, "")):
        sys.stdout.write(line)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
