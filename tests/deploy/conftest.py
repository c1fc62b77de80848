"""Rendered Kubernetes overlays, shared by the deploy tests (rendered once per session)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.deploy.tools import ROOT, ok, run

OVERLAYS = ("dev", "prod")


class Rendered:
    """One overlay as `kubectl kustomize` renders it."""

    def __init__(self, overlay: str, text: str) -> None:
        self.overlay = overlay
        self.text = text
        self.objects: list[dict[str, Any]] = [d for d in yaml.safe_load_all(text) if d]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        found = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: expected one {kind} {name}, found {len(found)}"
        return found[0]


_cache: dict[str, Rendered] = {}


def render(overlay: str) -> Rendered:
    if overlay not in _cache:
        result = run("kubectl", "kustomize", ROOT / "k8s" / "overlays" / overlay)
        ok(result)
        _cache[overlay] = Rendered(overlay, result.stdout)
    return _cache[overlay]


@pytest.fixture(params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return render(request.param)


@pytest.fixture
def prod() -> Rendered:
    return render("prod")
