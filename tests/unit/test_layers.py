"""The layers, read from the source with `ast` (no import runs):

- the library (`services/common/grantflow/`) imports no service and no tool;
- a service imports no other service and no tool (`grantflow_tools` may know the services,
  so a service importing it would close a cycle);
- every service's `domain/` imports only the standard library, `grantflow.domain`, the
  reference data (`grantflow.reference`: dated facts, read-only) and its own `domain/`.

A new service under `services/<name>/<package>/` is held to the same rules without an edit here.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
LIBRARY = SERVICES_DIR / "common" / "grantflow"
TOOLS = "grantflow_tools"

# A domain module's third-party import that is known and still to move to the adapters:
# (path under services/, module) -> why it is tolerated. Empty is the goal.
TOLERATED: dict[tuple[str, str], str] = {}


def service_packages() -> dict[str, Path]:
    """{package name: its directory} of every service (not the library, not the tools)."""
    return {
        package.name: package
        for package in sorted(SERVICES_DIR.glob("*/*/__init__.py"))
        for package in [package.parent]
        if package.parent.name not in ("common", "tools")
    }


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, also those inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside its own package
                continue
            yield node.lineno, node.module or ""


def top(module: str) -> str:
    return module.partition(".")[0]


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(SERVICES_DIR)}:{line}"


def test_the_service_packages_are_found() -> None:
    assert {"proposals", "disbursement", "notifications", "reporting"} <= set(service_packages())


def test_the_library_imports_no_service_and_no_tool() -> None:
    forbidden = {*service_packages(), TOOLS}
    found = [
        f"{where(path, line)} imports {module}"
        for path in sorted(LIBRARY.rglob("*.py"))
        for line, module in imports(path)
        if top(module) in forbidden
    ]
    assert not found, "the library must not know the services or the tools:\n" + "\n".join(found)


@pytest.mark.parametrize("name", sorted(service_packages()))
def test_a_service_imports_no_other_service_and_no_tool(name: str) -> None:
    forbidden = {*service_packages(), TOOLS} - {name}
    package = service_packages()[name]
    found = [
        f"{where(path, line)} imports {module}"
        for path in sorted(package.rglob("*.py"))
        for line, module in imports(path)
        if top(module) in forbidden
    ]
    assert not found, "\n".join(found)


def allowed_in_domain(service: str, module: str) -> bool:
    return (
        top(module) in sys.stdlib_module_names
        or module == "grantflow.domain"
        or module.startswith(("grantflow.domain.", "grantflow.reference"))
        or module == f"{service}.domain"
        or module.startswith(f"{service}.domain.")
    )


@pytest.mark.parametrize("name", sorted(service_packages()))
def test_a_service_domain_imports_only_the_standard_library_and_the_shared_domain(
    name: str,
) -> None:
    domain = service_packages()[name] / "domain"
    assert (domain / "__init__.py").is_file(), f"{name} has no domain/ package"
    found = [
        f"{where(path, line)} imports {module}"
        for path in sorted(domain.rglob("*.py"))
        for line, module in imports(path)
        if not allowed_in_domain(name, module)
        and (str(path.relative_to(SERVICES_DIR)), top(module)) not in TOLERATED
    ]
    assert not found, "a domain/ is pure rules (standard library only):\n" + "\n".join(found)


def test_the_shared_domain_imports_only_the_standard_library() -> None:
    found = [
        f"{where(path, line)} imports {module}"
        for path in sorted((LIBRARY / "domain").rglob("*.py"))
        for line, module in imports(path)
        if top(module) not in sys.stdlib_module_names
        and not (module == "grantflow.domain" or module.startswith("grantflow.domain."))
    ]
    assert not found, "\n".join(found)


def test_every_tolerated_import_is_still_there() -> None:
    """An entry of TOLERATED that no longer matches an import is removed, not kept."""
    for (file, module), _why in TOLERATED.items():
        path = SERVICES_DIR / file
        assert path.is_file(), f"{file} is gone: remove it from TOLERATED"
        assert module in {top(m) for _, m in imports(path)}, f"{file}: remove it from TOLERATED"


def test_the_rules_catch_a_forbidden_import(tmp_path: Path) -> None:
    """The reader sees imports inside functions and `from x import y` alike."""
    source = tmp_path / "m.py"
    source.write_text(
        "import os\n\ndef f():\n    from reporting.rebuild import rebuild\n"
        "    import grantflow_tools.cli\n",
        encoding="utf-8",
    )
    found = [module for _, module in imports(source)]
    assert found == ["os", "reporting.rebuild", "grantflow_tools.cli"]
    assert not allowed_in_domain("disbursement", "sqlalchemy")
    assert not allowed_in_domain("disbursement", "grantflow.db")
    assert allowed_in_domain("disbursement", "grantflow.domain")
    assert allowed_in_domain("disbursement", "disbursement.domain.model")
    assert not allowed_in_domain("disbursement", "disbursement.adapters.tables")
