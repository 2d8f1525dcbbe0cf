"""Back up the database and the uploaded files into one folder (see dinvan/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from dinvan.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (pg_dump trên PostgreSQL, toàn bộ dữ liệu dạng JSON trên "
        "SQLite) và các tệp tải lên vào một thư mục dinvan-YYYYmmdd-HHMMSS kèm manifest.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default="backups",
            help="Thư mục chứa các bản sao lưu (mặc định: backups/).",
        )
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu.")

    def handle(self, *args, output_dir, database, **options):
        try:
            folder = create_backup(output_dir=Path(output_dir), using=database)
        except (BackupError, OSError, DatabaseError) as exc:
            raise CommandError(f"Sao lưu thất bại: {exc}") from exc
        # The path alone on stdout, so scripts can capture it.
        self.stdout.write(str(folder.resolve()))
