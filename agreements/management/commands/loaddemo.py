"""Load the demo data of the five seed articles (see agreements/demo.py)."""

from django.core.management.base import BaseCommand

from agreements.demo import load_demo


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu từ năm bài báo nguồn: địa bàn, cơ quan, văn bản phối hợp, "
        "hội nghị, số liệu, danh mục chỉ tiêu và tài khoản mẫu. Chạy lại không thay đổi gì."
    )

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
