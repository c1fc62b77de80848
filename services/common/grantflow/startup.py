"""What a service's `bootstrap.py` wires with: values read when the service starts.

A nameko class is built at import; its settings are not. `every` is nameko's timer whose
interval is read in `setup()` (when the container starts), and `AtStart` a dependency that
injects a value read once, also at start. Both take a function, so importing a service reads
no environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

T = TypeVar("T")


class Every(Timer):
    """nameko's timer, its interval in seconds read at start: `interval(container_config)`."""

    def __init__(self, interval: Callable[[dict[str, Any]], float], **kwargs: Any) -> None:
        self.read_interval = interval
        super().__init__(interval=1.0, **kwargs)

    def setup(self) -> None:
        self.interval = float(self.read_interval(self.container.config))


every = Every.decorator


class AtStart(DependencyProvider, Generic[T]):
    """Injects `read()`, called once when the service starts."""

    def __init__(self, read: Callable[[], T]) -> None:
        self.read = read

    def setup(self) -> None:
        self.value = self.read()

    def get_dependency(self, worker_ctx: Any) -> T:
        return self.value
