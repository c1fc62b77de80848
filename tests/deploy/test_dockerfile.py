"""Dockerfile: hadolint passes; multi-stage, pinned base, non-root, HEALTHCHECK on
/health/live; and the package the image installs (`pip install .` of the build context)
carries every registered service with its migrations, built here as a wheel."""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from pathlib import Path

from tests.deploy.tools import ROOT, ok, run

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def healthcheck_code() -> str:
    """The Python program of the image's HEALTHCHECK."""
    (health,) = [rest for word, rest in instructions() if word == "HEALTHCHECK"]
    return re.search(r'"-c", "(.*)"\]', health).group(1)


def test_hadolint_passes() -> None:
    ok(run("hadolint", "--failure-threshold", "info", DOCKERFILE))


def test_multi_stage_pinned_non_root_with_a_health_check() -> None:
    steps = instructions()
    args = dict(
        re.match(r"(\w+)=(\S+)", rest).groups()
        for word, rest in steps
        if word == "ARG" and "=" in rest
    )
    stages = [rest for word, rest in steps if word == "FROM"]
    assert len(stages) >= 2, "multi-stage build"
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base
    users = [rest for word, rest in steps if word == "USER"]
    assert users and not users[-1].startswith(("root", "0")), "the image runs as non-root"
    uid = users[-1].split(":")[0].replace("${UID}", args.get("UID", ""))
    assert uid.isdigit() and int(uid) >= 1000, "a numeric uid, so runAsNonRoot can check it"
    (health,) = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert "/health/live" in health
    compile(healthcheck_code(), "HEALTHCHECK", "exec")  # run for real in test_live.py
    from grantflow.config import Settings
    from grantflow_tools.registry import SERVICES

    for name in SERVICES:  # every service's default port, so `grantflow run all` is probed
        assert f"'{name}': {Settings().port_of(name)}" in health, name
    entry = [rest for word, rest in steps if word == "ENTRYPOINT"]
    assert entry == ['["grantflow"]']


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "var", "tests"):
        assert entry in ignored


def test_the_installed_package_carries_every_service_and_its_migrations(tmp_path: Path) -> None:
    from grantflow_tools.registry import SERVICES

    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "services",
        source / "services",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
    )
    ok(
        run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            tmp_path / "dist",
            source,
            timeout=120,
        )
    )
    (wheel,) = (tmp_path / "dist").glob("grantflow-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for entry in SERVICES.values():
        module = entry.cls_path.partition(":")[0].replace(".", "/") + ".py"
        assert module in names, f"{entry.name}: {module} is not installed"
        for needed in ("migrations/env.py", "migrations/script.py.mako"):
            assert f"{entry.package}/{needed}" in names, f"{entry.name}: {needed} missing"
        versions = [n for n in names if n.startswith(f"{entry.package}/migrations/versions/")]
        assert len(versions) >= 2, f"{entry.name}: no migration scripts"
    assert any(n.startswith("grantflow/reference/data/") for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert (
        "grantflow = grantflow_tools.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    )
