"""What a benchmark ran on, printed beside its figures."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from importlib.metadata import version


def describe(**params: object) -> str:
    cpu = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), cpu)
    rabbit = subprocess.run(["rabbitmqctl", "-q", "version"], capture_output=True, text=True)
    lines = [
        f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}",
        f"machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"
        f", load average at start {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        f"python {platform.python_version()}, nameko {version('nameko')}, kombu {version('kombu')}"
        f", SQLAlchemy {version('SQLAlchemy')}, psycopg2 {version('psycopg2-binary')}"
        f", jsonschema {version('jsonschema')}",
        f"rabbitmq {rabbit.stdout.strip() or '?'}",
        "parameters: " + ", ".join(f"{k}={v}" for k, v in params.items()),
    ]
    return "\n".join(lines)
