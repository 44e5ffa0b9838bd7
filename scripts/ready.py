"""Say when the servers answer: `python scripts/ready.py --label run --started EPOCH URL... -- LINE...`.

Polls every URL (GET, any HTTP answer below 500 counts) until all answer, then prints
"[label] ready after N s" and the LINEs. Rasa only listens once its model is loaded (the agent loads
before the server starts), so its `/` answering means the model is ready for questions. Gives up after
--timeout seconds with a line saying which address still does not answer. Runs in the background of
scripts/run.sh and scripts/cluster.sh; the exit status is not used.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import urllib.error
import urllib.request


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    for stop in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C on make run ends this quietly, no traceback
        signal.signal(stop, signal.SIG_DFL)
    args = list(sys.argv[1:] if argv is None else argv)
    lines = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", default="run")
    parser.add_argument("--started", type=float, default=time.time(), help="when the start began (epoch s)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("urls", nargs="+")
    options = parser.parse_args(args)
    waiting = list(options.urls)
    deadline = time.monotonic() + options.timeout
    while waiting and time.monotonic() < deadline:
        waiting = [url for url in waiting if not answers(url)]
        if waiting:
            time.sleep(0.5)
    if waiting:
        print(f"[{options.label}] not ready after {options.timeout:.0f} s: no answer yet from {', '.join(waiting)}; "
              "see the lines above", flush=True)
        return 1
    print(f"[{options.label}] ready after {time.time() - options.started:.0f} s: the model is loaded and answering",
          flush=True)
    for line in lines:
        print(f"[{options.label}]   {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
