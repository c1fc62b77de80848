"""Front-end files installed from npm (package.json, package-lock.json, `npm ci` in the
project's set-up and in the image): served from node_modules at a path that names the
package's version, so a browser may keep them for a year. Nothing comes from a CDN and no
third-party file is in the repository."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# package -> the one file of it the pages load
FILES = {"htmx.org": "dist/htmx.min.js"}
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    path: Path  # on disk

    @property
    def url(self) -> str:
        return f"/static/vendor/{self.package}@{self.version}/{FILES[self.package]}"


class Assets:
    """The installed packages of `FILES` found under `node_modules`; a missing one is left out
    (the pages work without their script) and said once in the log."""

    def __init__(self, node_modules: Path) -> None:
        self.found: dict[str, Asset] = {}
        for package, name in FILES.items():
            home = node_modules / package
            try:
                version = json.loads((home / "package.json").read_text("utf-8"))["version"]
            except (OSError, ValueError, KeyError):
                log.warning("%s is not installed under %s: run `npm ci`", package, node_modules)
                continue
            self.found[package] = Asset(package, str(version), home / name)

    def url(self, package: str) -> str | None:
        asset = self.found.get(package)
        return asset.url if asset else None

    def file(self, package: str, version: str, name: str) -> tuple[bytes, str] | None:
        """The file's bytes and content type, if exactly that version and file are served."""
        asset = self.found.get(package)
        if asset is None or asset.version != version or FILES[package] != name:
            return None
        return asset.path.read_bytes(), CONTENT_TYPES[asset.path.suffix]


def default_node_modules() -> Path:
    """`node_modules` at the root of the repository the workspace package is installed from."""
    return Path(__file__).resolve().parents[4] / "node_modules"
