"""`python -m grantflow_tools.scenario`: the scenario's events as JSON lines on standard output."""

from __future__ import annotations

import json
import sys

from grantflow_tools.scenario.generator import build


def main() -> None:
    for event in build():
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
