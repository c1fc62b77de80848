"""The sample lifecycle events, under the name the tests use."""

from grantflow.samples import *  # noqa: F403
from grantflow.samples import event, full_lifecycle  # noqa: F401
