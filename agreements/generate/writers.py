"""Writing generated rows: buffered per table, stored with COPY or bulk_create."""

import io
import queue
import sys
import threading
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, transaction

from ..querysets import SEARCH_DOCUMENTS
from ..text import figure


class Table:
    """Rows of one table, buffered and written in batches.

    `columns` are the attnames the generator gives, in the order of its tuples;
    any other concrete field gets its default (or `now` for auto timestamps), so a
    field added to a model later does not break generation unless it is required.
    """

    def __init__(self, model, columns, *, now):
        self.model = model
        self.label = model._meta.model_name
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise ImproperlyConfigured(f"{self.label}: no such fields {unknown}")
        extra_names, extra_values = [], []
        for name, model_field in fields.items():
            if name in columns or model_field.primary_key:
                continue
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = now
            elif model_field.has_default() or model_field.null or model_field.blank:
                value = model_field.get_default()
            else:
                raise ImproperlyConfigured(
                    f"{self.label}.{name} has no default: generate_data must fill it."
                )
            extra_names.append(name)
            extra_values.append(value)
        self.columns = [*columns, *extra_names]
        self.extra = tuple(extra_values)
        self.rows = []
        self.count = 0
        self.seconds = 0.0

    def add(self, *row):
        self.rows.append(row + self.extra if self.extra else row)


def _copy_text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    return str(value)


def _copy_batch(rows, width):
    """`rows` as COPY text, and the NULL marker it uses.

    The fast way writes `str()` of every value, with NULL spelled "None" (booleans
    come out as True/False, which PostgreSQL reads). It is used only when the batch
    proves to need no escaping: exactly one tab between fields and one newline per
    row, no backslash, no carriage return. No generated text is ever "None".
    """
    text = "\n".join(["\t".join(map(str, row)) for row in rows]) + "\n"
    if (
        text.count("\t") == len(rows) * (width - 1)
        and text.count("\n") == len(rows)
        and "\\" not in text
        and "\r" not in text
    ):
        return text, "None"
    return "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows), "\\N"


class Sink:
    """Where batches go. `begin` and `end` bracket the whole run; `per_province`
    says whether each province is its own transaction."""

    name = ""
    per_province = True

    def begin(self, tables):
        pass

    def write(self, table):
        raise NotImplementedError

    def end(self, tables, stdout):
        execute_all(_sequence_resets(tables))

    def abort(self):
        pass


class BulkSink(Sink):
    """`bulk_create` of model instances (any database)."""

    name = "bulk"

    def __init__(self, batch_size):
        self.batch_size = batch_size

    def begin(self, tables):
        if connection.vendor == "sqlite":
            # A one-province transaction overflows SQLite's default 2 MB page cache,
            # which then spills to disk over and over; give this connection more.
            execute_all(["PRAGMA cache_size = -262144"])

    def write(self, table):
        started = time.perf_counter()
        model, columns = table.model, table.columns
        objects = [model(**dict(zip(columns, row, strict=True))) for row in table.rows]
        model._base_manager.bulk_create(objects, batch_size=self.batch_size)
        table.seconds += time.perf_counter() - started


def execute_all(statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def pause_user_triggers(models):
    """Disable, in the current transaction (a rollback undoes it), the user triggers of
    the tables of `models` that have any: those that keep the search documents
    (migration 0011), which a bulk load or delete computes once instead. PostgreSQL
    only. Returns the tables for `resume_user_triggers`."""
    names = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace
              AND NOT t.tgisinternal
            ORDER BY 1
            """,
            [names],
        )
        paused = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
    execute_all([f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in paused])
    return paused


def resume_user_triggers(paused):
    """The statements that enable again what `pause_user_triggers` disabled."""
    return [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in paused]


def _sequence_resets(tables):
    return connection.ops.sequence_reset_sql(no_style(), [table.model for table in tables])


class CopySink(Sink):
    """PostgreSQL `COPY … FROM STDIN` (text format), the whole run in one transaction.

    With `rebuild`, the secondary indexes and the foreign keys of the loaded tables
    are dropped first and recreated at the end, in that same transaction (so a
    failure leaves the schema as it was): checking a foreign key row by row and
    updating trigram indexes row by row cost more than the load itself, while
    rebuilding them once is a sort and a join. Primary keys and unique constraints
    stay and are checked as rows arrive; recreating the foreign keys checks them all.

    With `threaded`, the COPY statements run in a second thread with its own
    connection, so that PostgreSQL stores one batch (on one core) while Python
    generates the next (on the other). The main thread then must not write.
    """

    name = "copy"
    per_province = False

    def __init__(self, *, rebuild=True, threaded=False):
        self.rebuild = rebuild
        self.threaded = threaded
        self.dropped = []
        self.queue = None
        self.thread = None
        self.error = None
        self.atomic = None
        self.rebuild_seconds = 0.0
        self.paused = []
        self.documents_dropped = []

    # Statements run by whichever thread holds the loading connection.

    def _open(self, tables):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        # Immediate: foreign keys are checked as each batch lands (while Python makes
        # the next one) rather than all on commit, and ALTER TABLE below is not
        # refused for checks still pending from earlier in the transaction.
        execute_all(["SET LOCAL synchronous_commit = off", "SET CONSTRAINTS ALL IMMEDIATE"])
        if self.rebuild:
            self.dropped = self._drop([table.model._meta.db_table for table in tables])
            self.paused = pause_user_triggers([table.model for table in tables])
            if self.paused:
                # Computed all at once at the end, then indexed once (an index kept
                # up to date row by row took a minute more at national scale).
                self.documents_dropped = self._drop([SEARCH_DOCUMENTS])

    def _close(self, tables, stdout):
        started = time.perf_counter()
        statements = ["SET LOCAL maintenance_work_mem = '512MB'"]
        statements += [definition for _kind, _table, _name, definition in self.dropped]
        statements += _sequence_resets(tables)
        if self.paused:
            statements += resume_user_triggers(self.paused)
            statements.append(
                "SELECT dinvan_search_documents_refresh(ARRAY(SELECT id FROM agreements_agreement))"
            )
        statements += [definition for _kind, _table, _name, definition in self.documents_dropped]
        statements.append("SET CONSTRAINTS ALL DEFERRED")
        execute_all(statements)
        self.rebuild_seconds = time.perf_counter() - started
        if self.dropped:
            stdout.write(
                f"Tạo lại {len(self.dropped)} chỉ mục và khóa ngoại: "
                f"{figure(self.rebuild_seconds, 1)} s\n"
            )
        self.atomic.__exit__(None, None, None)
        self.atomic = None

    def _drop(self, names):
        """Drop the secondary indexes and foreign keys of the tables `names`; returns
        (kind, table, name, definition) of each, to recreate them."""
        dropped = []
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT 'index', c.relname, i.indexrelid::regclass::text,
                       pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace
                  AND NOT i.indisprimary AND NOT i.indisunique
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                UNION ALL
                SELECT 'fk', c.relname, k.conname, pg_get_constraintdef(k.oid)
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace
                  AND k.contype = 'f'
                ORDER BY 1, 2, 3
                """,
                [names, names],
            )
            rows = cursor.fetchall()
        quote = connection.ops.quote_name
        for kind, table, name, definition in rows:
            if kind == "index":
                drop = f"DROP INDEX {name}"
            else:
                drop = f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"
                definition = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
            dropped.append((kind, table, name, definition))
            execute_all([drop])
        return dropped

    def _copy(self, table, text, null):
        started = time.perf_counter()
        quote = connection.ops.quote_name
        column_of = {f.attname: f.column for f in table.model._meta.concrete_fields}
        columns = ", ".join(quote(column_of[name]) for name in table.columns)
        sql = (
            f"COPY {quote(table.model._meta.db_table)} ({columns}) FROM STDIN WITH (NULL '{null}')"
        )
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, io.StringIO(text))
        table.seconds += time.perf_counter() - started

    # The interface.

    def begin(self, tables):
        if not self.threaded:
            self._open(tables)
            return
        self.queue = queue.Queue(maxsize=4)
        self.thread = threading.Thread(target=self._work, args=(tables,), daemon=True)
        self.thread.start()

    def _work(self, tables):
        try:
            self._open(tables)
            while True:
                task = self.queue.get()
                if task is None:
                    raise _Aborted
                if task[0] == "close":
                    self._close(*task[1:])
                    return
                self._copy(*task[1:])
        except BaseException as error:  # noqa: BLE001 - handed over to the main thread
            if not isinstance(error, _Aborted):
                self.error = error
            if self.atomic is not None:
                self.atomic.__exit__(type(error), error, error.__traceback__)
                self.atomic = None
        finally:
            connection.close()

    def _put(self, task):
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put(task, timeout=0.5)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    raise self.error or RuntimeError("The COPY thread stopped.") from None

    def write(self, table):
        text, null = _copy_batch(table.rows, len(table.columns))
        if self.threaded:
            self._put(("copy", table, text, null))
        else:
            self._copy(table, text, null)

    def end(self, tables, stdout):
        if not self.threaded:
            self._close(tables, stdout)
            return
        self._put(("close", tables, stdout))
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self):
        if self.threaded:
            if self.thread is not None and self.thread.is_alive():
                try:
                    self._put(None)
                except BaseException:  # noqa: BLE001 - the original error matters more
                    pass
                self.thread.join()
        elif self.atomic is not None:
            self.atomic.__exit__(*sys.exc_info())
            self.atomic = None


class _Aborted(Exception):
    pass
