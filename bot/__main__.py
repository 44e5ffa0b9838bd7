"""`python -m bot COMMAND`: the admin CLI (bot/cli/; commands listed there and in docs/store.md)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
