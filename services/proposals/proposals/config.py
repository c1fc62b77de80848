"""The proposals service's own settings."""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProposalsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROPOSALS_", extra="ignore")

    # Appraisal flags a beneficiary supported for the same activity in a plan year within
    # this many years of the proposal's (issue 15).
    already_supported_years: int = Field(3, ge=0, le=50)


@cache
def proposals_settings() -> ProposalsSettings:
    return ProposalsSettings()
