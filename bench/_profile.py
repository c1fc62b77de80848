"""Where the time goes: py-spy's collapsed stacks summed into top frames per service.

Each line of a raw py-spy file is `frame;frame;...;leaf count`, a frame `function (file:line)`.
`summary()` gives the leaves with the most samples (self time) and the project's own functions
with the most samples anywhere on the stack (inclusive time), as shares of the samples.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")
OWN = ("services/", "grantflow", "/proposals/", "/disbursement/", "/reporting/", "/notifications/")


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
    total = 0
    for path in files:
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            frames = [f for f in stack.split(";") if f]
            total += n
            if frames:
                leaves[_name(frames[-1])] += n
            own = {_name(f) for f in frames if any(o in f for o in OWN) and "bench/" not in f}
            for name in own:
                inclusive[name] += n
    if not total:
        return "  (no samples)"
    out = [f"  {total} samples; self time (leaf frames):"]
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in leaves.most_common(top)]
    out.append("  inclusive time (the project's functions on the stack):")
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(out)
