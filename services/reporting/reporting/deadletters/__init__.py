"""The system-wide dead-letter store, hosted by reporting.

Every service dead-letters to `grantflow.lifecycle.dead`; reporting keeps what arrives there
(`store`), lists it for auditors (`listing`) and publishes a body again once (`redrive`). It
is its own module set because it serves every service, not reporting's read models: nothing
here reads a projection, and nothing in reporting's projections reads it.
"""

from reporting.deadletters.adapters import listing, redrive, store

__all__ = ["listing", "redrive", "store"]
