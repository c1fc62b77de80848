"""The services grantflow runs, by name: where each class and its migrations live."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.resources import files
from pathlib import Path


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    cls_path: str  # "module:Class"
    package: str  # holds migrations/
    keeps_data: bool = True  # the workspace keeps none: it needs no database

    def load(self) -> type:
        module, _, attr = self.cls_path.partition(":")
        return getattr(import_module(module), attr)

    @property
    def migrations(self) -> Path:
        return Path(str(files(self.package) / "migrations"))

    @property
    def version_table(self) -> str:
        return f"{self.name}_alembic_version"


SERVICES: dict[str, ServiceEntry] = {
    "proposals": ServiceEntry("proposals", "proposals.service:ProposalsService", "proposals"),
    "disbursement": ServiceEntry(
        "disbursement", "disbursement.service:DisbursementService", "disbursement"
    ),
    "notifications": ServiceEntry(
        "notifications", "notifications.service:NotificationsService", "notifications"
    ),
    "reporting": ServiceEntry("reporting", "reporting.service:ReportingService", "reporting"),
    "workspace": ServiceEntry(
        "workspace", "workspace.service:WorkspaceService", "workspace", keeps_data=False
    ),
    "registry": ServiceEntry("registry", "registry.service:RegistryService", "registry"),
}


def resolve(names: list[str]) -> list[ServiceEntry]:
    """`all` or a list of names; raises ValueError naming what is unknown."""
    if not names or names == ["all"]:
        return list(SERVICES.values())
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise ValueError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    return [SERVICES[n] for n in names]
