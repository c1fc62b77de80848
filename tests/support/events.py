"""The sample lifecycle events, under the name the tests use."""

from grantflow_tools.samples import *  # noqa: F403
from grantflow_tools.samples import event, full_lifecycle  # noqa: F401
