"""The screening log's counts, kept between requests until what they count can have changed."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from screening.models import ChainHead, Screening

_COUNT_CACHE_SECONDS = 300


def counts_checked(asked: tuple | None, querysets: list[QuerySet]) -> tuple[int, ...]:
    """The number of rows of each queryset, in one query.

    Counting costs a pass over every episode, so the last counts are kept per process with
    the version they were counted at — both chain heads' hashes and the newest episode, which
    change whenever a count can — and the query counts again only when the version differs
    (CASE evaluates lazily). `asked` names what is counted (filters, segments) for the cache;
    None when the counts must not be kept.
    """
    key = _count_key(asked)
    cached = cache.get(key) if key else None
    version_parts = [
        queryset_sql(ChainHead.objects.filter(name="decisions").values("entry_hash")),
        queryset_sql(ChainHead.objects.filter(name="signatures").values("entry_hash")),
        queryset_sql(Screening.objects.order_by("-pk").values("pk")[:1]),
    ]
    # COALESCE: no signature yet is a version too, and NULL = NULL is not true.
    version_parts = [(f"COALESCE(({sql}), %s)", [*p, ""]) for sql, p in version_parts[:2]] + [
        (f"COALESCE(({version_parts[2][0]}), 0)", version_parts[2][1])
    ]
    same = " AND ".join(f"{sql} = %s" for sql, _ in version_parts)
    known = list(cached[0]) if cached else ["", "", -1]
    sql, params = [], []
    for part_sql, part_params in version_parts:
        sql.append(part_sql)
        params += part_params
    for queryset in querysets:
        counted = queryset_sql(queryset.order_by().values("pk"))
        # Only SQL that Django compiled is pasted; every value is a parameter.
        count_sql = f"(SELECT COUNT(*) FROM ({counted[0]}) n)"  # noqa: S608
        sql.append(f"CASE WHEN {same} THEN NULL ELSE {count_sql} END")
        for (_, part_params), value in zip(version_parts, known, strict=True):
            params += [*part_params, value]
        params += counted[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql), params)
        row = cursor.fetchone()
    version, counts = tuple(row[: len(version_parts)]), tuple(row[len(version_parts) :])
    if counts[0] is None:
        return cached[1]
    if key:
        cache.set(key, (version, counts), _COUNT_CACHE_SECONDS)
    return counts


def queryset_sql(queryset: QuerySet) -> tuple[str, list]:
    """A queryset's SQL and parameters, as Django compiled them (values are parameters, never
    pasted); one that can match nothing is written as such."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "SELECT NULL WHERE 1 = 0", []
    return sql, list(params)


def _count_key(asked: tuple | None) -> str | None:
    if asked is None:
        return None
    where = (connection.alias, connection.settings_dict["NAME"])
    return "screening-log-count:" + hashlib.sha256(repr((asked, where)).encode()).hexdigest()
