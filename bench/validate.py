"""How many lifecycle events per second the envelope parser validates (one core).

.venv/bin/python bench/validate.py [--events 20000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _context import describe  # bench/ is on sys.path when a benchmark runs as a script

from grantflow.contract import Contract

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    contract = Contract(ROOT / "contracts")
    examples = [p.read_bytes() for p in sorted((ROOT / "contracts" / "examples").glob("*.*.json"))]
    bodies = [examples[i % len(examples)] for i in range(args.events)]
    assert all(json.loads(b)["type"] for b in examples)
    started = time.perf_counter()
    for body in bodies:
        contract.parse(body)
    elapsed = time.perf_counter() - started
    print(describe(events=args.events, example_types=len(examples)))
    print(
        f"validated {args.events} lifecycle events in {elapsed:.2f} s: "
        f"{args.events / elapsed:,.0f} events/s (parse + envelope + type schema + formats)"
    )


if __name__ == "__main__":
    main()
