"""What every benchmark script shares: the machine line and the RESULTS.md section writer."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"


def machine() -> str:
    """CPU model, cores and Python, for the line each result carries."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def write_section(title: str, section: str) -> None:
    """Replace the `## {title}` section of bench/RESULTS.md (or append it), leaving the others alone."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pat = re.compile(r"\n## " + re.escape(title) + r"\n.*?(?=\n## |\Z)", re.S)
    if pat.search(text):
        text = pat.sub(lambda _: "\n" + section.rstrip() + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    RESULTS.write_text(text, encoding="utf-8")
