"""What the benchmark scripts share: percentiles, plain-text tables, memory
readings, child processes and a fingerprint of the code measured.

A package rather than bench/*.py, so that `make bench` (every bench/*.py) does
not run it as a benchmark.
"""

from __future__ import annotations

import hashlib
import json
import math
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def fmt(value: float) -> str:
    """A figure with as many decimals as its size deserves; "-" for nan."""
    if value != value:  # nan
        return "-"
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Right-aligned columns under a rule."""
    widths = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)
    ]
    line = "  ".join(str(h).rjust(w) for h, w in zip(headers, widths))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(str(c).rjust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join([line, rule, *body])


def rss_mb(kind: str = "VmRSS") -> float:
    """VmRSS, or RssAnon (private memory) or RssFile (mapped files, shared
    between the workers of one machine), from /proc/self/status."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{kind}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(script: str, args: list[str], timeout: float, cwd: Path) -> dict:
    """Run `script` again in a fresh interpreter with `args` plus `--out FILE`;
    returns the JSON it wrote there."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        command = [sys.executable, str(Path(script).resolve()), *args, "--out", out.name]
        subprocess.run(command, check=True, timeout=timeout, cwd=cwd)
        return json.loads(Path(out.name).read_text())


def code_fingerprint(root: Path, files: Iterable[Path], label: str) -> str:
    """git HEAD and a hash of `files` as they are on disk (uncommitted included)."""
    digest = hashlib.sha1()
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    return f"git {head or '?'}, {label} sha1 {digest.hexdigest()[:12]}"
