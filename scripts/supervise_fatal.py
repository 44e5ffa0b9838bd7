"""Supervisor event listener (scripts/supervise.sh): when a program cannot be started at all
(PROCESS_STATE_FATAL), write its name to the file given as the argument and stop supervisord, so
`make run` ends with the reason instead of running without that part."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main(flag: Path) -> None:
    while True:
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        header = dict(token.split(":", 1) for token in sys.stdin.readline().split())
        payload = sys.stdin.read(int(header.get("len", "0")))
        fields = dict(token.split(":", 1) for token in payload.split() if ":" in token)
        name = fields.get("processname", "?")
        sys.stderr.write(f"[run] {name} could not be started: stopping everything\n")
        sys.stderr.flush()
        flag.write_text(name, encoding="utf-8")
        sys.stdout.write("RESULT 2\nOK")
        sys.stdout.flush()
        os.kill(os.getppid(), signal.SIGTERM)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
