"""Fill the database with synthetic agreements for benchmarks (see agreements/generate.py)."""

from django.core.management.base import BaseCommand, CommandError

from agreements.generate import SCALES, generate


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu giả lập có thể tái lập (cùng --seed cho cùng dữ liệu) ở quy mô một "
        "tỉnh, toàn quốc hoặc rất nhỏ (cho kiểm thử): địa bàn, cơ quan và dòng kế thừa "
        "năm 2025, văn bản phối hợp, nội dung, kế hoạch, hội nghị, đánh giá và số liệu "
        "chỉ tiêu. Không ghi lịch sử thay đổi cho dữ liệu sinh ra."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="province")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Số dòng mỗi lần ghi (COPY hoặc bulk_create).",
        )
        parser.add_argument(
            "--method",
            choices=["auto", "copy", "bulk"],
            default="auto",
            help="copy (PostgreSQL) hoặc bulk (bulk_create); auto: copy trên PostgreSQL.",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="Với COPY: giữ chỉ mục và khóa ngoại trong lúc nạp (chậm hơn).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Xóa dữ liệu sinh tự động đã có (và tài khoản bench-*) rồi sinh lại.",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size phải lớn hơn 0.")
        try:
            generate(
                scale=options["scale"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                method=options["method"],
                replace=options["replace"],
                keep_indexes=options["keep_indexes"],
                stdout=self.stdout,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
