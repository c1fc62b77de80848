"""Where the time goes: py-spy's collapsed stacks summed into top frames per service.

Each line of a raw py-spy file is `frame;frame;...;leaf count`, a frame `function (file:line)`.
`summary()` gives the leaves with the most samples (self time) and the project's own functions
with the most samples anywhere on the stack (inclusive time), as shares of the busy
samples (the event loop waiting in epoll is left out).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")
IDLE = ("Hub.do_poll", "Hub.wait", "Event.wait", "sleep (eventlet")  # waiting, not working
OWN = ("grantflow/", "proposals/", "disbursement/", "reporting/", "notifications/")


def _own(frame: str) -> bool:
    m = FRAME.match(frame.strip())
    file = m["file"].split("services/", 1)[-1] if m else ""
    return file.startswith(OWN) and "site-packages" not in file


def _line(frame: str) -> str:
    """`function (file:line)` with the file shortened as in `_name`."""
    m = re.match(r"^(?P<fn>.*?) \((?P<file>[^()]+)\)$", frame.strip())
    return f"{m['fn']} ({m['file'].split('services/', 1)[-1]})" if m else frame.strip()


def _name(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    file = m["file"]
    for marker in ("site-packages/", "services/", "lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{m['fn']} ({file})"


def summary(files: list[Path], top: int = 15) -> str:
    leaves: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    total = idle = 0
    for path in files:
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            frames = [f for f in stack.split(";") if f]
            if frames and any(i in frames[-1] for i in IDLE):
                idle += n
                continue
            total += n
            if frames:
                leaves[_name(frames[-1])] += n
            for name in {_name(f) for f in frames if _own(f)}:
                inclusive[name] += n
            for where in {_line(f) for f in frames if _own(f)}:
                lines[where] += n
    if not total:
        return "  (no samples)"
    busy = 100 * total / max(1, total + idle)
    out = [f"  {total} busy samples ({busy:.0f}% of all; shares below are of busy ones)"]
    out.append("  self time (leaf frames):")
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in leaves.most_common(top)]
    out.append("  inclusive time (the project's functions on the stack):")
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    out.append("  inclusive time by line (which statement of the project's code):")
    out += [f"    {100 * n / total:5.1f}%  {where}" for where, n in lines.most_common(top)]
    return "\n".join(out)
