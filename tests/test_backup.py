"""`manage.py backup` / `restore`: a round trip gives back every row and every file.

The tests commit their data (`transaction=True`): pg_dump reads the database from
its own connection and sees only committed rows. They run on SQLite and, with
DATABASE_URL=postgres://…, on PostgreSQL.
"""

import io
import json
import tarfile

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from agreements.models import Agreement, Area, Attachment, ContributedPaper, Review
from dinvan import backup
from dinvan.sessions import SessionStore
from tests.factories import AreaFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCAN = b"%PDF-1.4\n" + bytes(range(256)) * 40 + "Biên bản ký kết".encode()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo accounts' passwords are hashed with Argon2 otherwise: seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def snapshot():
    """Every row of every table, all columns, in primary-key order."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        tables[model._meta.db_table] = list(model._base_manager.order_by("pk").values())
    return tables


def run_backup(output_dir):
    out = io.StringIO()
    call_command("backup", output_dir=str(output_dir), stdout=out)
    folder = output_dir / out.getvalue().strip().rsplit("/", 1)[-1]
    assert folder.is_dir()
    return folder


def restore(folder, **options):
    call_command("restore", str(folder), stdout=io.StringIO(), **options)


def rewrite_manifest(folder, **changes):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def load_everything(media_root):
    """The demo data, plus a row in the tables the demo leaves empty, plus a file."""
    call_command("loaddemo", stdout=io.StringIO())
    agreement = Agreement.objects.order_by("pk").first()
    attachment = Attachment.objects.create(
        agreement=agreement,
        title="Bản ký quy chế phối hợp",
        kind=Attachment.Kind.SIGNED_SCAN,
        file=ContentFile(SCAN, name="ban-ky.pdf"),
        original_name="Bản ký.pdf",
        size=len(SCAN),
    )
    user = UserFactory(username="nguoi.sao.luu")
    group = Group.objects.create(name="Biên tập")
    group.permissions.add(Permission.objects.get(codename="change_agreement"))
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Agreement),
        object_id=str(agreement.pk),
        object_repr=str(agreement)[:200],
        action_flag=CHANGE,
        change_message="Sửa trích yếu",
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    AccessLog.objects.create(
        username=user.username, ip_address="10.0.0.7", user_agent="pytest", path_info="/login/"
    )
    AccessAttempt.objects.create(
        username="khach",
        ip_address="10.0.0.8",
        user_agent="pytest",
        path_info="/login/",
        get_data="",
        post_data="username=khach",
        failures_since_start=2,
    )
    return media_root / attachment.file.name


def test_a_restore_gives_back_every_row_and_every_file(media_root, tmp_path):
    scan = load_everything(media_root)
    # A deleted row: its id must not be handed out again after the restore.
    gone = AreaFactory()
    gone_pk = gone.pk
    Area.objects.filter(pk=gone_pk).delete()
    folder = run_backup(tmp_path / "backups")
    before = snapshot()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["row_counts"] == {table: len(rows) for table, rows in before.items()}
    assert manifest["migrations"]["agreements"].startswith("0")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", "media.tar.gz", backup.DATABASE_FILES[connection.vendor]]
    )
    assert all(
        before[table] for table in ("agreements_usersession", "django_admin_log", "axes_accesslog")
    )

    # Damage: a changed title, lost children, a lost attachment and its file, a new row.
    agreement = Agreement.objects.order_by("pk").first()
    Agreement.objects.filter(pk=agreement.pk).update(title="Trích yếu bị sửa nhầm")
    review = Review.objects.filter(papers__isnull=False).order_by("pk").first()
    ContributedPaper.objects.filter(review=review).delete()
    Attachment.objects.all().delete()
    Group.objects.all().delete()
    scan.unlink()
    AreaFactory(name="Địa bàn thêm sau khi sao lưu")
    assert snapshot() != before

    restore(folder, yes=True)

    after = snapshot()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert scan.read_bytes() == SCAN
    assert AreaFactory().pk > gone_pk


def test_it_refuses_to_restore_without_yes_and_changes_nothing(media_root, tmp_path):
    AreaFactory()
    scan = media_root / "attachments" / "ban-ky.pdf"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(SCAN)
    folder = run_backup(tmp_path / "backups")
    Area.objects.update(name="Đã đổi tên")
    scan.unlink()
    damaged = snapshot()

    with pytest.raises(CommandError, match="--yes"):
        restore(folder)

    assert snapshot() == damaged
    assert not scan.exists()


def test_it_refuses_a_backup_from_the_other_database_vendor(media_root, tmp_path):
    AreaFactory()
    folder = run_backup(tmp_path / "backups")
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    rewrite_manifest(folder, vendor=other)
    Area.objects.update(name="Đã đổi tên")
    damaged = snapshot()

    with pytest.raises(CommandError, match=other):
        restore(folder, yes=True)

    assert snapshot() == damaged


def _member(name, kind=tarfile.REGTYPE):
    member = tarfile.TarInfo(name)
    member.type = kind
    if kind == tarfile.SYMTYPE:
        member.linkname = "/etc/passwd"
    return member


def test_it_refuses_a_media_archive_that_escapes_media_root(media_root, tmp_path):
    AreaFactory()
    folder = run_backup(tmp_path / "backups")
    Area.objects.update(name="Đã đổi tên")
    damaged = snapshot()
    archive = folder / "media.tar.gz"
    # One backup, several bad archives: each backup costs a database flush on PostgreSQL.
    for member in (
        _member("../evil.txt"),
        _member("attachments/../../evil.txt"),
        _member("/tmp/evil.txt"),
        _member("attachments/link", tarfile.SYMTYPE),
    ):
        with tarfile.open(archive, "w:gz") as tar:
            tar.addfile(_member("attachments/ok.txt"), io.BytesIO(b""))
            tar.addfile(member, io.BytesIO(b""))
        # A consistent manifest, so it is the member that is refused, not the checksum.
        files = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
        files["media.tar.gz"] = {"size": archive.stat().st_size, "sha256": backup._sha256(archive)}
        rewrite_manifest(folder, files=files)

        with pytest.raises(CommandError, match="từ chối"):
            restore(folder, yes=True)

    assert snapshot() == damaged
    assert not (tmp_path / "evil.txt").exists()
    assert not (media_root / "attachments").exists()


def test_it_refuses_a_backup_whose_files_do_not_match_the_manifest(media_root, tmp_path):
    AreaFactory()
    folder = run_backup(tmp_path / "backups")
    database_file = folder / backup.DATABASE_FILES[connection.vendor]
    database_file.write_bytes(database_file.read_bytes()[:-10])

    with pytest.raises(CommandError, match="không khớp"):
        restore(folder, yes=True)


def test_a_failed_backup_leaves_no_folder(media_root, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(backup, "_archive_media", fail)
    with pytest.raises(CommandError, match="đĩa đầy"):
        call_command("backup", output_dir=str(tmp_path / "backups"), stdout=io.StringIO())

    assert list((tmp_path / "backups").iterdir()) == []


def test_it_refuses_a_backup_from_another_migration_state(media_root, tmp_path):
    AreaFactory()
    folder = run_backup(tmp_path / "backups")
    rewrite_manifest(folder, migrations={"agreements": "0001_initial"})
    Area.objects.update(name="Đã đổi tên")
    damaged = snapshot()

    with pytest.raises(CommandError, match="migration"):
        restore(folder, yes=True)

    assert snapshot() == damaged
