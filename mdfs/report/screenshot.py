"""Render report.html to a full-page PNG with headless Chromium (Debian's `chromium` package).

    python -m mdfs.report.screenshot OUT/report/report.html OUT/report/report.png [--width 1280]

Two Chromium runs: the first loads a temporary copy of the page with a one-line script that
writes the page's full height into the DOM (`--dump-dom`), the second takes the screenshot with a
window exactly that tall. The report itself carries no script. Chinese text needs a CJK font
(`fc-list :lang=zh`; Debian: fonts-noto-cjk or fonts-wqy-microhei), or it is drawn as boxes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAX_HEIGHT = 32_000  # Chromium's screenshots fail or come back blank beyond ~32k pixels
MEASURE = ("<script>addEventListener('load',function(){document.body.setAttribute('data-mdfs-height',"
           "String(Math.ceil(document.documentElement.scrollHeight)))});</script>")


class ScreenshotError(RuntimeError):
    pass


def find_chromium() -> str | None:
    env = os.environ.get("CHROMIUM")
    if env:
        return shutil.which(env) or (env if Path(env).is_file() else None)
    return next((p for c in CANDIDATES if (p := shutil.which(c))), None)


def _base_args(exe: str, width: int, height: int) -> list[str]:
    return [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--disable-dev-shm-usage", "--mute-audio", "--disable-extensions", "--force-device-scale-factor=1",
            f"--window-size={width},{height}", "--virtual-time-budget=5000"]


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    # A throwaway profile: never the user's, and nothing left behind.
    with tempfile.TemporaryDirectory(prefix="mdfs-chromium-") as prof:
        return subprocess.run(args[:1] + [f"--user-data-dir={prof}"] + args[1:], capture_output=True,
                              text=True, timeout=timeout, check=False, env={**os.environ, "HOME": prof})


def page_height(exe: str, html: Path, width: int, timeout: float = 120) -> int:
    text = html.read_text(encoding="utf-8")
    probe = text.replace("</body>", MEASURE + "</body>", 1) if "</body>" in text else text + MEASURE
    with tempfile.TemporaryDirectory(prefix="mdfs-shot-") as d:
        p = Path(d) / "probe.html"
        p.write_text(probe, encoding="utf-8")
        res = _run(_base_args(exe, width, 800) + ["--dump-dom", p.resolve().as_uri()], timeout)
    m = re.search(r'data-mdfs-height="(\d+)"', res.stdout)
    if not m:
        raise ScreenshotError(f"could not measure the page height (exit {res.returncode}): {res.stderr[-500:]}")
    return int(m.group(1))


def screenshot(html: str | Path, png: str | Path, *, width: int = 1280, height: int | None = None,
               timeout: float = 120) -> Path:
    exe = find_chromium()
    if exe is None:
        raise ScreenshotError("Chromium not found (Debian: apt-get install chromium; or set CHROMIUM=/path)")
    html, png = Path(html).resolve(), Path(png).resolve()
    if not html.is_file():
        raise ScreenshotError(f"no such file: {html}")
    h = min(height or page_height(exe, html, width, timeout), MAX_HEIGHT)
    png.parent.mkdir(parents=True, exist_ok=True)
    tmp = png.with_name(f".{png.name}.tmp-{os.getpid()}.png")
    res = _run(_base_args(exe, width, h) + [f"--screenshot={tmp}", html.as_uri()], timeout)
    if not tmp.is_file() or tmp.stat().st_size == 0:
        raise ScreenshotError(f"chromium wrote no screenshot (exit {res.returncode}): {res.stderr[-500:]}")
    os.replace(tmp, png)
    return png


def has_cjk_font() -> bool | None:
    """True/False when fontconfig can tell, None when fc-list is absent."""
    if not shutil.which("fc-list"):
        return None
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mdfs.report.screenshot", description=__doc__.splitlines()[0])
    ap.add_argument("html")
    ap.add_argument("png")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, help="window height (default: the page's full height)")
    args = ap.parse_args(argv)
    if has_cjk_font() is False:
        print("warning: no CJK font installed (fc-list :lang=zh is empty): Chinese text will show as boxes; "
              "Debian: apt-get install fonts-noto-cjk", file=sys.stderr)
    try:
        out = screenshot(args.html, args.png, width=args.width, height=args.height)
    except (ScreenshotError, subprocess.TimeoutExpired) as e:
        print(f"screenshot: {e}", file=sys.stderr)
        return 1
    print(f"screenshot: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
