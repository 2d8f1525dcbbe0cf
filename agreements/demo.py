"""Demo data: the real agreements of the five seed articles, and the loader.

Every record below is traceable to one of the articles in shared/seeds/ (the
`source` of an agreement or review is the article's file name). Where an article is
silent a field stays empty and `notes` says what is missing; nothing is filled in
by guesswork. The only facts not taken from the articles are public administrative
ones listed in shared/domain.md: province codes, the merger of Hòa Bình into Phú
Thọ (1/7/2025), the end of districts, and the 2025 reorganisation of Party bodies.

`load_demo()` is idempotent: rows are found by natural keys, and a row is saved
only when a value differs, so a second run writes nothing, not even history rows.
It writes through the models rather than through `services.py` on purpose: the
services replace whole lists and bump versions on every call, which a loader that
must compare before it writes cannot use. Saves still go through `full_clean()`
and the model's `save()`, so constraints, NFC and search keys apply and
simple-history records every change (with a change reason naming the loader).
"""

import datetime
import secrets
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from .models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    Area,
    ContentItem,
    ContributedPaper,
    Indicator,
    IndicatorValue,
    LegalBasis,
    Review,
    Signatory,
    UserProfile,
)
from .text import nfc

CHANGE_REASON = "Nạp dữ liệu mẫu (loaddemo)"
SUCCESSION_LABEL = "địa bàn kế thừa"

D = datetime.date

# --- Areas ----------------------------------------------------------------------
# Official province codes. On 1/7/2025 Hòa Bình was merged into the new Phú Thọ;
# the other four provinces were kept. Districts were abolished on the same day;
# only the two an article names are recorded (codes left empty: no source here).

AREAS = [
    {"key": "nghe-an", "name": "Tỉnh Nghệ An", "code": "40", "level": "province"},
    {"key": "lai-chau", "name": "Tỉnh Lai Châu", "code": "12", "level": "province"},
    {"key": "lang-son", "name": "Tỉnh Lạng Sơn", "code": "20", "level": "province"},
    {"key": "ha-tinh", "name": "Tỉnh Hà Tĩnh", "code": "42", "level": "province"},
    {
        "key": "phu-tho",
        "name": "Tỉnh Phú Thọ",
        "code": "25",
        "level": "province",
        "valid_from": D(2025, 7, 1),
    },
    {
        "key": "hoa-binh",
        "name": "Tỉnh Hòa Bình",
        "code": "17",
        "level": "province",
        "valid_until": D(2025, 6, 30),
        "successors": ["phu-tho"],
    },
    {
        "key": "duc-tho",
        "name": "Huyện Đức Thọ",
        "level": "district",
        "parent": "ha-tinh",
        "valid_until": D(2025, 6, 30),
    },
    {
        "key": "hong-linh",
        "name": "Thị xã Hồng Lĩnh",
        "level": "district",
        "parent": "ha-tinh",
        "valid_until": D(2025, 6, 30),
    },
]

# --- Agencies -------------------------------------------------------------------
# `username` marks the agencies that sign an agreement below: each gets a demo
# editor of that name.

BDV_MERGED_ON = D(2025, 3, 1)
HOA_BINH_LAST_DAY = D(2025, 6, 30)

BDV_MERGER_NOTE = (
    "Từ 01/3/2025, Ban Tuyên giáo Tỉnh ủy và Ban Dân vận Tỉnh ủy hợp nhất thành "
    "Ban Tuyên giáo và Dân vận Tỉnh ủy."
)
PARTY_COMMITTEE_ENDED_NOTE = (
    "Kết thúc hoạt động năm 2025 khi sắp xếp tổ chức bộ máy của hệ thống chính trị; "
    "nhiệm vụ chuyển cho tổ chức đảng mới được thành lập. Tài liệu nguồn không nêu "
    "tên tổ chức đảng mới và ngày kết thúc nên chưa ghi."
)
HOA_BINH_MERGER_NOTE = (
    "Tỉnh Hòa Bình hợp nhất vào tỉnh Phú Thọ từ 01/7/2025. Tài liệu nguồn không nêu "
    "cơ quan kế thừa nên chưa ghi."
)


def _provincial_bdv(area, province, username=""):
    """The province's Ban Dân vận and the merged commission that continues it."""
    bdv = {
        "key": f"{area}/bdv",
        "name": f"Ban Dân vận Tỉnh ủy {province}",
        "short_name": "BDV Tỉnh ủy",
        "kind": "party_body",
        "area": area,
        "active_until": BDV_MERGED_ON - datetime.timedelta(days=1),
        "username": username,
    }
    successor = {
        "key": f"{area}/btgdv",
        "name": f"Ban Tuyên giáo và Dân vận Tỉnh ủy {province}",
        "short_name": "BTG&DV Tỉnh ủy",
        "kind": "party_body",
        "area": area,
        "active_from": BDV_MERGED_ON,
    }
    change = {
        "predecessor": bdv["key"],
        "successor": successor["key"],
        "kind": "merged",
        "changed_on": BDV_MERGED_ON,
        "note": BDV_MERGER_NOTE,
    }
    return [bdv, successor], [change]


def _ended_2025(key):
    """A provincial Party committee ended in 2025; no date in the sources."""
    return {
        "predecessor": key,
        "kind": "ended",
        "changed_on": None,
        "note": PARTY_COMMITTEE_ENDED_NOTE,
    }


def _hoa_binh_ended(key):
    return {
        "predecessor": key,
        "kind": "ended",
        "changed_on": HOA_BINH_LAST_DAY + datetime.timedelta(days=1),
        "note": HOA_BINH_MERGER_NOTE,
    }


AGENCIES = []
AGENCY_CHANGES = []

for _area, _province, _username in [
    ("nghe-an", "Nghệ An", "bdv.nghean"),
    ("lai-chau", "Lai Châu", "bdv.laichau"),
    ("lang-son", "Lạng Sơn", ""),
    ("ha-tinh", "Hà Tĩnh", ""),
]:
    _agencies, _changes = _provincial_bdv(_area, _province, _username)
    AGENCIES += _agencies
    AGENCY_CHANGES += _changes

AGENCIES += [
    # Nghệ An
    {
        "key": "nghe-an/bcsd-ubnd",
        "name": "Ban Cán sự đảng UBND tỉnh Nghệ An",
        "short_name": "BCSĐ UBND tỉnh",
        "kind": "party_committee",
        "area": "nghe-an",
        "username": "bcsd.nghean",
    },
    {
        "key": "nghe-an/ubnd",
        "name": "Ủy ban nhân dân tỉnh Nghệ An",
        "short_name": "UBND tỉnh",
        "kind": "state",
        "area": "nghe-an",
    },
    {
        "key": "nghe-an/so-noi-vu",
        "name": "Sở Nội vụ tỉnh Nghệ An",
        "short_name": "Sở Nội vụ",
        "kind": "state",
        "area": "nghe-an",
    },
    # Lai Châu
    {
        "key": "lai-chau/dd-hdnd",
        "name": "Đảng đoàn HĐND tỉnh Lai Châu",
        "short_name": "ĐĐ HĐND tỉnh",
        "kind": "party_committee",
        "area": "lai-chau",
        "username": "ddhdnd.laichau",
    },
    # Lạng Sơn
    {
        "key": "lang-son/btv",
        "name": "Ban Thường vụ Tỉnh ủy Lạng Sơn",
        "short_name": "BTV Tỉnh ủy",
        "kind": "party_committee",
        "area": "lang-son",
        "username": "btv.langson",
    },
    # Hà Tĩnh
    {
        "key": "ha-tinh/bcd-qcdc",
        "name": "Ban Chỉ đạo thực hiện quy chế dân chủ cơ sở tỉnh Hà Tĩnh",
        "short_name": "BCĐ thực hiện QCDC cơ sở tỉnh",
        "kind": "steering",
        "area": "ha-tinh",
        "username": "bcdqcdc.hatinh",
    },
    {
        "key": "ha-tinh/bcd-dvk",
        "name": "Ban Chỉ đạo phong trào thi đua “Dân vận khéo” tỉnh Hà Tĩnh",
        "short_name": "BCĐ phong trào “Dân vận khéo” tỉnh",
        "kind": "steering",
        "area": "ha-tinh",
        "username": "bcddvk.hatinh",
    },
    {
        "key": "ha-tinh/bcd-ton-giao",
        "name": "Ban Chỉ đạo công tác tôn giáo tỉnh Hà Tĩnh",
        "short_name": "BCĐ công tác tôn giáo tỉnh",
        "kind": "steering",
        "area": "ha-tinh",
        "username": "bcdtongiao.hatinh",
    },
    {
        "key": "ha-tinh/mttq",
        "name": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh",
        "short_name": "Ủy ban MTTQ tỉnh",
        "kind": "front",
        "area": "ha-tinh",
    },
    # Hòa Bình
    {
        "key": "hoa-binh/dang-uy-khoi",
        "name": "Đảng ủy Khối các cơ quan tỉnh Hòa Bình",
        "short_name": "Đảng ủy Khối CCQ tỉnh",
        "kind": "party_committee",
        "area": "hoa-binh",
        "active_until": HOA_BINH_LAST_DAY,
    },
    {
        "key": "hoa-binh/ubnd",
        "name": "Ủy ban nhân dân tỉnh Hòa Bình",
        "short_name": "UBND tỉnh",
        "kind": "state",
        "area": "hoa-binh",
        "active_until": HOA_BINH_LAST_DAY,
        "username": "ubnd.hoabinh",
    },
    {
        "key": "hoa-binh/so-xay-dung",
        "name": "Sở Xây dựng tỉnh Hòa Bình",
        "short_name": "Sở Xây dựng",
        "kind": "state",
        "area": "hoa-binh",
        "active_until": HOA_BINH_LAST_DAY,
    },
]

AGENCY_CHANGES += [
    _ended_2025("nghe-an/bcsd-ubnd"),
    _ended_2025("lai-chau/dd-hdnd"),
    _hoa_binh_ended("hoa-binh/dang-uy-khoi"),
    _hoa_binh_ended("hoa-binh/ubnd"),
    _hoa_binh_ended("hoa-binh/so-xay-dung"),
]

# --- Indicator catalogue ----------------------------------------------------------

GROUP_GOVERNMENT = "Công tác dân vận chính quyền"
GROUP_DVK = "Phong trào thi đua “Dân vận khéo”"
GROUP_FRONT = "Giám sát, phản biện xã hội"
GROUP_ADMIN_REFORM = "Cải cách hành chính"

INDICATORS = [
    {
        "code": "doi-thoai-nhan-dan",
        "name": "Số cuộc, hội nghị đối thoại với Nhân dân",
        "unit": "cuộc",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_GOVERNMENT,
        "description": "Đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân.",
    },
    {
        "code": "chinh-quyen-than-thien",
        "name": "Số xã, phường, thị trấn triển khai xây dựng mô hình “Chính quyền thân thiện”",
        "unit": "xã, phường, thị trấn",
        "kind": "ratio",
        "aggregation": "latest",
        "denominator_label": "tổng số xã, phường, thị trấn",
        "group": GROUP_GOVERNMENT,
    },
    {
        "code": "dan-van-kheo-tong-so",
        "name": "Tổng số mô hình “Dân vận khéo” được xây dựng, nhân rộng",
        "unit": "mô hình",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_DVK,
    },
    {
        "code": "dan-van-kheo-kinh-te",
        "name": "Mô hình “Dân vận khéo” lĩnh vực kinh tế",
        "unit": "mô hình",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_DVK,
    },
    {
        "code": "dan-van-kheo-van-hoa-xa-hoi",
        "name": "Mô hình “Dân vận khéo” lĩnh vực văn hóa – xã hội",
        "unit": "mô hình",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_DVK,
    },
    {
        "code": "dan-van-kheo-quoc-phong-an-ninh",
        "name": "Mô hình “Dân vận khéo” lĩnh vực quốc phòng – an ninh",
        "unit": "mô hình",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_DVK,
    },
    {
        "code": "dan-van-kheo-xay-dung-htct",
        "name": "Mô hình “Dân vận khéo” lĩnh vực xây dựng hệ thống chính trị",
        "unit": "mô hình",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_DVK,
    },
    {
        "code": "dan-van-kheo-cap-huyen",
        "name": "Mô hình “Dân vận khéo” cấp huyện được đăng ký thực hiện",
        "unit": "mô hình",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_DVK,
    },
    {
        "code": "phan-bien-du-thao",
        "name": "Số dự thảo văn bản được phản biện xã hội",
        "unit": "dự thảo",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_FRONT,
    },
    {
        "code": "phan-bien-y-kien",
        "name": "Số ý kiến phản biện xã hội",
        "unit": "ý kiến",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_FRONT,
    },
    {
        "code": "ho-so-tiep-nhan-moi",
        "name": "Số hồ sơ thủ tục hành chính tiếp nhận mới",
        "unit": "hồ sơ",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_ADMIN_REFORM,
    },
    {
        "code": "ho-so-ky-truoc-chuyen-sang",
        "name": "Số hồ sơ kỳ trước chuyển sang",
        "unit": "hồ sơ",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_ADMIN_REFORM,
    },
    {
        "code": "ho-so-da-tra",
        "name": "Số hồ sơ đã giải quyết, trả kết quả",
        "unit": "hồ sơ",
        "kind": "count",
        "aggregation": "sum",
        "group": GROUP_ADMIN_REFORM,
    },
    {
        "code": "thoi-gian-giam-so-quy-dinh",
        "name": "Thời gian giải quyết hồ sơ giảm so với quy định",
        "unit": "%",
        "kind": "percentage",
        "aggregation": "average",
        "group": GROUP_ADMIN_REFORM,
    },
]

# --- Agreements -------------------------------------------------------------------
# In dependency order: an agreement that supersedes another comes after it.

LAI_CHAU = "lai-chau-2021-bdv-dd-hdnd.txt"
NGHE_AN = "nghe-an-2021-tong-ket-bcsd-ubnd-bdv.txt"
LANG_SON = "lang-son-2023-quy-che-593.txt"
HA_TINH = "ha-tinh-2024-ban-chi-dao.txt"
HOA_BINH = "hoa-binh-2019-khoi-ccq.txt"

LO_VAN_CUONG = ("Lò Văn Cương", "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy")
CHU_LE_CHINH = (
    "Chu Lê Chinh",
    "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng đoàn HĐND tỉnh",
)
NGUYEN_DUC_TRUNG = (
    "Nguyễn Đức Trung",
    "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh, Bí thư Ban Cán sự đảng UBND tỉnh",
)
NGOC_KIM_NAM = ("Ngọc Kim Nam", "Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Tỉnh ủy")
TRAN_THE_DUNG = ("Trần Thế Dũng", "Phó Bí thư Thường trực Tỉnh ủy, trưởng các ban chỉ đạo")
TRUONG_THANH_HUYEN = (
    "Trương Thanh Huyền",
    "Trưởng ban Dân vận Tỉnh ủy, phó ban thường trực các ban chỉ đạo",
)


def _chairs(*people):
    return "\n".join(f"Đồng chí {name}, {position}" for name, position in people)


LANG_SON_NOTE = (
    "Số liệu theo bài viết của đồng chí Giáp Thị Bắc, Ủy viên Ban Thường vụ, "
    "Trưởng Ban Dân vận Tỉnh ủy (Báo Lạng Sơn, 20/01/2023)."
)
HOA_BINH_NOTE = "Số liệu của Sở Xây dựng từ ngày 01/01 đến ngày 06/11/2019."

AGREEMENTS = [
    # --- Lai Châu ---------------------------------------------------------------
    {
        "key": "lai-chau/31b",
        "kind": "regulation",
        "number": "31B-QCPH/BDV-ĐĐHĐND",
        "title": (
            "Quy chế phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy "
            "với Đảng đoàn HĐND tỉnh"
        ),
        "signed_on": D(2013, 5, 16),
        "start_year": 2013,
        "annual_review_required": False,
        "notes": (
            "Bài báo không nêu địa danh, người ký, nội dung phối hợp và chế độ đánh giá "
            "hằng năm của quy chế. Quy chế được tổng kết nhiệm kỳ 2016 - 2021 ngày "
            "30/8/2021 và thay bằng Chương trình phối hợp giai đoạn 2021 - 2026."
        ),
        "source": LAI_CHAU,
        "parties": [
            {"agency": "lai-chau/bdv", "role": "lead"},
            {"agency": "lai-chau/dd-hdnd", "role": "partner"},
        ],
        "legal_bases": [
            {
                "number": "290-QĐ/TW",
                "issued_on": D(2010, 2, 25),
                "issuer": "Bộ Chính trị",
                "title": "Ban hành Quy chế công tác dân vận của hệ thống chính trị",
            },
            {
                "number": "18/2000/CT-TTg",
                "issued_on": D(2000, 9, 21),
                "issuer": "Thủ tướng Chính phủ",
            },
            {
                "number": "1899-QĐ/TU",
                "issued_on": D(2010, 5, 28),
                "issuer": "Ban Thường vụ Tỉnh ủy Lai Châu",
            },
        ],
        "reviews": [
            {
                "kind": "final",
                "title": (
                    "Hội nghị đánh giá kết quả thực hiện Quy chế số 31B-QCPH/BDV-ĐĐHĐND "
                    "ngày 16/5/2013 nhiệm kỳ 2016 - 2021 và ký kết Chương trình phối hợp "
                    "giai đoạn 2021 - 2026"
                ),
                "held_on": D(2021, 8, 30),
                "place": ("Phòng họp số 1, tầng 4, Nhà B, Trung tâm Hành chính - Chính trị tỉnh"),
                "chaired_by": _chairs(LO_VAN_CUONG, CHU_LE_CHINH),
                "attended_by": (
                    "Lãnh đạo Ban Dân vận Tỉnh ủy, thành viên Đảng đoàn HĐND tỉnh; lãnh đạo "
                    "các Ban HĐND tỉnh; lãnh đạo Văn phòng Đoàn ĐBQH và HĐND tỉnh; lãnh đạo "
                    "các phòng chuyên môn thuộc Ban Dân vận Tỉnh ủy, Văn phòng Đoàn ĐBQH và "
                    "HĐND tỉnh."
                ),
                "results": (
                    "Việc cụ thể hóa mối quan hệ giữa Ban Dân vận Tỉnh ủy với Đảng đoàn HĐND "
                    "tỉnh trong việc thực hiện Quyết định 290-QĐ/TW, ngày 25/02/2010 của Bộ "
                    "Chính trị; Chỉ thị số 18/2000/CT-TTg, ngày 21/9/2000 của Thủ tướng Chính "
                    "phủ; Quyết định 1899-QĐ/TU, ngày 28/5/2010 của Ban Thường vụ Tỉnh ủy được "
                    "duy trì thường xuyên, đúng nguyên tắc và đã đạt được những kết quả quan "
                    "trọng trong công tác dân vận gắn với hoạt động của HĐND tỉnh. Hiệu quả "
                    "hoạt động trên các lĩnh vực công tác của các bên ngày càng được nâng lên, "
                    "góp phần thực hiện thắng lợi nhiệm vụ chính trị của địa phương.\n"
                    "Công tác tiếp công dân, giải quyết khiếu nại, tố cáo, kiến nghị của công "
                    "dân được các bên quan tâm thực hiện đúng quy định và có hiệu quả. Trong "
                    "các buổi tiếp xúc cử tri đã trực tiếp trả lời, giải thích, động viên "
                    "công dân hiểu, đồng thuận và cùng thực hiện chủ trương của Đảng, chính "
                    "sách, pháp luật của Nhà nước, tạo được niềm tin của Nhân dân với chính "
                    "quyền."
                ),
                "limitations": (
                    "Phối hợp thực hiện nội dung liên quan đến công tác dân vận chính quyền "
                    "thuộc chức năng, nhiệm vụ của HĐND huyện, xã như giám sát, khảo sát việc "
                    "triển khai thực hiện một số chính sách đầu tư phát triển kinh tế - xã hội "
                    "trên địa bàn huyện có việc chưa thường xuyên.\n"
                    "Việc triển khai thực hiện Quyết định số 1899-QĐ/TU, ngày 28/5/2010 của "
                    "Ban Thường vụ Tỉnh ủy và công tác phối hợp giám sát cải cách thủ tục hành "
                    "chính công, chỉ số PAPI ở cấp huyện, cơ sở còn hạn chế.\n"
                    "Việc phối hợp nắm tình hình Nhân dân có lúc, có nơi chưa thường xuyên; "
                    "công tác tiếp xúc cử tri và phối hợp theo dõi, đôn đốc các cơ quan chức "
                    "năng xem xét, giải quyết đơn thư khiếu nại, kiến nghị của chính quyền cơ "
                    "sở còn hạn chế, tình trạng đơn thư vượt cấp còn diễn ra."
                ),
                "causes": (
                    "Đảng đoàn HĐND tỉnh, lãnh đạo Ban Dân vận Tỉnh ủy chưa tổ chức làm việc "
                    "trực tiếp để trao đổi nắm bắt tình hình kinh tế - xã hội và công tác dân "
                    "vận gắn với hoạt động của HĐND cấp cơ sở.\n"
                    "Công tác phối hợp trong hoạt động giám sát của HĐND, Thường trực HĐND, "
                    "các Ban HĐND tỉnh liên quan đến công tác dân vận chưa nhiều.\n"
                    "Cấp ủy, lãnh đạo một số cơ quan, đơn vị chưa nhận thức đầy đủ, sâu sắc về "
                    "mục đích, ý nghĩa, tầm quan trọng của công tác dân vận chính quyền nên "
                    "quá trình triển khai, thực hiện nhiệm vụ đạt hiệu quả chưa cao.\n"
                    "Nhận thức về vai trò, vị trí và tầm quan trọng của công tác dân vận ở một "
                    "bộ phận cán bộ, đảng viên, công chức, viên chức chưa thật sự đầy đủ, sâu "
                    "sắc.\n"
                    "Việc thực hiện chế độ thông tin báo cáo ở một số cơ quan, đơn vị chưa đầy "
                    "đủ, kịp thời, gây khó khăn cho công tác chỉ đạo điều hành của tỉnh."
                ),
                "directions": (
                    "Trên cơ sở kết quả đạt được, hạn chế, nguyên nhân và dự đoán tình hình, "
                    "Đảng đoàn HĐND tỉnh dự kiến 08 nội dung phối hợp thực hiện công tác dân "
                    "vận giai đoạn 2021 - 2026; hai bên ký kết Chương trình phối hợp giai đoạn "
                    "2021 - 2026.\n"
                    "Bế mạc hội nghị, đồng chí Chu Lê Chinh đề nghị Ban Dân vận Tỉnh ủy, Đảng "
                    "đoàn HĐND tỉnh thực hiện đúng, chất lượng, hiệu quả các nội dung đã ký "
                    "kết; hằng năm có kế hoạch thực hiện chương trình phối hợp để thực hiện "
                    "trong 5 năm; thường xuyên phối hợp, trao đổi, cung cấp thông tin giữa 02 "
                    "bên; đồng thời tổ chức sơ kết để kịp thời đánh giá kết quả đạt được, tồn "
                    "tại, hạn chế, nguyên nhân, từ đó có giải pháp kịp thời điều chỉnh để thực "
                    "hiện tốt công tác dân vận trong tình hình mới."
                ),
                "source": LAI_CHAU,
                # The article lists the four topics, and names the presenters of two.
                "papers": [
                    {
                        "title": (
                            "Thực trạng và giải pháp nâng cao chất lượng, hiệu quả công tác "
                            "dân vận chính quyền của cơ quan dân cử"
                        ),
                    },
                    {
                        "title": (
                            "Thực trạng và giải pháp về nắm tình hình Nhân dân, tâm tư, "
                            "nguyện vọng chính đáng, hợp pháp của Nhân dân"
                        ),
                    },
                    {
                        "title": (
                            "Nâng cao chất lượng, hiệu quả công tác tuyên truyền, vận động góp "
                            "phần thực hiện có hiệu quả các nghị quyết của HĐND tỉnh"
                        ),
                        "presenter": "Cao Xuân Hà",
                        "position": "Trưởng Phòng Đoàn thể và các hội, Ban Dân vận Tỉnh ủy",
                    },
                    {
                        "title": (
                            "Thực trạng và giải pháp nâng cao chất lượng, hiệu quả giải quyết "
                            "kiến nghị của cử tri và Nhân dân"
                        ),
                        "presenter": "Sùng A Hồ",
                        "position": "Trưởng Ban Dân tộc HĐND tỉnh",
                    },
                ],
            }
        ],
    },
    {
        "key": "lai-chau/2021-2026",
        "kind": "program",
        "number": "",
        "title": (
            "Chương trình phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy và "
            "Đảng đoàn HĐND tỉnh giai đoạn 2021 - 2026"
        ),
        "signed_on": D(2021, 8, 30),
        "place": "Lai Châu",
        "start_year": 2021,
        "end_year": 2026,
        "declared_item_count": 8,
        "annual_review_required": True,
        "supersedes": "lai-chau/31b",
        "notes": (
            "Bài báo không nêu số, ký hiệu và tên 08 nội dung phối hợp. Ký tại hội nghị "
            "tổng kết ngày 30/8/2021; bài báo không nêu thẩm quyền ký (T/M, K/T). Hội nghị "
            "đề nghị hằng năm có kế hoạch thực hiện và tổ chức sơ kết; bài báo không nêu "
            "năm sơ kết nên chưa ghi."
        ),
        "source": LAI_CHAU,
        "parties": [
            {"agency": "lai-chau/bdv", "role": "lead", "signatories": [LO_VAN_CUONG]},
            {"agency": "lai-chau/dd-hdnd", "role": "partner", "signatories": [CHU_LE_CHINH]},
        ],
    },
    # --- Nghệ An ----------------------------------------------------------------
    {
        "key": "nghe-an/2016-2021",
        "kind": "program",
        "number": "",
        "title": "Chương trình phối hợp về công tác dân vận giai đoạn 2016 - 2021",
        "signed_on": D(2016, 12, 21),
        "start_year": 2016,
        "end_year": 2021,
        "declared_item_count": 7,
        "annual_review_required": False,
        "final_review_year": 2021,
        "notes": (
            "Bài báo không nêu số, ký hiệu, địa danh, người ký và tên 7 nội dung chính. "
            "Bài báo nêu Ban Cán sự đảng UBND tỉnh trước, Ban Dân vận Tỉnh ủy sau; không "
            "nói rõ cơ quan chủ trì."
        ),
        "source": NGHE_AN,
        "parties": [
            {"agency": "nghe-an/bcsd-ubnd", "role": "lead"},
            {"agency": "nghe-an/bdv", "role": "partner"},
        ],
        "reviews": [
            {
                "kind": "final",
                "title": (
                    "Hội nghị tổng kết chương trình phối hợp về công tác dân vận giai đoạn "
                    "2016 - 2021, triển khai chương trình phối hợp giai đoạn 2021 - 2026"
                ),
                "held_on": D(2021, 12, 27),
                "chaired_by": _chairs(NGUYEN_DUC_TRUNG, NGOC_KIM_NAM),
                "results": (
                    "Sau 5 năm triển khai, hai cơ quan thống nhất đánh giá chương trình phối "
                    "hợp đã đạt được nhiều kết quả về công tác dân vận của các cơ quan, đơn vị, "
                    "chính quyền các cấp; nhiều phong trào được đẩy mạnh, kinh tế - xã hội tiếp "
                    "tục phát triển, an ninh chính trị trên địa bàn được giữ vững, vai trò, "
                    "trách nhiệm và tinh thần làm chủ của cán bộ, công chức, viên chức và Nhân "
                    "dân được phát huy.\n"
                    "Phương thức lãnh đạo của cấp ủy, chính quyền đối với công tác dân vận của "
                    "cơ quan nhà nước các cấp từng bước được đổi mới, nâng lên. Năng lực quản "
                    "lý, điều hành của chính quyền các cấp có sự chuyển biến tích cực; tăng "
                    "cường công tác kiểm tra, kịp thời tháo gỡ những khó khăn, vướng mắc, giữ "
                    "vững kỷ luật, kỷ cương hành chính.\n"
                    "Công tác cải cách hành chính có chuyển biến tích cực, loại bỏ nhiều thủ "
                    "tục không phù hợp, rút ngắn thời gian giải quyết hồ sơ, đơn thư khiếu nại "
                    "của công dân. Tinh thần trách nhiệm của đội ngũ cán bộ, đảng viên, công "
                    "chức, viên chức được nâng lên, tận tụy phục vụ người dân. Dân chủ gián "
                    "tiếp, trực tiếp ở các cấp, các ngành được mở rộng, Nhân dân được bàn và "
                    "quyết định nhiều việc quan trọng, tạo mối quan hệ gắn bó mật thiết giữa "
                    "Đảng, Nhà nước và Nhân dân.\n"
                    "Theo đồng chí Nguyễn Đức Trung, việc thực hiện quy chế phối hợp đã đóng "
                    "góp quan trọng vào kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội "
                    "của tỉnh giai đoạn 2015 - 2020 và năm 2021, thể hiện rõ trong việc giữ ổn "
                    "định an ninh trật tự xã hội, dân tộc thiểu số, phòng chống dịch Covid-19, "
                    "xây dựng nông thôn mới."
                ),
                "directions": (
                    "Chủ tịch UBND tỉnh Nguyễn Đức Trung đề nghị: cụ thể hóa chủ trương, "
                    "đường lối, chính sách, pháp luật của Đảng, Nhà nước bằng chương trình, kế "
                    "hoạch cụ thể, giao nhiệm vụ cụ thể đến từng đơn vị, cá nhân; khó khăn, "
                    "vướng mắc phát sinh thì điều chỉnh ngay.\n"
                    "Nâng cao chất lượng giải quyết công việc cho người dân; đánh giá cụ thể, "
                    "đầy đủ những việc làm tốt, làm chưa tốt để tìm ra nguyên nhân, đưa ra giải "
                    "pháp, đảm bảo quyền lợi chính đáng cho người dân.\n"
                    "Tiếp tục tự đổi mới, nhất là trong công tác cải cách hành chính, nâng cao "
                    "trách nhiệm của người đứng đầu các cấp, các ngành; xử lý những cán bộ, "
                    "công chức thiếu ý thức trách nhiệm, gây khó khăn, gây mất lòng tin của "
                    "người dân.\n"
                    "Đổi mới công tác dân vận theo hướng chuyển đổi số, đổi mới phương thức "
                    "tiếp cận; tăng cường tập huấn kỹ năng, quan tâm chế độ đối với những người "
                    "làm công tác dân vận."
                ),
                "recommendations": (
                    "Trưởng Ban Dân vận Tỉnh ủy Ngọc Kim Nam đề nghị Ban Cán sự đảng UBND tỉnh "
                    "tăng cường kiểm tra, giám sát và xử lý vi phạm trong công tác cải cách "
                    "hành chính; tăng cường kiểm tra thực hiện quy chế dân chủ trong doanh "
                    "nghiệp ngoài nhà nước; tăng cường tiếp xúc, đối thoại và giải quyết sau "
                    "tiếp xúc, đối thoại; nhân rộng nhiều hơn các điển hình dân vận khéo."
                ),
                "source": NGHE_AN,
                "papers": [
                    {
                        "title": "Báo cáo công tác phối hợp giai đoạn 2016 - 2021",
                        "presenter": "Nguyễn Mạnh Khôi",
                        "position": "Phó trưởng Ban Thường trực Ban Dân vận Tỉnh ủy",
                    },
                    {
                        "title": "Báo cáo chương trình phối hợp giai đoạn 2021 - 2026",
                        "presenter": "Lê Đình Lý",
                        "position": "Giám đốc Sở Nội vụ",
                    },
                ],
            }
        ],
    },
    {
        "key": "nghe-an/2021-2026",
        "kind": "program",
        "number": "",
        "title": "Chương trình phối hợp về công tác dân vận giai đoạn 2021 - 2026",
        "signed_on": D(2021, 12, 27),
        "start_year": 2021,
        "end_year": 2026,
        "declared_item_count": 10,
        "annual_review_required": False,
        "supersedes": "nghe-an/2016-2021",
        "notes": (
            "Bài báo không nêu số, ký hiệu, địa danh, người ký (chỉ nêu hai cơ quan ký tại "
            "hội nghị tổng kết chiều 27/12/2021) và chế độ đánh giá. Tiêu đề bài báo gọi "
            "văn bản là “quy chế phối hợp”, phần nội dung gọi là “chương trình phối hợp”. "
            "Văn bản có 10 nội dung chính; bài báo nêu các nội dung trọng tâm dưới đây, "
            "đánh số theo thứ tự bài báo nêu, có thể không trùng số thứ tự trong văn bản gốc."
        ),
        "source": NGHE_AN,
        "parties": [
            {"agency": "nghe-an/bcsd-ubnd", "role": "lead"},
            {"agency": "nghe-an/bdv", "role": "partner"},
        ],
        "items": [
            "Tuyên truyền, triển khai thực hiện nghị quyết đại hội Đảng các cấp, nhất là "
            "trong công tác dân vận",
            "Tham mưu Ban Thường vụ Tỉnh ủy, các Ban Chỉ đạo triển khai thực hiện các chủ "
            "trương, chính sách, pháp luật về công tác dân vận",
            "Phát huy quyền làm chủ của Nhân dân trên các lĩnh vực đời sống của xã hội; thực "
            "hiện tốt Quy chế dân chủ ở các loại hình cơ sở, các lĩnh vực",
            "Tổ chức triển khai thực hiện có hiệu quả Chương trình tổng thể cải cách hành "
            "chính nhà nước giai đoạn 2021 - 2030",
            "Tăng cường giáo dục đạo đức công vụ, đạo đức nghề nghiệp, xây dựng đội ngũ cán "
            "bộ, công chức, viên chức có tinh thần trách nhiệm cao trong phục vụ Nhân dân",
            "Bảo đảm quyền tiếp cận thông tin của công dân theo Luật Tiếp cận thông tin",
            "Thực hiện nghiêm túc trách nhiệm tiếp công dân, đối thoại với Nhân dân, tăng "
            "cường công khai, đối thoại tiếp dân tại cơ sở, nơi xảy ra vụ việc",
            "Chỉ đạo, hướng dẫn thực hiện có hiệu quả phong trào thi đua “Dân vận khéo”, xây "
            "dựng điểm sáng về công tác dân vận chính quyền và điểm sáng về thực hiện quy chế "
            "dân chủ ở cơ sở",
            "Thực hiện có hiệu quả quy chế đối thoại với Nhân dân của người đứng đầu cấp ủy, "
            "chính quyền",
        ],
    },
    # --- Lạng Sơn -----------------------------------------------------------------
    {
        "key": "lang-son/593",
        "kind": "regulation",
        "number": "593-QĐ/TU",
        "title": (
            "Quy chế công tác dân vận của hệ thống chính trị tỉnh (ban hành kèm theo Quyết "
            "định số 593-QĐ/TU ngày 11/11/2021 của Ban Thường vụ Tỉnh ủy)"
        ),
        "signed_on": D(2021, 11, 11),
        "start_year": 2021,
        "annual_review_required": False,
        "notes": (
            "Số, ký hiệu là của Quyết định ban hành Quy chế. Bài báo không nêu căn cứ, người "
            "ký, địa danh và nội dung từng điều của Quy chế. Nguồn: bài viết của đồng chí "
            "Giáp Thị Bắc, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Tỉnh ủy (Báo Lạng Sơn, "
            "20/01/2023); bài viết đánh giá việc thực hiện Quy chế, không phải báo cáo của "
            "một hội nghị sơ kết, tổng kết nên không ghi thành hội nghị."
        ),
        "source": LANG_SON,
        "parties": [{"agency": "lang-son/btv", "role": "lead"}],
        "values": [
            {
                "indicator": "doi-thoai-nhan-dan",
                "year": 2022,
                "area": "lang-son",
                "value": 2875,
                "note": (
                    "Hội nghị đối thoại với Nhân dân do cấp ủy, chính quyền các cấp tổ chức. "
                    "Bài viết không nêu rõ kỳ số liệu; ghi năm 2022 theo bài viết đầu năm "
                    "2023. " + LANG_SON_NOTE
                ),
            },
            {
                "indicator": "chinh-quyen-than-thien",
                "year": 2022,
                "area": "lang-son",
                "value": 166,
                "denominator": 200,
                "note": (
                    "166/200 (83%) xã, phường, thị trấn triển khai xây dựng mô hình đạt kết "
                    "quả, số liệu “hiện nay” tại thời điểm bài viết. " + LANG_SON_NOTE
                ),
            },
            {
                "indicator": "dan-van-kheo-cap-huyen",
                "year": 2022,
                "area": "lang-son",
                "value": 411,
                "note": (
                    "Tính riêng năm 2022: 411 mô hình cấp huyện được đăng ký thực hiện; mô "
                    "hình cấp cơ sở bài viết chỉ nêu “hàng nghìn” nên không ghi số. "
                    + LANG_SON_NOTE
                ),
            },
            {
                "indicator": "phan-bien-du-thao",
                "year": 2022,
                "area": "lang-son",
                "value": 78,
                "note": (
                    "Ủy ban MTTQ các cấp và các tổ chức chính trị – xã hội tổ chức phản biện "
                    "trong năm 2022. " + LANG_SON_NOTE
                ),
            },
            {
                "indicator": "phan-bien-y-kien",
                "year": 2022,
                "area": "lang-son",
                "value": 478,
                "note": (
                    "Ý kiến phản biện xã hội của Ủy ban MTTQ các cấp và các tổ chức chính trị – "
                    "xã hội trong năm 2022. " + LANG_SON_NOTE
                ),
            },
        ],
    },
    # --- Hà Tĩnh ------------------------------------------------------------------
    {
        "key": "ha-tinh/quy-che-bcd",
        "kind": "regulation",
        "number": "",
        "title": (
            "Quy chế phối hợp của Ban Chỉ đạo thực hiện quy chế dân chủ cơ sở, Ban Chỉ đạo "
            "phong trào thi đua “Dân vận khéo” và Ban Chỉ đạo công tác tôn giáo tỉnh"
        ),
        "annual_review_required": True,
        "notes": (
            "Bài báo chỉ nêu các ban chỉ đạo cần “thực hiện tốt quy chế phối hợp”; không "
            "nêu số, ký hiệu, ngày ký, người ký và nội dung. Cơ quan chủ trì ghi theo thứ "
            "tự bài báo nêu. Các ban chỉ đạo do đồng chí Trần Thế Dũng làm trưởng ban, đồng "
            "chí Trương Thanh Huyền (Trưởng ban Dân vận Tỉnh ủy) làm phó ban thường trực."
        ),
        "source": HA_TINH,
        "parties": [
            {"agency": "ha-tinh/bcd-qcdc", "role": "lead"},
            {"agency": "ha-tinh/bcd-dvk", "role": "partner"},
            {"agency": "ha-tinh/bcd-ton-giao", "role": "partner"},
        ],
        "reviews": [
            {
                "kind": "annual",
                "title": (
                    "Hội nghị tổng kết hoạt động năm 2023, triển khai nhiệm vụ năm 2024 của Ban "
                    "Chỉ đạo thực hiện quy chế dân chủ cơ sở, Ban Chỉ đạo phong trào thi đua "
                    "“Dân vận khéo” và Ban Chỉ đạo công tác tôn giáo tỉnh"
                ),
                "period_from": D(2023, 1, 1),
                "period_to": D(2023, 12, 31),
                "held_on": D(2024, 1, 18),
                "chaired_by": _chairs(TRAN_THE_DUNG, TRUONG_THANH_HUYEN),
                "attended_by": (
                    "Chủ tịch Ủy ban MTTQ tỉnh Trần Nhật Tân; lãnh đạo các ban, ngành, địa phương."
                ),
                "results": (
                    "Năm 2023, việc thực hiện quy chế dân chủ cơ sở, phong trào thi đua “Dân "
                    "vận khéo” và công tác tôn giáo được các cấp ủy đảng, chính quyền quan tâm "
                    "lãnh đạo, chỉ đạo, tổ chức thực hiện hiệu quả.\n"
                    "Ban Chỉ đạo thực hiện quy chế dân chủ cơ sở đã chỉ đạo các địa phương, cơ "
                    "quan, đơn vị rà soát, bổ sung, hoàn thiện các quy chế theo quy định pháp "
                    "luật và sát với yêu cầu thực tiễn; thực hiện tốt nguyên tắc tập trung dân "
                    "chủ trong lãnh đạo, chỉ đạo, điều hành thực hiện nhiệm vụ chính trị; chỉ "
                    "đạo giải quyết kịp thời đơn thư khiếu nại, phản ánh của Nhân dân.\n"
                    "Chính quyền các cấp thực hiện tốt công tác tiếp dân, đặc biệt là tiếp "
                    "xúc, đối thoại trực tiếp giữa người đứng đầu cấp ủy đảng, chính quyền các "
                    "cấp với Nhân dân; trong năm, toàn tỉnh tổ chức 520 cuộc đối thoại với "
                    "Nhân dân. Mặt trận Tổ quốc và các đoàn thể nhân dân phát huy vai trò xây "
                    "dựng khối đại đoàn kết toàn dân, tạo đồng thuận xã hội, từng bước thực "
                    "hiện tốt chức năng giám sát, phản biện xã hội.\n"
                    "Phong trào thi đua “Dân vận khéo” hướng vào các nhiệm vụ trọng tâm, việc "
                    "mới, việc khó; năm 2023 toàn tỉnh đã xây dựng và nhân rộng được 1.743 mô "
                    "hình trên các lĩnh vực, góp phần quan trọng trong việc giải quyết việc "
                    "làm, nâng cao thu nhập cho người dân địa phương.\n"
                    "Hoạt động tín ngưỡng, tôn giáo trên địa bàn tỉnh nhìn chung cơ bản ổn "
                    "định; an ninh chính trị, trật tự an toàn xã hội ở các địa bàn vùng giáo "
                    "được giữ vững; chức sắc, chức việc, tín đồ tôn giáo chấp hành tốt chủ "
                    "trương của Đảng, chính sách, pháp luật của Nhà nước, sống “tốt đời - đẹp "
                    "đạo”."
                ),
                "directions": (
                    "Kết luận hội nghị, đồng chí Trần Thế Dũng đề nghị các ban chỉ đạo tiếp tục "
                    "triển khai thực hiện có hiệu quả các văn bản chỉ đạo của Trung ương, của "
                    "tỉnh về công tác dân vận, thực hiện quy chế dân chủ cơ sở, phong trào thi "
                    "đua “Dân vận khéo”, công tác tôn giáo; bám sát các nghị quyết Trung ương, "
                    "của tỉnh đã ban hành để triển khai hiệu quả gắn với thực tiễn đơn vị, địa "
                    "phương; phát huy trách nhiệm từng thành viên theo nhiệm vụ được phân công, "
                    "kiện toàn thành viên ban chỉ đạo, thực hiện tốt quy chế phối hợp.\n"
                    "Tiếp tục phát huy dân chủ cơ sở trong cơ quan, đơn vị, doanh nghiệp; nâng "
                    "cao vai trò, trách nhiệm của người đứng đầu các cơ quan, đơn vị, doanh "
                    "nghiệp trong việc xây dựng và thực hiện dân chủ ở cơ sở.\n"
                    "Thực hiện tốt công tác tiếp xúc đối thoại trực tiếp giữa người đứng đầu "
                    "cấp ủy Đảng, người đứng đầu cơ quan Nhà nước các cấp với Nhân dân, người "
                    "sử dụng lao động với người lao động theo quy định; tập trung nắm bắt, giải "
                    "quyết các vấn đề khó khăn, vướng mắc ở cơ sở, các vụ việc nổi cộm phát "
                    "sinh, gây bức xúc trong Nhân dân.\n"
                    "Căn cứ các nhiệm vụ chính trị trọng tâm của từng địa phương, đơn vị để "
                    "phát động phong trào thi đua “Dân vận khéo” sôi nổi trong đoàn viên, hội "
                    "viên và các tầng lớp nhân dân; chú trọng nắm bắt tình hình, làm tốt công "
                    "tác tôn giáo.\n"
                    "Trước mắt, thực hiện nghiêm túc Chỉ thị của Ban Bí thư và Ban Thường vụ "
                    "Tỉnh ủy về tổ chức tết Nguyên đán Giáp Thìn; tiếp tục quan tâm chăm lo đời "
                    "sống vật chất, tinh thần các gia đình chính sách, người gặp hoàn cảnh khó "
                    "khăn."
                ),
                "recommendations": (
                    "Đại biểu đề xuất tăng cường sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền, "
                    "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội trong việc thực hiện "
                    "quy chế dân chủ ở cơ sở, gắn với thực hiện Nghị quyết Đại hội Đảng các cấp "
                    "nhiệm kỳ 2020 - 2025 và nhiệm vụ chính trị của địa phương, đơn vị năm 2024; "
                    "triển khai phong trào thi đua “Dân vận khéo” đảm bảo tính bền vững, hiệu "
                    "quả, lan tỏa; tiếp tục làm tốt công tác đối ngoại tôn giáo, thực hiện "
                    "chính sách công tác tôn giáo, xây dựng hệ thống chính trị vùng giáo."
                ),
                "source": HA_TINH,
                "papers": [
                    {
                        "title": "Báo cáo kết quả hoạt động các ban chỉ đạo",
                        "presenter": "Nguyễn Hải Nam",
                        "position": "Phó trưởng Ban Dân vận Tỉnh ủy",
                    },
                    {
                        "title": (
                            "Kết quả nổi bật các ban chỉ đạo huyện Đức Thọ đã thực hiện trong "
                            "năm 2023"
                        ),
                        "presenter": "Đặng Giang Trung",
                        "position": "Phó Bí thư Thường trực Huyện ủy Đức Thọ",
                    },
                    {
                        "title": (
                            "Cách làm của thị xã Hồng Lĩnh trong thực hiện quy chế dân chủ cơ "
                            "sở, dân vận khéo"
                        ),
                        "presenter": "Nguyễn Thăng Long",
                        "position": "Phó Bí thư Thường trực Thị ủy Hồng Lĩnh",
                    },
                    {
                        "title": "Phát biểu tại hội nghị",
                        "presenter": "Đặng Ngọc Sơn",
                        "position": "Bí thư Đảng ủy Khối CCQ&DN tỉnh",
                    },
                ],
                "values": [
                    {
                        "indicator": "doi-thoai-nhan-dan",
                        "year": 2023,
                        "area": "ha-tinh",
                        "value": 520,
                        "note": "Toàn tỉnh tổ chức 520 cuộc đối thoại với Nhân dân năm 2023.",
                    },
                    {
                        "indicator": "dan-van-kheo-tong-so",
                        "year": 2023,
                        "area": "ha-tinh",
                        "value": 1743,
                        "note": (
                            "Mô hình “Dân vận khéo” được xây dựng và nhân rộng trên các lĩnh "
                            "vực năm 2023; bài báo không chia theo lĩnh vực."
                        ),
                    },
                ],
            }
        ],
    },
    # --- Hòa Bình -----------------------------------------------------------------
    {
        "key": "hoa-binh/kh-29",
        "kind": "plan",
        "number": "29",
        "title": "Kế hoạch thực hiện công tác dân vận chính quyền năm 2019",
        "signed_on": D(2019, 2, 26),
        "start_year": 2019,
        "end_year": 2019,
        "annual_review_required": False,
        "notes": (
            "Bài báo chỉ ghi “Kế hoạch số 29”, không nêu đầy đủ ký hiệu, người ký, nội dung. "
            "Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh ban hành kế hoạch riêng “bám sát” "
            "kế hoạch này, hướng dẫn các tổ chức cơ sở đảng thực hiện phong trào thi đua “Dân "
            "vận khéo”; bài báo không cho thấy Đảng ủy Khối là bên phối hợp của kế hoạch nên "
            "không ghi. Số liệu của Sở Xây dựng (đơn vị thuộc Đảng bộ Khối) ghi vào kế hoạch "
            "này vì là kết quả của phong trào triển khai theo kế hoạch."
        ),
        "source": HOA_BINH,
        "parties": [{"agency": "hoa-binh/ubnd", "role": "lead"}],
        "values": [
            {
                "indicator": "ho-so-tiep-nhan-moi",
                "year": 2019,
                "area": "hoa-binh",
                "agency": "hoa-binh/so-xay-dung",
                "value": 1084,
                "note": HOA_BINH_NOTE,
            },
            {
                "indicator": "ho-so-ky-truoc-chuyen-sang",
                "year": 2019,
                "area": "hoa-binh",
                "agency": "hoa-binh/so-xay-dung",
                "value": 68,
                "note": "Hồ sơ của năm 2018 chuyển sang. " + HOA_BINH_NOTE,
            },
            {
                "indicator": "ho-so-da-tra",
                "year": 2019,
                "area": "hoa-binh",
                "agency": "hoa-binh/so-xay-dung",
                "value": 1100,
                "note": HOA_BINH_NOTE,
            },
            {
                "indicator": "thoi-gian-giam-so-quy-dinh",
                "year": 2019,
                "area": "hoa-binh",
                "agency": "hoa-binh/so-xay-dung",
                "value": 30,
                "note": "Giảm 30% thời gian so với quy định. " + HOA_BINH_NOTE,
            },
        ],
    },
]

# --- Users ------------------------------------------------------------------------
# The leader works for the commission that today continues the BDV of Lai Châu, so
# they see every agreement with a party in Lai Châu, old and new.

ADMIN_USERNAME = "admin"
LEADER = {"username": "lanhdao", "agency": "lai-chau/btgdv"}


# --- Loader -----------------------------------------------------------------------


@dataclass
class DemoResult:
    """What a run did: per model, how many rows were created, updated, unchanged;
    and the (username, password) of the users it created."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    new_users: list = field(default_factory=list)

    def total(self, outcome):
        return sum(counter[outcome] for counter in self.counts.values())


def _differs(obj, name, value):
    model_field = obj._meta.get_field(name)
    if model_field.many_to_one or model_field.one_to_one:
        current = getattr(obj, model_field.attname)
        value = value.pk if isinstance(value, models.Model) else value
    else:
        current = getattr(obj, name)
    return current != value


def _normalized(values):
    return {name: nfc(value) for name, value in values.items()}


class _Loader:
    def __init__(self):
        self.result = DemoResult()
        self.areas = {}
        self.agencies = {}
        self.indicators = {}
        self.agreements = {}

    def sync(self, model, lookup, values=None):
        """The row matching `lookup`, created or brought up to `values`; saved (and a
        history row written) only if something differs."""
        lookup = _normalized(lookup)
        values = _normalized(values or {})
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**{**lookup, **values})
            outcome = "created"
        else:
            changed = [name for name, value in values.items() if _differs(obj, name, value)]
            if not changed:
                self._count(model, "unchanged")
                return obj
            for name in changed:
                setattr(obj, name, values[name])
            outcome = "updated"
        obj._change_reason = CHANGE_REASON
        obj.full_clean()
        obj.save()
        self._count(model, outcome)
        return obj

    def _count(self, model, outcome, label=None):
        label = str(label or model._meta.verbose_name_plural)
        self.result.counts[label][outcome] += 1

    def run(self):
        self.load_areas()
        self.load_agencies()
        self.load_indicators()
        for data in AGREEMENTS:
            self.load_agreement(data)
        self.load_users()
        return self.result

    def load_areas(self):
        for data in AREAS:
            lookup = (
                {"code": data["code"]}
                if data.get("code")
                else {
                    "name": data["name"],
                    "level": data["level"],
                    "parent": self.areas.get(data.get("parent")),
                }
            )
            values = {
                "name": data["name"],
                "code": data.get("code", ""),
                "level": data["level"],
                "parent": self.areas.get(data.get("parent")),
                "valid_from": data.get("valid_from"),
                "valid_until": data.get("valid_until"),
            }
            self.areas[data["key"]] = self.sync(Area, lookup, values)
        for data in AREAS:
            area = self.areas[data["key"]]
            for key in data.get("successors", []):
                successor = self.areas[key]
                if area.successors.filter(pk=successor.pk).exists():
                    self._count(None, "unchanged", label=SUCCESSION_LABEL)
                else:
                    area.successors.add(successor)
                    self._count(None, "created", label=SUCCESSION_LABEL)

    def load_agencies(self):
        for data in AGENCIES:
            area = self.areas[data["area"]]
            self.agencies[data["key"]] = self.sync(
                Agency,
                {"name": data["name"], "area": area},
                {
                    "short_name": data["short_name"],
                    "kind": data["kind"],
                    "level": data.get("level", "province"),
                    "active_from": data.get("active_from"),
                    "active_until": data.get("active_until"),
                },
            )
        for data in AGENCY_CHANGES:
            predecessor = self.agencies[data["predecessor"]]
            successor = self.agencies.get(data.get("successor"))
            self.sync(
                AgencyChange,
                {"predecessor": predecessor, "successor": successor},
                {
                    "kind": data["kind"],
                    "changed_on": data["changed_on"],
                    "note": data["note"],
                },
            )

    def load_indicators(self):
        for order, data in enumerate(INDICATORS, start=1):
            values = {
                "name": data["name"],
                "unit": data["unit"],
                "kind": data["kind"],
                "aggregation": data["aggregation"],
                "denominator_label": data.get("denominator_label", ""),
                "description": data.get("description", ""),
                "group": data["group"],
                "order": order * 10,
                "is_active": True,
            }
            self.indicators[data["code"]] = self.sync(Indicator, {"code": data["code"]}, values)

    def load_agreement(self, data):
        lead = self.agencies[data["parties"][0]["agency"]]
        lookup = {"lead_agency": lead}
        if data["number"]:
            lookup["number"] = data["number"]
        else:
            lookup["title"] = data["title"]
        values = {
            "kind": data["kind"],
            "number": data["number"],
            "title": data["title"],
            "signed_on": data.get("signed_on"),
            "place": data.get("place", ""),
            "start_year": data.get("start_year"),
            "end_year": data.get("end_year"),
            "declared_item_count": data.get("declared_item_count"),
            "annual_review_required": data["annual_review_required"],
            "midterm_review_year": data.get("midterm_review_year"),
            "final_review_year": data.get("final_review_year"),
            "supersedes": self.agreements.get(data.get("supersedes")),
            "lifecycle": Agreement.Lifecycle.SIGNED,
            "notes": data["notes"],
            "source": data["source"],
        }
        agreement = self.sync(Agreement, lookup, values)
        self.agreements[data["key"]] = agreement

        for order, party_data in enumerate(data["parties"]):
            agency = self.agencies[party_data["agency"]]
            party = self.sync(
                AgreementParty,
                {"agreement": agreement, "agency": agency},
                # The name on the document; kept when the agency is merged or renamed.
                {"role": party_data["role"], "name_as_signed": agency.name, "order": order},
            )
            for name, position in party_data.get("signatories", []):
                self.sync(
                    Signatory,
                    {"party": party, "name": name},
                    {"position": position, "prefix": "", "on_behalf_of": ""},
                )
        for order, basis in enumerate(data.get("legal_bases", [])):
            self.sync(
                LegalBasis,
                {"agreement": agreement, "number": basis["number"]},
                {
                    "issued_on": basis["issued_on"],
                    "issuer": basis["issuer"],
                    "title": basis.get("title", ""),
                    "order": order,
                },
            )
        for number, title in enumerate(data.get("items", []), start=1):
            self.sync(ContentItem, {"agreement": agreement, "number": number}, {"title": title})
        for review_data in data.get("reviews", []):
            self.load_review(agreement, review_data)
        for value_data in data.get("values", []):
            self.load_value(agreement, None, value_data)

    def load_review(self, agreement, data):
        # Approved on the day it was held: only the date is known.
        approved_at = timezone.make_aware(
            datetime.datetime.combine(data["held_on"], datetime.time.min)
        )
        values = {
            "title": data["title"],
            "period_from": data.get("period_from"),
            "period_to": data.get("period_to"),
            "place": data.get("place", ""),
            "chaired_by": data["chaired_by"],
            "attended_by": data.get("attended_by", ""),
            "source": data["source"],
            "status": Review.Status.APPROVED,
            "submitted_at": approved_at,
            "approved_at": approved_at,
            "approved_by": None,
        }
        for name in Review.NARRATIVE_FIELDS:
            values[name] = data.get(name, "")
        review = self.sync(
            Review,
            {"agreement": agreement, "kind": data["kind"], "held_on": data["held_on"]},
            values,
        )
        for order, paper in enumerate(data.get("papers", []), start=1):
            self.sync(
                ContributedPaper,
                {"review": review, "order": order},
                {
                    "title": paper["title"],
                    "presenter": paper.get("presenter", ""),
                    "position": paper.get("position", ""),
                },
            )
        for value_data in data.get("values", []):
            self.load_value(agreement, review, value_data)

    def load_value(self, agreement, review, data):
        self.sync(
            IndicatorValue,
            {
                "indicator": self.indicators[data["indicator"]],
                "agreement": agreement,
                "review": review,
                "year": data["year"],
                "area": self.areas.get(data.get("area")),
                "agency": self.agencies.get(data.get("agency")),
            },
            {"value": data["value"], "denominator": data.get("denominator"), "note": data["note"]},
        )

    def load_users(self):
        self.user(ADMIN_USERNAME, role=UserProfile.Role.ADMIN, agency=None, superuser=True)
        self.user(
            LEADER["username"],
            role=UserProfile.Role.LEADER,
            agency=self.agencies[LEADER["agency"]],
        )
        signing = {p["agency"] for a in AGREEMENTS for p in a["parties"]}
        for data in AGENCIES:
            if data["key"] in signing:
                self.user(
                    data["username"],
                    role=UserProfile.Role.EDITOR,
                    agency=self.agencies[data["key"]],
                )

    def user(self, username, *, role, agency, superuser=False):
        """Create the user with a random password, or leave its password alone."""
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model(username=username, is_staff=superuser, is_superuser=superuser)
            user.set_password(password)
            user.save()
            self.result.new_users.append((username, password))
            self._count(user_model, "created")
        elif superuser and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
            self._count(user_model, "updated")
        else:
            self._count(user_model, "unchanged")
        self.sync(UserProfile, {"user": user}, {"role": role, "agency": agency})


def load_demo(*, stdout=None) -> DemoResult:
    """Load the demo data in one transaction and report to `stdout`.

    New users' passwords are printed once, after the transaction has committed;
    users that already exist keep theirs and are not printed.
    """
    stdout = stdout or sys.stdout
    with transaction.atomic():
        result = _Loader().run()
    for name, counter in result.counts.items():
        stdout.write(
            f"{name[:1].upper()}{name[1:]}: tạo mới {counter['created']}, "
            f"cập nhật {counter['updated']}, không đổi {counter['unchanged']}\n"
        )
    stdout.write(
        f"Tổng cộng: tạo mới {result.total('created')}, cập nhật {result.total('updated')}, "
        f"không đổi {result.total('unchanged')}.\n"
    )
    if result.new_users:
        stdout.write("Tài khoản mới (mật khẩu chỉ hiển thị lần này):\n")
        for username, password in result.new_users:
            stdout.write(f"  {username}  {password}\n")
    return result
