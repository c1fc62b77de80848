"""The `grantflow` command: run services, apply migrations, publish lifecycle events.

    grantflow run proposals            # or: grantflow run all
    grantflow check notifications      # would it start with this environment?
    grantflow migrate
    grantflow publish events.jsonl
    grantflow token --role province_officer --provinces 74,80 --sub cb-74
    grantflow import registry.xlsx           # grantflow_tools.registry_commands
    grantflow publish-open-data var/open-data

Heavy imports wait until a subcommand is chosen, so that `run` can apply eventlet's monkey
patch before anything opens a socket.
"""

from __future__ import annotations

import argparse
import sys
import warnings

# nameko runs on eventlet, which now warns on import that it is in maintenance mode; the
# project knows (reliability.md) and the warning would only bury the real output.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grantflow", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run services in the foreground (SIGTERM stops cleanly)")
    run.add_argument("services", nargs="*", default=["all"], help="service names, or all")

    check = sub.add_parser("check", help="say whether the services would start with this env")
    check.add_argument("services", nargs="*", default=["all"], help="service names, or all")

    migrate = sub.add_parser("migrate", help="apply every service's database migrations")
    migrate.add_argument("services", nargs="*", default=["all"])

    publish = sub.add_parser("publish", help="publish the CloudEvents of a JSON or JSON-lines file")
    publish.add_argument("file", help="a JSON array, one JSON object, or JSON lines; - for stdin")
    publish.add_argument("--exchange", default=None, help="default: LIFECYCLE_EXCHANGE")
    publish.add_argument("--quiet", action="store_true", help="no progress bar")

    reporting = sub.add_parser("reporting", help="reporting service tasks")
    reporting.add_argument("task", choices=["rebuild"], help="rebuild: read models from logs")

    token = sub.add_parser("token", help="print a development token signed with AUTH_JWT_SECRET")
    token.add_argument("--role", required=True, help="province_officer, central_officer, ...")
    token.add_argument("--sub", default=None, help="the subject (default: dev-<role>)")
    token.add_argument("--provinces", default="", help="GSO codes, comma-separated: 74,80")
    token.add_argument("--event-types", default="", help="for system: plan.approved,...")
    token.add_argument("--ttl", type=int, default=3600, help="seconds (default 3600)")

    from grantflow_tools import registry_commands

    registry_commands.add_parsers(sub)

    args = parser.parse_args(argv)
    if args.command == "run":
        import eventlet

        eventlet.monkey_patch()
    from grantflow.config import ConfigError

    try:
        if args.command == "token":
            return _token(args)
        if args.command == "run":
            from grantflow.auth import check_keys
            from grantflow_tools.runner import run_services
            from grantflow_tools.startcheck import refuse_to_start

            refuse_to_start(args.services)
            check_keys()
            return run_services(args.services)
        if args.command == "check":
            return _check(args.services)
        if args.command == "migrate":
            return _migrate(args.services)
        if args.command == "reporting":
            return _rebuild()
        if args.command in registry_commands.COMMANDS:
            return registry_commands.run(args)
        from grantflow_tools.publish import publish_file

        return publish_file(args.file, exchange=args.exchange, progress=not args.quiet)
    except ConfigError as exc:
        print(f"grantflow: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"grantflow: {exc}", file=sys.stderr)
        return 2


def _token(args: argparse.Namespace) -> int:
    from grantflow.auth import issue

    def split(text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]

    print(
        issue(
            args.role,
            args.sub or f"dev-{args.role}",
            provinces=split(args.provinces),
            event_types=split(args.event_types),
            ttl_seconds=args.ttl,
        )
    )
    return 0


def _check(names: list[str]) -> int:
    from grantflow_tools.startcheck import refuse_to_start

    refuse_to_start(names)
    print(f"grantflow: {', '.join(names)}: the configuration would start")
    return 0


def _migrate(names: list[str]) -> int:
    from grantflow.config import settings
    from grantflow_tools.migrate import migrate_all
    from grantflow_tools.registry import resolve

    migrate_all(resolve(names), settings().database_url)
    return 0


def _rebuild() -> int:
    from grantflow.config import settings
    from grantflow.db import make_engine
    from reporting.config import reporting_settings
    from reporting.handlers.rebuild import rebuild

    cfg = reporting_settings()
    applied = rebuild(
        make_engine(settings().database_url), [cfg.proposals_url, cfg.disbursement_url]
    )
    print(f"reporting: read models rebuilt from {applied} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
