"""The workspace's tables: none. It owns no business data and reads everything through the
services' APIs; the empty metadata keeps it alike the other services for migrations and tests."""

from sqlalchemy import MetaData

metadata = MetaData()
