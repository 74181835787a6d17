"""The dataset quality report: statistics of every finished stage, as report.html and report.json.

`build_report(spark, out_root, cfg)` (mdfs.report.cli) is the entry point; `python -m mdfs.report OUT`
the command; `python -m mdfs.report.screenshot report.html report.png` renders it with headless Chromium.
"""

from __future__ import annotations


def build_report(*args, **kwargs):
    from mdfs.report.cli import build_report as _build

    return _build(*args, **kwargs)


__all__ = ["build_report"]
