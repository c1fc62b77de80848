"""What a benchmark ran on, printed beside its figures."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib.metadata import version


def describe(**params: object) -> str:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rabbit = subprocess.run(["rabbitmqctl", "-q", "version"], capture_output=True, text=True)
    lines = [
        f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}",
        f"machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}",
        f"python {platform.python_version()}, nameko {version('nameko')}, kombu {version('kombu')}"
        f", SQLAlchemy {version('SQLAlchemy')}, psycopg2 {version('psycopg2-binary')}"
        f", jsonschema {version('jsonschema')}",
        f"rabbitmq {rabbit.stdout.strip() or '?'}",
        "parameters: " + ", ".join(f"{k}={v}" for k, v in params.items()),
    ]
    return "\n".join(lines)
