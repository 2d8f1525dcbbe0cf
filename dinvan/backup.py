"""Backups of the whole site: the database and the uploaded files, with a manifest.

A backup is one folder `dinvan-YYYYmmdd-HHMMSS/` holding

- `database.dump` (PostgreSQL: `pg_dump -Fc`) or `database.jsonl.gz` (SQLite: every
  row of every model, one JSON object per line);
- `media.tar.gz`: everything under MEDIA_ROOT (an empty archive when there is none);
- `manifest.json`: when, from which database vendor, the migration state, the row
  count of every table, and the size and SHA-256 of the two files above.

The row counts are taken in the same database snapshot as the dump (on PostgreSQL
pg_dump imports the snapshot our transaction exported; on SQLite both happen in
one read transaction), so a restore can check that it got back exactly what was
saved, even if users were writing while the backup ran.

A folder is written under a hidden `.partial` name and renamed only when complete,
so a folder that looks like a backup is one. A restore checks everything it can
(manifest, vendor, migration state, checksums, archive member names) before it
touches any data.
"""

import datetime
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.jsonl.gz"}
FOLDER_PREFIX = "dinvan-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an operator."""


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did, and every table whose row count differs from the manifest."""

    manifest: dict
    media_files: int
    # table -> (rows in the manifest, rows now)
    mismatches: dict[str, tuple[int | None, int | None]]


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder without its truncation of times to milliseconds.

    Django's serializer follows ECMA-262 and drops microseconds, so a dumpdata /
    loaddata round trip changes every timestamp (history dates, upload times). A
    backup must give back the same values, so times keep all their digits.
    """

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


# --- What is in the database -------------------------------------------------------


def backed_up_models(using="default"):
    """Every concrete model whose table exists in this database, m2m tables included.

    A table missing (migrations not all applied) is left out rather than failing:
    a backup of what is there is worth more than none.
    """
    existing = set(connections[using].introspection.table_names())
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.db_table in seen:
            continue
        if opts.db_table not in existing:
            continue
        if not router.allow_migrate_model(using, model):
            continue
        seen.add(opts.db_table)
        yield model


def table_row_counts(using="default"):
    """The number of rows in every table, by table name."""
    return {
        model._meta.db_table: model._base_manager.using(using).count()
        for model in sorted(backed_up_models(using), key=lambda m: m._meta.db_table)
    }


def migration_state(using="default"):
    """The latest applied migration of every app, e.g. {"agreements": "0004_…"}."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return {}
    state = {}
    for app_label, name in recorder.applied_migrations():
        state[app_label] = max(state.get(app_label, name), name)
    return dict(sorted(state.items()))


# --- Backup ------------------------------------------------------------------------


def create_backup(*, output_dir: Path, using: str = "default") -> Path:
    """Write a complete backup folder under `output_dir` and return its path."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {vendor!r}.")

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = output_dir / f"{FOLDER_PREFIX}{stamp}"
    suffix = 1
    while final.exists():
        suffix += 1
        final = output_dir / f"{FOLDER_PREFIX}{stamp}-{suffix}"
    partial = output_dir / f".{final.name}.partial"
    partial.mkdir()

    try:
        database_file = partial / DATABASE_FILES[vendor]
        if vendor == "postgresql":
            counts, state = _dump_postgresql(using=using, path=database_file)
            sequences = None
        else:
            counts, state, sequences = _dump_sqlite(using=using, path=database_file)
        # After the database: every file a dumped row points to was already on disk.
        media = _archive_media(Path(settings.MEDIA_ROOT), partial / MEDIA_ARCHIVE)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.localtime().isoformat(),
            "vendor": vendor,
            "database": str(connection.settings_dict.get("NAME") or ""),
            "migrations": state,
            "row_counts": counts,
            "media": media,
            "files": {
                path.name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for path in (database_file, partial / MEDIA_ARCHIVE)
            },
        }
        if sequences is not None:
            manifest["sqlite_sequences"] = sequences
        with open(partial / MANIFEST, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _dump_postgresql(*, using, path):
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Sao lưu PostgreSQL phải chạy ngoài một giao dịch (transaction).")
    connection.ensure_connection()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            # Must be the first statement of the transaction. pg_dump then reads the
            # very snapshot in which the rows are counted.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        counts = table_row_counts(using)
        state = migration_state(using)
        _run_pg_tool(
            "pg_dump",
            [
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={path}",
            ],
            connection.settings_dict,
        )
    return counts, state


def _dump_sqlite(*, using, path):
    # One read transaction: the counts and the rows come from the same snapshot.
    with transaction.atomic(using=using):
        counts = table_row_counts(using)
        state = migration_state(using)
        sequences = _sqlite_sequences(using)
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as stream:
            # What dumpdata does (base manager, pk order, a server-side iterator, so
            # memory stays flat), but with times kept to the microsecond. Content
            # types and permissions are included with their ids: the restore empties
            # every table and loads them back as they were.
            serializers.serialize(
                "jsonl",
                _all_rows(using),
                stream=stream,
                cls=ExactJSONEncoder,
            )
    return counts, state, sequences


def _sqlite_sequences(using):
    """The next-id counters of SQLite's AUTOINCREMENT tables.

    They can be ahead of the largest id (rows deleted since). Restored as they were,
    a deleted row's id is never given to a new row, whose history would then read as
    the old one's. (pg_dump saves PostgreSQL's sequences itself.)
    """
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        )
        if cursor.fetchone() is None:
            return {}
        cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
        return dict(cursor.fetchall())


def _restore_sqlite_sequences(sequences, *, using):
    with connections[using].cursor() as cursor:
        for table, seq in sequences.items():
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [seq, table]
            )
            if cursor.rowcount == 0:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, seq]
                )


def _all_rows(using):
    for model in backed_up_models(using):
        if model._meta.auto_created:
            continue  # m2m tables travel inside their owner's rows
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
        yield from queryset.iterator(chunk_size=2000)


def _archive_media(root: Path, target: Path):
    files = size = 0
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        if not root.is_dir():
            return {"files": 0, "bytes": 0}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            base = Path(dirpath)
            for name in dirnames:
                path = base / name
                if not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
            for name in sorted(filenames):
                path = base / name
                # Uploads are regular files; a link could point anywhere, so it is
                # neither followed nor stored.
                if path.is_symlink() or not path.is_file():
                    continue
                tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
                files += 1
                size += path.stat().st_size
    return {"files": files, "bytes": size}


# --- Restore -----------------------------------------------------------------------


def read_backup(folder: Path, *, using: str = "default") -> dict:
    """Check a backup folder against the current database; return its manifest.

    Reads but changes nothing: the restore calls it before touching any data, and
    so does a restore that was not confirmed.
    """
    folder = Path(folder)
    try:
        with open(folder / MANIFEST, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise BackupError(f"{folder} không phải bản sao lưu: thiếu {MANIFEST}.") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {folder / MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{folder / MANIFEST}: định dạng không được hỗ trợ.")

    vendor = connections[using].vendor
    if manifest.get("vendor") != vendor:
        raise BackupError(
            f"Bản sao lưu được tạo từ cơ sở dữ liệu {manifest.get('vendor')!r}, còn cơ sở "
            f"dữ liệu hiện tại là {vendor!r}: không thể khôi phục chéo. Hãy đặt "
            f"DATABASE_URL trỏ tới cơ sở dữ liệu cùng loại."
        )

    for name in (DATABASE_FILES[vendor], MEDIA_ARCHIVE):
        expected = manifest.get("files", {}).get(name)
        path = folder / name
        if expected is None or not path.is_file():
            raise BackupError(f"Bản sao lưu thiếu tệp {name}.")
        if path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{path}: nội dung không khớp với manifest (tệp hỏng hoặc bị sửa).")

    _check_media_archive(folder / MEDIA_ARCHIVE)
    _check_migration_state(manifest, using=using)
    return manifest


def restore_backup(*, folder: Path, using: str = "default") -> RestoreResult:
    """Replace all data of the database and put back the media files of a backup."""
    folder = Path(folder)
    manifest = read_backup(folder, using=using)
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Khôi phục phải chạy ngoài một giao dịch (transaction).")

    if connection.vendor == "postgresql":
        # pg_restore drops and recreates the tables; our own idle connection must not
        # hold anything open on them.
        connection.close()
        _run_pg_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(folder / DATABASE_FILES["postgresql"]),
            ],
            connection.settings_dict,
        )
    else:
        if not migration_state(using):
            _migrate_to(manifest["migrations"], using=using)
        # Empty every table and load the rows back, in one transaction: a failure
        # leaves the database as it was. Content types and permissions come from the
        # backup with their ids, so post_migrate must not recreate them first.
        with transaction.atomic(using=using):
            call_command(
                "flush",
                database=using,
                interactive=False,
                inhibit_post_migrate=True,
                verbosity=0,
            )
            call_command(
                "loaddata",
                str(folder / DATABASE_FILES["sqlite"]),
                database=using,
                verbosity=0,
            )
            _restore_sqlite_sequences(manifest.get("sqlite_sequences", {}), using=using)

    # Rendered parts in the cache are keyed by the summaries' generation, which the
    # backup brings back as it was: a cache shared by servers (CACHE_URL) could hold
    # another timeline's parts under the same numbers.
    cache.clear()
    media_files = _extract_media(folder / MEDIA_ARCHIVE, Path(settings.MEDIA_ROOT))

    now = table_row_counts(using)
    expected = manifest.get("row_counts", {})
    mismatches = {
        table: (expected.get(table), now.get(table))
        for table in sorted(set(expected) | set(now))
        if expected.get(table) != now.get(table)
    }
    return RestoreResult(manifest=manifest, media_files=media_files, mismatches=mismatches)


def _check_migration_state(manifest, *, using):
    """Refuse unless the schema is the backup's, or the database is empty.

    Rows load only into the schema they came from. An empty database is fine: on
    PostgreSQL pg_restore creates the schema; on SQLite the restore first migrates
    it to the backup's state (`_migrate_to`), which must exist in this code.
    """
    current = migration_state(using)
    saved = manifest.get("migrations", {})
    if current == saved:
        return
    if not current:
        if connections[using].vendor == "sqlite":
            graph = MigrationLoader(connections[using], ignore_no_migrations=True).graph
            missing = [
                f"{app}.{name}" for app, name in saved.items() if (app, name) not in graph.nodes
            ]
            if missing:
                raise BackupError(
                    f"Phiên bản phần mềm này không có migration {', '.join(missing)} của "
                    "bản sao lưu: hãy khôi phục bằng đúng phiên bản đã tạo bản sao lưu."
                )
        return
    differences = ", ".join(
        f"{app}: {current.get(app, '—')} (hiện tại) / {saved.get(app, '—')} (bản sao lưu)"
        for app in sorted(set(current) | set(saved))
        if current.get(app) != saved.get(app)
    )
    raise BackupError(
        "Trạng thái migration của cơ sở dữ liệu khác với bản sao lưu: "
        f"{differences}. Hãy khôi phục bằng đúng phiên bản phần mềm đã tạo bản sao lưu, "
        "vào một cơ sở dữ liệu trống hoặc cùng trạng thái, rồi mới nâng cấp (migrate)."
    )


def _migrate_to(state, *, using):
    """Bring an empty SQLite database to exactly the backup's migration state."""
    executor = MigrationExecutor(connections[using])
    targets = sorted(state.items())
    executor.migrate(targets, plan=executor.migration_plan(targets))


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _check_media_archive(path: Path):
    """Refuse an archive that could write outside MEDIA_ROOT or create anything odd."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if not _safe_member_name(member.name):
                    raise BackupError(
                        f"{path}: tệp {member.name!r} nằm ngoài thư mục media; từ chối khôi phục."
                    )
                if not (member.isfile() or member.isdir()):
                    raise BackupError(
                        f"{path}: {member.name!r} không phải tệp thường; từ chối khôi phục."
                    )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path}: không đọc được tệp nén ({exc}).") from exc


def _extract_media(path: Path, root: Path) -> int:
    """Put the archived files back into MEDIA_ROOT; files added since stay untouched."""
    root.mkdir(parents=True, exist_ok=True)
    files = 0
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            # Checked before the database was touched (read_backup); checked again
            # here, and the "data" filter also drops ownership and unsafe mode bits.
            if not (_safe_member_name(member.name) and (member.isfile() or member.isdir())):
                raise BackupError(f"{path}: {member.name!r} bị từ chối.")
            tar.extract(member, root, filter="data")
            files += member.isfile()
    return files


# --- Helpers -----------------------------------------------------------------------


def _run_pg_tool(tool, args, settings_dict):
    """Run pg_dump or pg_restore against the database Django is configured for."""
    env = os.environ.copy()
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    command = [tool, "--no-password"]
    if settings_dict.get("HOST"):
        command.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        command.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        command.append(f"--username={settings_dict['USER']}")
    if settings_dict.get("NAME"):
        command.append(f"--dbname={settings_dict['NAME']}")
    command += args
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"Không tìm thấy {tool}. Hãy cài gói postgresql-client cùng phiên bản với "
            f"máy chủ PostgreSQL (ví dụ: apt-get install postgresql-client-15)."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{tool} thất bại (mã {result.returncode}):\n{result.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
