"""Snapshots of computed figures, exact because they are keyed by the generation.

`SummaryState.generation` moves on in the transaction of every write that can
change a figure of the dashboard or the reports (`reports.signals`, and
`summaries_refresh` when it recomputes marked agreements). A snapshot stored under
an older generation is never read again, so a page shows what it would compute,
only faster. Snapshots live in the database (`ReportSnapshot`): every server
process shares them, and a rolled-back transaction takes its own along.

Rendered parts of pages (`remembered_part`: the agreement list's results) are
keyed the same way but kept in Django's cache, not in the database.

What one user's scope shows (a leader's province, an editor's agency) is keyed by
the scope's generation instead (`scoped_part`, `reports.services.scope_generation`):
writes to another province's agreements leave it remembered.
"""

import contextvars
import datetime
import hashlib
import pickle

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import ReportSnapshot

STALE_AFTER = datetime.timedelta(days=1)


def snapshot_key(*parts) -> str:
    """A digest of what identifies a computation (its query's SQL and parameters,
    filters, day) and of the language its labels are in."""
    return hashlib.sha256(repr((translation.get_language(), *parts)).encode()).hexdigest()


def settled_part(*parts) -> dict:
    """{"key", "generation"} for `remembered_part`: the digest of `parts` (with the
    language) and the settled generation, None while a write waits for its summaries
    (the part is then computed afresh)."""
    # Imported here: the services read selectors that use this module.
    from .services import settled_generation

    return {"key": snapshot_key(*parts), "generation": settled_generation()}


def scoped_part(scope, *parts) -> dict:
    """`settled_part` for what one scope may see (`scope`: `scope_of(user)`, named in
    the key): keyed by the scope's generation (reports.services.scope_generation),
    which one province's writes leave as it is for the scopes of another."""
    from .services import settled_scope_generation

    return {"key": snapshot_key(*parts, scope), "generation": settled_scope_generation(scope)}


def query_key(queryset):
    """(SQL, parameters) of a queryset, what identifies its rows; None when it is
    empty by construction (`.none()`): nothing worth remembering."""
    try:
        return queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return None


# The answers computed within the computation of another (the dashboard's indicator
# totals within the dashboard's figures), stored with it in one statement.
_within = contextvars.ContextVar("reports_snapshots_within", default=None)


def remembered(*, key: str, generation: int | None, compute):
    """`compute()`, or what it returned for `key` in this generation."""
    if generation is None:
        return compute()
    stored = (
        ReportSnapshot.objects.filter(key=key, generation=generation)
        .values_list("payload", flat=True)
        .first()
    )
    if stored is not None:
        return pickle.loads(bytes(stored))  # noqa: S301 - written by this module only
    outer = _within.get()
    if outer is not None:
        value = compute()
        outer.append((key, generation, value))
        return value
    inner = []
    token = _within.set(inner)
    try:
        value = compute()
    finally:
        _within.reset(token)
    _store([*inner, (key, generation, value)])
    _sweep()
    return value


def _store(answers):
    """Store each (key, generation, value) of `answers` as the answer for its key in
    its generation: one statement, which replaces the same questions' answers of
    an older generation (one row per key). Written by hand because
    `bulk_create(update_conflicts=True)` wraps its INSERT in a transaction of its
    own: BEGIN and COMMIT, two more round trips on the first view after every
    write. Two requests computing the same question under different generations may
    store the older answer last: it is then computed once more, never read under the
    newer generation."""
    meta = ReportSnapshot._meta
    connection = connections[ReportSnapshot.objects.db]
    quote = connection.ops.quote_name
    now = timezone.now()
    # One row per key: a statement may not update the same row twice.
    latest = {key: (generation, value) for key, generation, value in answers}
    names = ["key", "generation", "payload", "created_at"]
    columns = [meta.get_field(name) for name in names]
    params = []
    for key, (generation, value) in latest.items():
        row = {
            "key": key,
            "generation": generation,
            "payload": pickle.dumps(value),
            "created_at": now,
        }
        params.extend(field.get_db_prep_save(row[field.name], connection) for field in columns)
    quoted = [quote(field.column) for field in columns]
    replaced = ", ".join(f"{name} = EXCLUDED.{name}" for name in quoted[1:])
    placeholders = "(" + ", ".join(["%s"] * len(quoted)) + ")"
    # INSERT … ON CONFLICT … DO UPDATE: PostgreSQL 9.5+ and SQLite 3.24+.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quoted)}) "
            f"VALUES {', '.join([placeholders] * len(latest))} "
            f"ON CONFLICT ({quoted[0]}) DO UPDATE SET {replaced}",
            params,
        )


# When this process last deleted the snapshots stored before yesterday (or first
# stored one: a process's first page views cost no sweep). The nightly
# `refresh_report_summaries` deletes every snapshot anyway.
_swept_at = None
SWEEP_EVERY = datetime.timedelta(hours=1)


def _sweep():
    """Delete what was stored before yesterday (keys hold the day: nobody asks them
    again), at most once an hour per process."""
    global _swept_at
    now = timezone.now()
    if _swept_at is None:
        _swept_at = now
    if now - _swept_at < SWEEP_EVERY:
        return
    _swept_at = now
    ReportSnapshot.objects.filter(created_at__lt=now - STALE_AFTER).delete()


# How long a rendered part stays in the cache at most. The generation in its key
# already makes it exact; the limit only bounds the memory of parts nobody asks
# for again, and what a cache shared between servers (CACHE_URL) could still hold
# after a database was swapped behind its back (`manage.py restore` clears it).
PART_TIMEOUT = 600


def remembered_part(*, key: str, generation: int | None, compute):
    """`compute()` (a rendered part of a page, or a small value such as the term
    filter's choices), or what it returned for `key` in this generation, from
    Django's cache (per process by default, see CACHES).

    Unlike `remembered`, the answer is not written to the database: a page that
    only reads takes no write lock (SQLite) and writes no row (PostgreSQL) to
    remember it, and a cache that loses it only costs the computation again."""
    if generation is None:
        return compute()
    versioned = f"part:{key}:{generation}"
    stored = cache.get(versioned)
    if stored is not None:
        return stored
    value = compute()
    cache.set(versioned, value, PART_TIMEOUT)
    return value


def remembered_in_view(*parts, compute):
    """`compute()`, remembered in the cache (`remembered_part`, keyed by `parts`)
    within page views until the structure generation moves on, as every write to an
    area, an agency, a lineage change or an indicator makes it, and no figure does
    (reports.signals): for what a page asks every time and only such writes change
    (a leader's areas, an editor's agency lineage, the indicator catalogue).
    Outside a page view, computed."""
    # Imported here: the services read selectors that use this module.
    from .services import page_state

    state = page_state()
    if state is None:
        return compute()
    return remembered_part(
        key=snapshot_key(*parts), generation=state.structure_generation, compute=compute
    )


def remembered_template(template_name, context, *, key: str, generation: int | None, request=None):
    """`remembered_part` of `template_name` rendered with `context()` (called only
    when the part is not in the cache)."""
    return remembered_part(
        key=key,
        generation=generation,
        compute=lambda: render_to_string(template_name, context(), request=request),
    )
