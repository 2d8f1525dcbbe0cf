"""Restore a backup made by `manage.py backup` (see dinvan/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from dinvan.backup import BackupError, read_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu: THAY THẾ TOÀN BỘ dữ liệu của cơ sở dữ liệu hiện tại và "
        "chép lại các tệp tải lên vào MEDIA_ROOT, rồi đối chiếu số dòng với manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Thư mục bản sao lưu, ví dụ backups/dinvan-…")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Xác nhận thay thế toàn bộ dữ liệu hiện có.",
        )
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu.")

    def handle(self, *args, folder, yes, database, **options):
        folder = Path(folder)
        try:
            # Checks the backup against this database and changes nothing.
            manifest = read_backup(folder, using=database)
        except (BackupError, OSError, DatabaseError) as exc:
            raise CommandError(f"Không thể khôi phục: {exc}") from exc

        target = connections[database].settings_dict.get("NAME")
        if not yes:
            raise CommandError(
                f"Khôi phục sẽ XÓA TOÀN BỘ dữ liệu hiện có của cơ sở dữ liệu {target} và thay "
                f"bằng bản sao lưu lúc {manifest['created_at']}; các tệp trong bản sao lưu sẽ "
                f"được chép đè vào {settings.MEDIA_ROOT}. Không có gì bị thay đổi. Nếu chắc "
                "chắn, hãy chạy lại với --yes."
            )

        try:
            result = restore_backup(folder=folder, using=database)
        except (BackupError, OSError, DatabaseError) as exc:
            raise CommandError(f"Khôi phục thất bại: {exc}") from exc

        counts = result.manifest["row_counts"]
        self.stdout.write(
            f"Đã khôi phục {folder} ({manifest['created_at']}) vào {target}: "
            f"{sum(counts.values())} dòng trong {len(counts)} bảng, "
            f"{result.media_files} tệp media."
        )
        if result.mismatches:
            lines = "\n".join(
                f"  {table}: {expected} (manifest) / {actual} (sau khôi phục)"
                for table, (expected, actual) in result.mismatches.items()
            )
            raise CommandError(f"Số dòng không khớp với manifest:\n{lines}")
        self.stdout.write(self.style.SUCCESS("Số dòng của mọi bảng khớp với manifest."))
