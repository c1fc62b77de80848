"""SQLAlchemy 2 engines and the nameko dependency that hands each worker a session.

PostgreSQL goes through psycopg2, which eventlet's monkey patch makes green (a test proves two
slow queries overlap). SQLite is the zero-set-up default for a local demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Integer,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from grantflow.config import settings


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and its directory created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3: not green
            parsed = parsed.set(drivername="postgresql+psycopg2")
        # No pre-ping (a round trip per checkout, 2-4% of CPU): a connection the server
        # dropped fails its batch once, SQLAlchemy then discards the pool, and the batch is
        # redelivered or retried; recycling bounds how stale an idle connection gets.
        return create_engine(parsed, pool_size=10, max_overflow=10, pool_recycle=1800)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


# A 64-bit sequence number on PostgreSQL; SQLite numbers rows itself only in an INTEGER key.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


def is_postgres(bind: Engine | Connection | Session) -> bool:
    if isinstance(bind, Session):
        return bind.get_bind().dialect.name == "postgresql"
    return bind.dialect.name == "postgresql"


def insert(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    return (postgresql if is_postgres(session) else sqlite).insert(table)


def for_update(session: Session, query: Any) -> Any:
    """The query with its rows locked on PostgreSQL (SQLite locks the database on write)."""
    return query.with_for_update() if is_postgres(session) else query


# One transaction-scoped advisory lock per key, taken in one order (the keys' hashes sorted),
# so two transactions locking overlapping keys wait for each other instead of deadlocking.
_SUBJECT_LOCKS = text(
    "SELECT count(pg_advisory_xact_lock(h)) FROM"
    " (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(:keys) AS k ORDER BY 1) AS s"
).bindparams(bindparam("keys", type_=postgresql.ARRAY(postgresql.TEXT)))


def lock_subjects(session: Session, namespace: str, keys: list[str]) -> None:
    """Hold these subjects (proposals, plans) until the transaction ends, also those with no
    row yet: a change to one waits for any other transaction changing it (another replica,
    an HTTP post). Nothing to do on SQLite, which locks the whole database on write."""
    if keys and is_postgres(session):
        session.execute(_SUBJECT_LOCKS, {"keys": [f"{namespace}:{k}" for k in keys]})


def append(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (executemany: one cached statement), nothing for none."""
    if rows:
        session.execute(table.insert(), list(rows))


def insert_columns(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    update: Sequence[str] | None = None,
) -> None:
    """Insert `rows` in one statement on PostgreSQL (`insert_arrays`), `append` elsewhere. A
    column no row names takes its default; one that some rows name is NULL in the others.

    `update`: the columns a row already under the primary key takes from the new one (an
    upsert; each key at most once in `rows`)."""
    if not rows:
        return
    present = set().union(*rows)
    names = [c.name for c in table.columns if c.name in present]
    insert_arrays(session, table, {n: [row.get(n) for row in rows] for n in names}, update=update)


def insert_arrays(
    session: Session,
    table: Table,
    arrays: dict[str, list[Any]],
    same: dict[str, Any] | None = None,
    update: Sequence[str] | None = None,
) -> None:
    """Insert rows given column by column (PostgreSQL): each column goes as one array
    parameter and `unnest` makes the rows, so there is no bind per value and no statement
    per page of rows (and it works under eventlet's wait callback, where psycopg2 refuses
    COPY). `same`: columns with one value for every row. `update`: as in `insert_columns`.
    Elsewhere (SQLite) the rows are inserted as they are."""
    if not is_postgres(session):
        rows = [
            dict(zip(arrays, values, strict=True)) | (same or {})
            for values in zip(*arrays.values(), strict=True)
        ]
        _append_or_update(session, table, rows, update)
        return
    dialect = session.get_bind().dialect
    columns = [c for c in table.columns if c.name in arrays]
    params: dict[str, Any] = {}
    for i, c in enumerate(columns):
        process = c.type.bind_processor(dialect)  # e.g. JSON to its text, as an insert does
        values = arrays[c.name]
        params[f"c{i}"] = [process(v) for v in values] if process else values
    casts = ", ".join(f"%(c{i})s::{c.type.compile(dialect)}[]" for i, c in enumerate(columns))
    fixed = [c for c in table.columns if same and c.name in same]
    params |= {f"s{i}": same[c.name] for i, c in enumerate(fixed)} if same else {}
    names = ", ".join(f'"{c.name}"' for c in (*columns, *fixed))
    selected = ", ".join(["u.*", *(f"%(s{i})s" for i in range(len(fixed)))])
    sql = f'INSERT INTO "{table.name}" ({names}) SELECT {selected} FROM unnest({casts}) AS u'
    if update is not None:
        keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        changes = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in update)
        sql += f" ON CONFLICT ({keys}) DO UPDATE SET {changes}"
    session.connection().exec_driver_sql(sql, params)


def _append_or_update(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], update: Sequence[str] | None
) -> None:
    if update is None:
        append(session, table, rows)
        return
    stmt = insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(table.primary_key.columns), set_={n: stmt.excluded[n] for n in update}
    )
    session.execute(stmt, list(rows))


def page(
    session: Session,
    table: Table,
    conditions: Sequence[Any],
    order_by: Sequence[Any],
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """One page of `table`'s rows matching every condition, in order, and how many match."""
    count = select(func.count()).select_from(table).where(*conditions)
    total = session.execute(count).scalar()
    query = select(table).where(*conditions).order_by(*order_by).limit(limit).offset(offset)
    return list(session.execute(query)), int(total or 0)


def utc(value: datetime) -> datetime:
    """A stored timestamp in UTC (SQLite gives naive ones back)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class Database(DependencyProvider):
    """Injects a `Session` per worker; the handler commits, teardown closes.

    The engine is created in `setup()` from DATABASE_URL and disposed when the container stops.

    Other extensions get the database by being given it in the service's `bootstrap.py`
    (``relay = OutboxRelay(outbox, db)``): nameko binds an extension held by another one as a
    sub-extension, and a `Database` binds to one instance per container, so the relay, the audit
    trail and the service's own `db` share one engine. Nothing searches the container for it.
    """

    def __init__(self, url: str | None = None) -> None:
        self._url = url
        self.engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._open: dict[Any, Session] = {}

    def bind(self, container: Any, attr_name: str | None = None) -> Database:
        """The container's one instance of this declared database (made on first bind)."""
        key = (Database, id(self))
        bound = container.shared_extensions.get(key)
        if bound is None:
            bound = super(DependencyProvider, self).bind(container)  # nameko's clone
            container.shared_extensions[key] = bound
        if attr_name is not None:  # bound as the service's dependency, under this name
            bound.attr_name = self.attr_name = attr_name
        return bound

    def setup(self) -> None:
        url = self._url or self.container.config.get("DATABASE_URL") or settings().database_url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def new_session(self) -> Session:
        assert self._sessions is not None, "Database used before setup()"
        return self._sessions()

    def get_dependency(self, worker_ctx: Any) -> Session:
        session = self.new_session()
        self._open[worker_ctx] = session
        return session

    def worker_teardown(self, worker_ctx: Any) -> None:
        session = self._open.pop(worker_ctx, None)
        if session is not None:
            session.close()
