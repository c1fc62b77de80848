"""The registry's subcommands of `grantflow` (issue 15), kept apart from cli.py:

grantflow import beneficiaries.xlsx --as-of 2016-06-30
grantflow import products.csv --source urn:gso:74:khuyencong-center
grantflow publish-open-data var/open-data
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

COMMANDS = ("import", "publish-open-data")


def add_parsers(sub: Any) -> None:
    imp = sub.add_parser("import", help="a province's registry spreadsheet (.xlsx or .csv)")
    imp.add_argument("file", help="the template's workbook, or one sheet as .csv")
    imp.add_argument("--sheet", default=None, help="which sheet a .csv holds (default: its name)")
    imp.add_argument("--source", default="urn:gso:import", help="the events' source URI")
    imp.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the events' date, YYYY-MM-DD (default today): provinces are checked on it",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bar")

    pod = sub.add_parser("publish-open-data", help="write the open data package to a directory")
    pod.add_argument("dir", help="where datapackage.json, the CSV tables and the IATI XML go")


def run(args: argparse.Namespace) -> int:
    if args.command == "import":
        from grantflow_tools.province_import import NotATemplate, import_file

        try:
            return import_file(
                args.file, args.source, args.as_of or date.today(), args.sheet, not args.quiet
            )
        except NotATemplate as exc:
            raise ValueError(str(exc)) from None
    return _publish_open_data(Path(args.dir))


def _publish_open_data(directory: Path) -> int:
    """The registry's open data package from its database (DATABASE_URL) into `directory`."""
    from sqlalchemy.orm import Session

    from grantflow.config import settings
    from grantflow.db import make_engine
    from registry.views.open_data import FILES, build

    engine = make_engine(settings().database_url)
    with Session(engine) as session:
        files = build(session)
    engine.dispose()
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (directory / name).write_bytes(body)
    for name in sorted(set(FILES) - set(files)):  # the IATI XML, with no activity to hold
        (directory / name).unlink(missing_ok=True)
        print(f"open data: no {name}: nothing to put in it", file=sys.stderr)
    print(f"open data: {', '.join(files)} in {directory}", file=sys.stderr)
    return 0
