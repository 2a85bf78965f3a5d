"""The database router: reads to a replica when the context allows it, writes and migrations to the primary.

Which reads may use a replica, and which replica, is core.replicas' business; this is
only Django's router interface to it (DATABASE_ROUTERS).
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

from core import replicas


class ReplicaRouter:
    """Primary/replica routing for DATABASE_REPLICA_URLS (all aliases are one database)."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return replicas.read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool:
        return True  # a row read from a replica is the primary's row

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # replicas get the schema by replication
