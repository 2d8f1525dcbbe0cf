"""Recompute the summary tables of the dashboard and reports from the rows."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from agreements.text import figure
from reports.services import summaries_rebuild


class Command(BaseCommand):
    help = _(
        "Tính lại toàn bộ bảng tổng hợp của trang tổng quan và báo cáo. Chạy sau khi nạp "
        "dữ liệu hàng loạt (generate_data, khôi phục bản sao lưu) và đầu mỗi năm."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = summaries_rebuild(stdout=self.stdout if options["verbosity"] > 1 else None)
        self.stdout.write(
            _("Đã tính lại bảng tổng hợp của %(count)s văn bản trong %(seconds).0f giây.")
            % {"count": figure(count), "seconds": time.monotonic() - started}
        )
