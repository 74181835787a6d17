"""Make `mdfs` importable when a job is submitted from a checkout that was not pip-installed."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
