"""The design documents live in the repository, the README links them, and the architecture
page names every module of the library and of the tools (so it cannot silently fall behind)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("architecture", "contract", "domain", "style", "reliability", "operations")


def test_the_readme_links_each_design_document_and_each_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in DOCS:
        assert f"(docs/{name}.md)" in readme, f"README does not link docs/{name}.md"
        assert (ROOT / "docs" / f"{name}.md").is_file()
    assert "shared/docs" not in readme


@pytest.mark.parametrize("name", DOCS)
def test_no_document_sends_the_reader_outside_the_repository(name: str) -> None:
    text = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
    assert "shared/docs" not in text and "../seed/" not in text


def modules(package: Path) -> set[str]:
    """The top-level modules and sub-packages of a package, `__init__` and `_private` aside."""
    names = {p.stem for p in package.glob("*.py")} | {
        p.parent.name for p in package.glob("*/__init__.py")
    }
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("package", ["common/grantflow", "tools/grantflow_tools"])
def test_the_architecture_page_names_every_module_of_the_library_and_the_tools(
    package: str,
) -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)/?`", page)) | set(re.findall(r"`([a-z_]+)`, `", page))
    missing = modules(ROOT / "services" / package) - named
    assert not missing, f"docs/architecture.md does not name {sorted(missing)}"
