"""Install the Dutch spaCy pipeline and link it at a stable path that config.yml names.

Prefers Explosion's nl_core_news_sm (downloaded with `spacy download`); where its host cannot be
reached, installs the stand-in nl_ud_sm from shared/models. Prints which one is in use.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

PREFERRED = "nl_core_news_sm"
STAND_IN = "nl_ud_sm"
STAND_IN_FILE = "models/nl_ud_sm-0.1.0.tar.gz"


def installed(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def model_dir(name: str) -> Path:
    """The folder with config.cfg inside an installed spaCy pipeline package."""
    package = Path(importlib.import_module(name).__file__ or "").parent
    for candidate in sorted(package.iterdir()):
        if (candidate / "config.cfg").is_file():
            return candidate
    if (package / "config.cfg").is_file():
        return package
    raise SystemExit(f"[setup] {name} is installed but has no config.cfg under {package}")


def try_download() -> bool:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "spacy", "download", PREFERRED],
            capture_output=True, text=True, timeout=300,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0 and installed(PREFERRED)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", required=True, type=Path)
    parser.add_argument("--link", required=True, type=Path)
    args = parser.parse_args()

    marker = args.link.with_name(args.link.name + ".name")
    if args.link.exists() and marker.exists() and installed(marker.read_text().strip()):
        print(f"[setup] Dutch spaCy pipeline up to date: {marker.read_text().strip()}")
        return

    if installed(PREFERRED) or try_download():
        name = PREFERRED
        print(f"[setup] Dutch spaCy pipeline: {PREFERRED} (Explosion's nl_core_news_sm)")
    else:
        archive = args.shared / STAND_IN_FILE
        if not installed(STAND_IN):
            if not archive.is_file():
                raise SystemExit(
                    f"[setup] {PREFERRED} cannot be downloaded here and the stand-in {archive} is missing.\n"
                    f"[setup] Install one of them: python -m spacy download {PREFERRED}, "
                    f"or put shared/{STAND_IN_FILE} beside this repository (SHARED_DIR=...)."
                )
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                 "--disable-pip-version-check", str(archive)],
                check=True,
            )
        name = STAND_IN
        print(
            f"[setup] Dutch spaCy pipeline: {STAND_IN} 0.1.0, the stand-in for {PREFERRED} "
            f"({PREFERRED} could not be downloaded here)"
        )
    target = model_dir(name)
    if args.link.is_symlink() or args.link.exists():
        args.link.unlink()
    args.link.symlink_to(target, target_is_directory=True)
    marker.write_text(name + "\n")
    print(f"[setup] {args.link} -> {target}")


if __name__ == "__main__":
    main()
