"""Benchmark puv against uv, pip-tools and pdm: `python3 bench/run.py --help`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from puvbench.cli import main

if __name__ == "__main__":
    sys.exit(main())
