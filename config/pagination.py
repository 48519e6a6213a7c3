"""A changelist paginator that never counts millions of rows.

Django's admin counts the filtered queryset for every changelist page. On PostgreSQL this
paginator answers from the planner instead when the answer is large: pg_class.reltuples for the
unfiltered table (kept by ANALYZE/autovacuum) and the planner's row estimate (EXPLAIN) for a
filtered one. Small results, and every other database, get an exact COUNT(*), which is cheap there.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many (estimated) rows an exact count is cheap enough and nicer to show.
EXACT_COUNT_BELOW = 100_000


def estimated_count(queryset: QuerySet[Any]) -> int | None:
    """The planner's idea of how many rows `queryset` has, or None off PostgreSQL."""
    alias = queryset.db or router.db_for_read(queryset.model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        if not queryset.query.where and not queryset.query.distinct:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
            # -1 (never analysed) or 0: fall back to an exact count.
            return int(row[0]) if row and row[0] > 0 else None
        sql, params = queryset.order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = estimated_count(self.object_list)
            if estimate is not None and estimate >= EXACT_COUNT_BELOW:
                return estimate
        return super().count
