"""The one place the workspace is wired: settings read once, adapters and views built once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workspace.adapters.assets import Assets, default_node_modules
from workspace.adapters.oidc import OidcClient
from workspace.adapters.services import ServiceApis
from workspace.adapters.session import SessionCookie
from workspace.config import WorkspaceSettings, workspace_settings
from workspace.views.render import Pages


@dataclass(frozen=True)
class Workspace:
    settings: WorkspaceSettings
    apis: ServiceApis
    cookie: SessionCookie
    pages: Pages
    assets: Assets
    oidc: OidcClient | None


@cache
def workspace() -> Workspace:
    cfg = workspace_settings()
    urls = {
        "proposals": cfg.proposals_url,
        "disbursement": cfg.disbursement_url,
        "notifications": cfg.notifications_url,
        "reporting": cfg.reporting_url,
    }
    oidc = OidcClient(cfg) if cfg.oidc_issuer else None
    assets = Assets(Path(cfg.assets_dir) if cfg.assets_dir else default_node_modules())
    return Workspace(
        settings=cfg,
        apis=ServiceApis(urls, cfg.api_timeout_seconds),
        cookie=SessionCookie(cfg.cookie_secret, cfg.session_hours * 3600, cfg.secure_cookie),
        pages=Pages(dev_sign_in=cfg.development_sign_in, oidc=bool(cfg.oidc_issuer), assets=assets),
        assets=assets,
        oidc=oidc,
    )
