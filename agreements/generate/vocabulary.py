"""What generated data is made of: scales, dates, the 2025 administrative units,
the bodies found in every province, district and commune and how they sign, and the
Vietnamese words titles, names and reports are built from.

Every string here is NFC (a test checks it), so what is built from them is NFC too.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from ..models import Agency
from ..text import fold

MARK = "generate_data"
CODE_PREFIX = "GEN-"
# Benchmark accounts (bench/run.py) work for generated agencies; --replace removes them.
BENCH_USER_PREFIX = "bench-"

D = datetime.date
# The data describes the world as on this day, whatever the day it is generated.
AS_OF = D(2026, 9, 30)
FIRST_DAY = D(2013, 1, 1)
BODIES_MERGED = D(2025, 3, 1)
BEFORE_BODIES_MERGED = D(2025, 2, 28)
PROVINCES_MERGED = D(2025, 7, 1)
BEFORE_PROVINCES_MERGED = D(2025, 6, 30)


@dataclass(frozen=True)
class Scale:
    """How much to generate: provinces, and per province communes, districts per
    old province and agreements."""

    name: str
    provinces: int
    communes: int
    districts: int
    agreements: int


SCALES = {
    "national": Scale("national", provinces=34, communes=97, districts=11, agreements=5882),
    "province": Scale("province", provinces=1, communes=97, districts=11, agreements=5882),
    "tiny": Scale("tiny", provinces=1, communes=4, districts=2, agreements=60),
}

# --- Administrative units ----------------------------------------------------------
# The 34 provinces and centrally-run cities from 01/7/2025 and the old units merged
# into each (public administrative facts). True marks a city (Thành ủy, thành phố).

PROVINCES = [
    ("Hà Nội", True, [("Hà Nội", True)]),
    ("Huế", True, [("Huế", True)]),
    ("Lai Châu", False, [("Lai Châu", False)]),
    ("Điện Biên", False, [("Điện Biên", False)]),
    ("Sơn La", False, [("Sơn La", False)]),
    ("Lạng Sơn", False, [("Lạng Sơn", False)]),
    ("Quảng Ninh", False, [("Quảng Ninh", False)]),
    ("Thanh Hóa", False, [("Thanh Hóa", False)]),
    ("Nghệ An", False, [("Nghệ An", False)]),
    ("Hà Tĩnh", False, [("Hà Tĩnh", False)]),
    ("Cao Bằng", False, [("Cao Bằng", False)]),
    ("Tuyên Quang", False, [("Tuyên Quang", False), ("Hà Giang", False)]),
    ("Lào Cai", False, [("Lào Cai", False), ("Yên Bái", False)]),
    ("Thái Nguyên", False, [("Thái Nguyên", False), ("Bắc Kạn", False)]),
    ("Phú Thọ", False, [("Phú Thọ", False), ("Vĩnh Phúc", False), ("Hòa Bình", False)]),
    ("Bắc Ninh", False, [("Bắc Ninh", False), ("Bắc Giang", False)]),
    ("Hưng Yên", False, [("Hưng Yên", False), ("Thái Bình", False)]),
    ("Hải Phòng", True, [("Hải Phòng", True), ("Hải Dương", False)]),
    ("Ninh Bình", False, [("Ninh Bình", False), ("Hà Nam", False), ("Nam Định", False)]),
    ("Quảng Trị", False, [("Quảng Trị", False), ("Quảng Bình", False)]),
    ("Đà Nẵng", True, [("Đà Nẵng", True), ("Quảng Nam", False)]),
    ("Quảng Ngãi", False, [("Quảng Ngãi", False), ("Kon Tum", False)]),
    ("Gia Lai", False, [("Gia Lai", False), ("Bình Định", False)]),
    ("Khánh Hòa", False, [("Khánh Hòa", False), ("Ninh Thuận", False)]),
    ("Lâm Đồng", False, [("Lâm Đồng", False), ("Đắk Nông", False), ("Bình Thuận", False)]),
    ("Đắk Lắk", False, [("Đắk Lắk", False), ("Phú Yên", False)]),
    (
        "Hồ Chí Minh",
        True,
        [("Hồ Chí Minh", True), ("Bình Dương", False), ("Bà Rịa – Vũng Tàu", False)],
    ),
    ("Đồng Nai", False, [("Đồng Nai", False), ("Bình Phước", False)]),
    ("Tây Ninh", False, [("Tây Ninh", False), ("Long An", False)]),
    ("Cần Thơ", True, [("Cần Thơ", True), ("Sóc Trăng", False), ("Hậu Giang", False)]),
    ("Vĩnh Long", False, [("Vĩnh Long", False), ("Bến Tre", False), ("Trà Vinh", False)]),
    ("Đồng Tháp", False, [("Đồng Tháp", False), ("Tiền Giang", False)]),
    ("Cà Mau", False, [("Cà Mau", False), ("Bạc Liêu", False)]),
    ("An Giang", False, [("An Giang", False), ("Kiên Giang", False)]),
]
# Province and tiny scale: a province formed from three, so lineage and roll-up show.
SINGLE_PROVINCE = "Phú Thọ"

PLACE_FIRST = (
    "Tân Hòa Bình An Phú Long Hưng Thịnh Đông Tây Nam Bắc Trung Quang Minh Thành Phước "
    "Xuân Hồng Kim Ngọc Sơn Vĩnh Mỹ Đức Thuận Thái Hiệp Nghĩa Lạc Tiến Cẩm Quảng Yên "
    "Lương Hải Thạch Đồng Gia Văn Hương Thanh Định Lộc Phong Lâm Hà Châu Trường Vạn"
).split()
PLACE_SECOND = (
    "An Bình Hòa Lợi Phú Thạnh Hưng Long Thịnh Lập Tiến Phong Sơn Hà Yên Lạc Thành Quý "
    "Mỹ Lộc Điền Khánh Xuân Hải Đông Tây Trung Nguyên Cường Hợp Định Phúc Tân Vinh Thủy "
    "Lâm Giang Kiều Hồng Dương"
).split()

# District kinds: (name prefix, level word, Party committee, Youth Union), weights.
DISTRICT_KINDS = [
    (("Huyện", "huyện", "Huyện ủy", "Huyện đoàn"), 70),
    (("Thị xã", "thị xã", "Thị ủy", "Thị đoàn"), 12),
    (("Thành phố", "thành phố", "Thành ủy", "Thành đoàn"), 10),
    (("Quận", "quận", "Quận ủy", "Quận đoàn"), 8),
]
COMMUNE_KINDS = [(("Xã", "xã"), 78), (("Phường", "phường"), 21), (("Đặc khu", "đặc khu"), 1)]

# --- Agencies --------------------------------------------------------------------
# Who signs, and how: (prefix, on behalf of, position) for the head and a deputy.

SIGNERS = {
    "ban": (("", "", "Trưởng Ban"), ("K/T", "TRƯỞNG BAN", "Phó Trưởng Ban")),
    "cap_uy": (("T/M", "BAN THƯỜNG VỤ", "Bí thư"), ("T/M", "BAN THƯỜNG VỤ", "Phó Bí thư")),
    "dang_uy": (("T/M", "ĐẢNG ỦY", "Bí thư"), ("T/M", "ĐẢNG ỦY", "Phó Bí thư")),
    "bcsd": (("T/M", "BAN CÁN SỰ ĐẢNG", "Bí thư"), ("T/M", "BAN CÁN SỰ ĐẢNG", "Phó Bí thư")),
    "dang_doan": (("T/M", "ĐẢNG ĐOÀN", "Bí thư"), ("T/M", "ĐẢNG ĐOÀN", "Phó Bí thư")),
    "ubnd": (("T/M", "ỦY BAN NHÂN DÂN", "Chủ tịch"), ("K/T", "CHỦ TỊCH", "Phó Chủ tịch")),
    "hdnd": (
        ("T/M", "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN", "Chủ tịch"),
        ("K/T", "CHỦ TỊCH", "Phó Chủ tịch"),
    ),
    "so": (("", "", "Giám đốc"), ("K/T", "GIÁM ĐỐC", "Phó Giám đốc")),
    "truong": (("", "", "Trưởng phòng"), ("K/T", "TRƯỞNG PHÒNG", "Phó Trưởng phòng")),
    "mttq": (("T/M", "BAN THƯỜNG TRỰC", "Chủ tịch"), ("K/T", "CHỦ TỊCH", "Phó Chủ tịch")),
    "hoi": (("T/M", "BAN THƯỜNG VỤ", "Chủ tịch"), ("K/T", "CHỦ TỊCH", "Phó Chủ tịch")),
    "doan": (("T/M", "BAN THƯỜNG VỤ", "Bí thư"), ("K/T", "BÍ THƯ", "Phó Bí thư")),
    "quan_su": (("", "", "Chỉ huy trưởng"), ("K/T", "CHỈ HUY TRƯỞNG", "Phó Chỉ huy trưởng")),
    "cong_an": (("", "", "Giám đốc"), ("K/T", "GIÁM ĐỐC", "Phó Giám đốc")),
    "truong_ca": (("", "", "Trưởng Công an"), ("K/T", "TRƯỞNG CÔNG AN", "Phó Trưởng Công an")),
    "bcd": (("T/M", "BAN CHỈ ĐẠO", "Trưởng Ban"), ("K/T", "TRƯỞNG BAN", "Phó Trưởng Ban")),
}

PARTY_BODY = Agency.Kind.PARTY_BODY.value
PARTY_COMMITTEE = Agency.Kind.PARTY_COMMITTEE.value
STATE = Agency.Kind.STATE.value
FRONT = Agency.Kind.FATHERLAND_FRONT.value
SOCIO = Agency.Kind.SOCIO_POLITICAL.value
ARMED = Agency.Kind.ARMED_FORCES.value
STEERING = Agency.Kind.STEERING.value
OTHER = Agency.Kind.OTHER.value


@dataclass(frozen=True)
class Body:
    """A kind of agency found in every unit of a level: key, name and short-name
    templates, kind, abbreviation in document numbers, signer, and period:
    "all", "pre" (until 28/02/2025) or "post" (from 01/3/2025)."""

    key: str
    name: str
    short: str
    kind: str
    abbr: str
    signer: str
    period: str = "all"
    parent: str = ""


# {cu}: Tỉnh ủy/Thành ủy; {u}: tỉnh/thành phố; {p}: the province's name.
PROVINCE_BODIES = [
    Body("tu", "{cu} {p}", "{cu}", PARTY_COMMITTEE, "TU", "cap_uy"),
    Body("ubnd", "Ủy ban nhân dân {u} {p}", "UBND {u}", STATE, "UBND", "ubnd"),
    Body("bdv", "Ban Dân vận {cu} {p}", "BDV {cu}", PARTY_BODY, "BDVTU", "ban", "pre", "tu"),
    Body("btg", "Ban Tuyên giáo {cu} {p}", "BTG {cu}", PARTY_BODY, "BTGTU", "ban", "pre", "tu"),
    Body(
        "btgdv",
        "Ban Tuyên giáo và Dân vận {cu} {p}",
        "BTG&DV {cu}",
        PARTY_BODY,
        "BTGDVTU",
        "ban",
        "post",
        "tu",
    ),
    Body("bto", "Ban Tổ chức {cu} {p}", "BTC {cu}", PARTY_BODY, "BTCTU", "ban", parent="tu"),
    Body("bnc", "Ban Nội chính {cu} {p}", "BNC {cu}", PARTY_BODY, "BNCTU", "ban", parent="tu"),
    Body("ubkt", "Ủy ban Kiểm tra {cu} {p}", "UBKT {cu}", PARTY_BODY, "UBKTTU", "ban", parent="tu"),
    Body("vptu", "Văn phòng {cu} {p}", "VP {cu}", PARTY_BODY, "VPTU", "ban", parent="tu"),
    Body(
        "bcsd",
        "Ban Cán sự đảng Ủy ban nhân dân {u} {p}",
        "BCSĐ UBND {u}",
        PARTY_COMMITTEE,
        "BCSĐUBND",
        "bcsd",
        "pre",
    ),
    Body(
        "ddhdnd",
        "Đảng đoàn Hội đồng nhân dân {u} {p}",
        "ĐĐ HĐND {u}",
        PARTY_COMMITTEE,
        "ĐĐHĐND",
        "dang_doan",
        "pre",
    ),
    Body(
        "dukhoi",
        "Đảng ủy Khối các cơ quan {u} {p}",
        "Đảng ủy Khối CCQ {u}",
        PARTY_COMMITTEE,
        "ĐUK",
        "dang_uy",
        "pre",
    ),
    Body(
        "duubnd",
        "Đảng ủy Ủy ban nhân dân {u} {p}",
        "Đảng ủy UBND {u}",
        PARTY_COMMITTEE,
        "ĐUUBND",
        "dang_uy",
        "post",
    ),
    Body(
        "duccqd",
        "Đảng ủy các cơ quan Đảng {u} {p}",
        "Đảng ủy các cơ quan Đảng {u}",
        PARTY_COMMITTEE,
        "ĐUCCQĐ",
        "dang_uy",
        "post",
    ),
    Body("hdnd", "Hội đồng nhân dân {u} {p}", "HĐND {u}", STATE, "HĐND", "hdnd"),
    Body("vpubnd", "Văn phòng Ủy ban nhân dân {u} {p}", "VP UBND {u}", STATE, "VP", "so", "all"),
    Body("snv", "Sở Nội vụ {u} {p}", "Sở Nội vụ", STATE, "SNV", "so", parent="ubnd"),
    Body("stp", "Sở Tư pháp {u} {p}", "Sở Tư pháp", STATE, "STP", "so", parent="ubnd"),
    Body("stc", "Sở Tài chính {u} {p}", "Sở Tài chính", STATE, "STC", "so", parent="ubnd"),
    Body("sct", "Sở Công Thương {u} {p}", "Sở Công Thương", STATE, "SCT", "so", parent="ubnd"),
    Body("sxd", "Sở Xây dựng {u} {p}", "Sở Xây dựng", STATE, "SXD", "so", parent="ubnd"),
    Body(
        "sgddt",
        "Sở Giáo dục và Đào tạo {u} {p}",
        "Sở GD&ĐT",
        STATE,
        "SGDĐT",
        "so",
        parent="ubnd",
    ),
    Body("syt", "Sở Y tế {u} {p}", "Sở Y tế", STATE, "SYT", "so", parent="ubnd"),
    Body(
        "skhcn",
        "Sở Khoa học và Công nghệ {u} {p}",
        "Sở KH&CN",
        STATE,
        "SKHCN",
        "so",
        parent="ubnd",
    ),
    Body(
        "svhttdl",
        "Sở Văn hóa, Thể thao và Du lịch {u} {p}",
        "Sở VHTTDL",
        STATE,
        "SVHTTDL",
        "so",
        parent="ubnd",
    ),
    Body("ttr", "Thanh tra {u} {p}", "Thanh tra {u}", STATE, "TTr", "so", parent="ubnd"),
    Body(
        "skhdt",
        "Sở Kế hoạch và Đầu tư {u} {p}",
        "Sở KH&ĐT",
        STATE,
        "SKHĐT",
        "so",
        "pre",
        "ubnd",
    ),
    Body(
        "sgtvt",
        "Sở Giao thông vận tải {u} {p}",
        "Sở GTVT",
        STATE,
        "SGTVT",
        "so",
        "pre",
        "ubnd",
    ),
    Body(
        "sldtbxh",
        "Sở Lao động - Thương binh và Xã hội {u} {p}",
        "Sở LĐTB&XH",
        STATE,
        "SLĐTBXH",
        "so",
        "pre",
        "ubnd",
    ),
    Body(
        "stttt",
        "Sở Thông tin và Truyền thông {u} {p}",
        "Sở TT&TT",
        STATE,
        "STTTT",
        "so",
        "pre",
        "ubnd",
    ),
    Body(
        "snnptnt",
        "Sở Nông nghiệp và Phát triển nông thôn {u} {p}",
        "Sở NN&PTNT",
        STATE,
        "SNNPTNT",
        "so",
        "pre",
        "ubnd",
    ),
    Body(
        "stnmt",
        "Sở Tài nguyên và Môi trường {u} {p}",
        "Sở TN&MT",
        STATE,
        "STNMT",
        "so",
        "pre",
        "ubnd",
    ),
    Body("bdt", "Ban Dân tộc {u} {p}", "Ban Dân tộc {u}", STATE, "BDT", "so", "pre", "ubnd"),
    Body(
        "snnmt",
        "Sở Nông nghiệp và Môi trường {u} {p}",
        "Sở NN&MT",
        STATE,
        "SNNMT",
        "so",
        "post",
        "ubnd",
    ),
    Body(
        "sdttg",
        "Sở Dân tộc và Tôn giáo {u} {p}",
        "Sở DT&TG",
        STATE,
        "SDTTG",
        "so",
        "post",
        "ubnd",
    ),
    Body(
        "mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam {u} {p}",
        "Ủy ban MTTQ {u}",
        FRONT,
        "MTTQ",
        "mttq",
    ),
    Body("hlhpn", "Hội Liên hiệp Phụ nữ {u} {p}", "Hội LHPN {u}", SOCIO, "HLHPN", "hoi"),
    Body("tdoan", "{U}đoàn {p}", "{U}đoàn", SOCIO, "TĐTN", "doan"),
    Body("hnd", "Hội Nông dân {u} {p}", "Hội Nông dân {u}", SOCIO, "HND", "hoi"),
    Body("hccb", "Hội Cựu chiến binh {u} {p}", "Hội CCB {u}", SOCIO, "HCCB", "hoi"),
    Body("ldld", "Liên đoàn Lao động {u} {p}", "LĐLĐ {u}", SOCIO, "LĐLĐ", "hoi"),
    Body("bchqs", "Bộ Chỉ huy Quân sự {u} {p}", "Bộ CHQS {u}", ARMED, "BCHQS", "quan_su"),
    Body("ca", "Công an {u} {p}", "Công an {u}", ARMED, "CA", "cong_an"),
    Body(
        "bcd-qcdc",
        "Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở {u} {p}",
        "BCĐ QCDC cơ sở {u}",
        STEERING,
        "BCĐQCDC",
        "bcd",
    ),
    Body(
        "bcd-dvk",
        "Ban Chỉ đạo phong trào thi đua “Dân vận khéo” {u} {p}",
        "BCĐ “Dân vận khéo” {u}",
        STEERING,
        "BCĐDVK",
        "bcd",
    ),
    Body(
        "bcd-tg",
        "Ban Chỉ đạo công tác tôn giáo {u} {p}",
        "BCĐ công tác tôn giáo {u}",
        STEERING,
        "BCĐTG",
        "bcd",
    ),
    Body("hctd", "Hội Chữ thập đỏ {u} {p}", "Hội CTĐ {u}", OTHER, "HCTĐ", "hoi"),
    Body("lmhtx", "Liên minh Hợp tác xã {u} {p}", "LMHTX {u}", OTHER, "LMHTX", "hoi"),
]

# 01/3/2025: bodies merged into another (recorded as "merged" changes) ...
MERGED_2025 = {
    "bdv": "btgdv",
    "btg": "btgdv",
    "skhdt": "stc",
    "sgtvt": "sxd",
    "sldtbxh": "snv",
    "stttt": "skhcn",
    "snnptnt": "snnmt",
    "stnmt": "snnmt",
    "bdt": "sdttg",
}
# ... and bodies ended (recorded as "ended"); who signs in their place from then on.
ENDED_2025 = {"bcsd": "duubnd", "ddhdnd": "hdnd", "dukhoi": "duccqd"}

# {dp}: Huyện/Thị xã…; {dl}: huyện/thị xã…; {du}: Huyện ủy…; {dd}: Huyện đoàn…; {d}: name.
DISTRICT_BODIES = [
    Body("hu", "{du} {d}", "{du}", PARTY_COMMITTEE, "HU", "cap_uy"),
    Body("bdvhu", "Ban Dân vận {du} {d}", "BDV {du}", PARTY_BODY, "BDVHU", "ban", parent="hu"),
    Body("ubndh", "Ủy ban nhân dân {dl} {d}", "UBND {dl}", STATE, "UBND", "ubnd"),
    Body("hdndh", "Hội đồng nhân dân {dl} {d}", "HĐND {dl}", STATE, "HĐND", "hdnd"),
    Body(
        "mttqh",
        "Ủy ban Mặt trận Tổ quốc Việt Nam {dl} {d}",
        "Ủy ban MTTQ {dl}",
        FRONT,
        "MTTQ",
        "mttq",
    ),
    Body("hlhpnh", "Hội Liên hiệp Phụ nữ {dl} {d}", "Hội LHPN {dl}", SOCIO, "HLHPN", "hoi"),
    Body("doanh", "{dd} {d}", "{dd}", SOCIO, "ĐTN", "doan"),
    Body("hndh", "Hội Nông dân {dl} {d}", "Hội Nông dân {dl}", SOCIO, "HND", "hoi"),
    Body("hccbh", "Hội Cựu chiến binh {dl} {d}", "Hội CCB {dl}", SOCIO, "HCCB", "hoi"),
    Body("cah", "Công an {dl} {d}", "Công an {dl}", ARMED, "CA", "truong_ca"),
    Body("bchqsh", "Ban Chỉ huy Quân sự {dl} {d}", "Ban CHQS {dl}", ARMED, "BCHQS", "quan_su"),
    Body(
        "pnv", "Phòng Nội vụ {dl} {d}", "Phòng Nội vụ {dl}", STATE, "PNV", "truong", parent="ubndh"
    ),
]

# {cl}: xã/phường/đặc khu; {c}: name.
COMMUNE_BODIES = [
    Body("du", "Đảng ủy {cl} {c}", "Đảng ủy {cl}", PARTY_COMMITTEE, "ĐU", "dang_uy"),
    Body(
        "bxd",
        "Ban Xây dựng Đảng Đảng ủy {cl} {c}",
        "Ban XDĐ Đảng ủy {cl}",
        PARTY_BODY,
        "BXDĐ",
        "ban",
        parent="du",
    ),
    Body("ubndx", "Ủy ban nhân dân {cl} {c}", "UBND {cl}", STATE, "UBND", "ubnd"),
    Body("hdndx", "Hội đồng nhân dân {cl} {c}", "HĐND {cl}", STATE, "HĐND", "hdnd"),
    Body(
        "mttqx",
        "Ủy ban Mặt trận Tổ quốc Việt Nam {cl} {c}",
        "Ủy ban MTTQ {cl}",
        FRONT,
        "MTTQ",
        "mttq",
    ),
    Body("hlhpnx", "Hội Liên hiệp Phụ nữ {cl} {c}", "Hội LHPN {cl}", SOCIO, "HLHPN", "hoi"),
    Body("doanx", "Đoàn Thanh niên {cl} {c}", "Đoàn Thanh niên {cl}", SOCIO, "ĐTN", "doan"),
    Body("hndx", "Hội Nông dân {cl} {c}", "Hội Nông dân {cl}", SOCIO, "HND", "hoi"),
    Body("cax", "Công an {cl} {c}", "Công an {cl}", ARMED, "CA", "truong_ca"),
]

# Who signs with whom: (lead, partner), by level.
PROVINCE_PAIRS = [
    ("bdv", partner)
    for partner in (
        "bcsd",
        "ddhdnd",
        "ubnd",
        "mttq",
        "hlhpn",
        "tdoan",
        "hnd",
        "hccb",
        "ldld",
        "bchqs",
        "ca",
        "dukhoi",
        "snv",
        "sgddt",
        "syt",
        "sxd",
        "stp",
        "bdt",
        "snnptnt",
        "bcd-qcdc",
        "bcd-dvk",
        "bcd-tg",
    )
] + [
    ("ubnd", "mttq"),
    ("ubnd", "ldld"),
    ("mttq", "hlhpn"),
    ("mttq", "hnd"),
    ("bchqs", "ca"),
    ("ca", "mttq"),
    ("syt", "hlhpn"),
    ("sgddt", "tdoan"),
]
DISTRICT_PAIRS = [
    ("bdvhu", partner)
    for partner in (
        "ubndh",
        "hdndh",
        "mttqh",
        "hlhpnh",
        "doanh",
        "hndh",
        "hccbh",
        "cah",
        "bchqsh",
        "pnv",
    )
] + [("ubndh", "mttqh")]
COMMUNE_PAIRS = [
    ("du", "ubndx"),
    ("du", "mttqx"),
    ("du", "cax"),
    ("du", "hdndx"),
    ("bxd", "mttqx"),
    ("bxd", "hlhpnx"),
    ("bxd", "doanx"),
    ("bxd", "hndx"),
    ("ubndx", "mttqx"),
]
# Share of a province's agreements signed at each level.
LEVEL_SHARES = (("province", 0.2), ("district", 0.55), ("commune", 0.25))

# --- Words -----------------------------------------------------------------------

FAMILY_NAMES = (
    "Nguyễn Nguyễn Nguyễn Nguyễn Trần Trần Lê Lê Phạm Phạm Hoàng Huỳnh Phan Vũ Võ Đặng "
    "Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Lương Đào Mai Cao Hà Lò Sùng Giáp Vi Triệu Lục"
).split()
MIDDLE_NAMES = {
    "m": "Văn Văn Đức Minh Hữu Quang Xuân Thanh Ngọc Mạnh Công Tiến Đình Quốc Hồng Thế".split(),
    "f": "Thị Thị Thị Thu Thanh Ngọc Minh Thúy Hồng Kim Mai Phương".split(),
}
GIVEN_NAMES = {
    "m": (
        "An Bình Cường Dũng Đạt Hải Hùng Hưng Khôi Long Nam Quân Sơn Thắng Trung Tuấn "
        "Việt Vinh Lâm Phong Hiếu Kiên Thành Lộc Chinh Cương Lý Toàn Nghĩa Hòa"
    ).split(),
    "f": (
        "Anh Bắc Chi Dung Giang Hà Hạnh Hoa Hương Huyền Lan Linh Mai Nga Ngân Nhung "
        "Oanh Phương Thảo Thủy Trang Vân Yến Huyên Hằng"
    ).split(),
}

TOPICS = [
    "công tác dân vận",
    "thực hiện công tác dân vận chính quyền",
    "thực hiện Quy chế dân chủ ở cơ sở",
    "đẩy mạnh phong trào thi đua “Dân vận khéo”",
    "công tác dân vận vùng đồng bào dân tộc thiểu số",
    "công tác tôn giáo và vận động đồng bào có đạo",
    "tuyên truyền, vận động Nhân dân xây dựng nông thôn mới, đô thị văn minh",
    "tiếp công dân, đối thoại với Nhân dân",
    "tiếp nhận, giải quyết kiến nghị của cử tri và Nhân dân",
    "xây dựng Đảng, chính quyền trong sạch, vững mạnh",
    "giám sát và phản biện xã hội",
    "cải cách hành chính, xây dựng chính quyền thân thiện",
    "công tác dân vận của lực lượng vũ trang",
    "bảo đảm an ninh, trật tự ở cơ sở",
]

ITEM_TITLES = [
    "Phối hợp tuyên truyền, quán triệt các nghị quyết, chỉ thị của Đảng về công tác dân vận",
    "Phối hợp tham mưu cho Ban Thường vụ lãnh đạo, chỉ đạo công tác dân vận chính quyền",
    "Phối hợp thực hiện Quy chế dân chủ ở cơ sở và Luật Thực hiện dân chủ ở cơ sở",
    "Đẩy mạnh phong trào thi đua “Dân vận khéo” gắn với các phong trào thi đua yêu nước",
    "Phối hợp xây dựng, nhân rộng các mô hình, điển hình “Dân vận khéo”",
    "Thực hiện Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 – 2030",
    "Nâng cao đạo đức công vụ, tinh thần trách nhiệm của cán bộ, công chức, viên chức",
    "Bảo đảm quyền tiếp cận thông tin của công dân",
    "Tiếp công dân, đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân",
    "Giải quyết kịp thời khiếu nại, tố cáo, kiến nghị, phản ánh của công dân",
    "Thực hiện Quy chế đối thoại của người đứng đầu cơ quan, đơn vị",
    "Phối hợp nắm tình hình Nhân dân, xử lý các vấn đề phức tạp nảy sinh ở cơ sở",
    "Phối hợp thực hiện công tác dân vận vùng đồng bào dân tộc thiểu số",
    "Phối hợp vận động chức sắc, chức việc và đồng bào các tôn giáo",
    "Tuyên truyền, vận động Nhân dân tham gia xây dựng nông thôn mới, đô thị văn minh",
    "Phối hợp giám sát, phản biện xã hội đối với dự thảo văn bản của cấp ủy, chính quyền",
    "Tiếp thu, giải quyết ý kiến, kiến nghị của cử tri và Nhân dân",
    "Phối hợp xây dựng mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ”",
    "Phối hợp thực hiện công tác dân vận của lực lượng vũ trang",
    "Phối hợp bảo đảm an ninh chính trị, trật tự, an toàn xã hội ở cơ sở",
    "Vận động Nhân dân tham gia phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "Phối hợp thực hiện Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”",
    "Phối hợp thực hiện Cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”",
    "Vận động Nhân dân hiến đất, góp công xây dựng kết cấu hạ tầng",
    "Phối hợp tuyên truyền, vận động giải phóng mặt bằng các công trình, dự án trọng điểm",
    "Phối hợp chăm lo đời sống Nhân dân, giảm nghèo bền vững",
    "Thực hiện chính sách đối với người có uy tín trong đồng bào dân tộc thiểu số",
    "Phối hợp bồi dưỡng nghiệp vụ công tác dân vận cho cán bộ, công chức",
    "Phối hợp kiểm tra, giám sát việc thực hiện công tác dân vận",
    "Phối hợp chuyển đổi số, cung cấp dịch vụ công trực tuyến cho người dân, doanh nghiệp",
    "Phối hợp tham gia góp ý xây dựng Đảng, xây dựng chính quyền",
    "Tổ chức giao ban, sơ kết, tổng kết việc thực hiện chương trình phối hợp",
    "Chế độ thông tin, báo cáo định kỳ giữa các bên",
    "Phối hợp tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
    "Vận động Nhân dân thực hiện nếp sống văn minh trong việc cưới, việc tang, lễ hội",
    "Phối hợp phòng, chống thiên tai, dịch bệnh, cứu hộ, cứu nạn",
    "Phối hợp đấu tranh phản bác các quan điểm sai trái, thù địch",
    "Phối hợp khen thưởng tập thể, cá nhân có thành tích trong công tác dân vận",
    "Phối hợp thực hiện công tác dân vận trong doanh nghiệp, khu công nghiệp",
    "Phối hợp tuyên truyền, vận động thực hiện chính sách, pháp luật về đất đai",
]
ITEM_DESCRIPTIONS = [
    "Các bên thống nhất kế hoạch, phân công cơ quan chủ trì và thời gian thực hiện.",
    "Định kỳ 6 tháng trao đổi thông tin, kết quả thực hiện và đề xuất giải pháp.",
    "Cơ quan chủ trì xây dựng kế hoạch cụ thể; cơ quan phối hợp cử cán bộ tham gia.",
    "Gắn với việc thực hiện nhiệm vụ chính trị của từng cơ quan, đơn vị.",
    "Lồng ghép trong các hội nghị, sinh hoạt chuyên đề của chi bộ, cơ quan.",
    "Ưu tiên địa bàn vùng sâu, vùng xa, vùng đồng bào dân tộc thiểu số.",
    "Kết quả được đánh giá tại hội nghị sơ kết, tổng kết hằng năm.",
    "Phát huy vai trò của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội.",
    "Tăng cường ứng dụng công nghệ thông tin trong tuyên truyền, vận động.",
]
EXPECTED_RESULTS = [
    "100% cán bộ, công chức, viên chức được quán triệt, học tập.",
    "Mỗi năm xây dựng và nhân rộng ít nhất một mô hình “Dân vận khéo”.",
    "Giảm số đơn thư vượt cấp, kéo dài.",
    "Mức độ hài lòng của người dân đối với cơ quan hành chính tăng qua từng năm.",
    "Các kiến nghị của cử tri được trả lời đúng hạn.",
    "Không để xảy ra điểm nóng, phức tạp về an ninh, trật tự.",
]
PURPOSES = [
    "Nâng cao chất lượng, hiệu quả công tác dân vận; phát huy quyền làm chủ của Nhân dân.",
    "Tăng cường sự lãnh đạo của cấp ủy, sự phối hợp giữa các cơ quan trong hệ thống chính trị.",
    "Củng cố mối quan hệ mật thiết giữa Đảng, chính quyền với Nhân dân.",
]
INFORMATION_EXCHANGE = [
    "Định kỳ 6 tháng, hằng năm các bên trao đổi thông tin, báo cáo kết quả thực hiện.",
    "Trao đổi thông tin thường xuyên qua văn phòng và cán bộ đầu mối của mỗi bên.",
]
LEGAL_BASES = [
    # number, issued on, issuer, title, in force from, until
    (
        "25-NQ/TW",
        D(2013, 6, 3),
        "Ban Chấp hành Trung ương",
        "Về tăng cường và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận "
        "trong tình hình mới",
        D(2013, 6, 3),
        None,
    ),
    (
        "290-QĐ/TW",
        D(2010, 2, 25),
        "Bộ Chính trị",
        "Ban hành Quy chế công tác dân vận của hệ thống chính trị",
        D(2010, 2, 25),
        D(2021, 7, 29),
    ),
    (
        "23-QĐ/TW",
        D(2021, 7, 30),
        "Bộ Chính trị",
        "Ban hành Quy chế công tác dân vận của hệ thống chính trị",
        D(2021, 7, 30),
        None,
    ),
    (
        "18/2000/CT-TTg",
        D(2000, 9, 21),
        "Thủ tướng Chính phủ",
        "Về tăng cường công tác dân vận",
        D(2000, 9, 21),
        None,
    ),
    (
        "114-KL/TW",
        D(2015, 7, 14),
        "Ban Bí thư",
        "Về nâng cao chất lượng, hiệu quả công tác dân vận của cơ quan nhà nước các cấp",
        D(2015, 7, 14),
        None,
    ),
    (
        "10/2022/QH15",
        D(2022, 11, 10),
        "Quốc hội",
        "Luật Thực hiện dân chủ ở cơ sở",
        D(2022, 11, 10),
        None,
    ),
]
RESULTS = [
    "Các bên đã phối hợp chặt chẽ, triển khai đầy đủ các nội dung đã ký kết.",
    "Công tác tuyên truyền, quán triệt được thực hiện thường xuyên, bằng nhiều hình thức.",
    "Phong trào thi đua “Dân vận khéo” được triển khai sâu rộng, nhiều mô hình được nhân rộng.",
    "Việc tiếp công dân, đối thoại với Nhân dân được duy trì; nhiều kiến nghị được giải quyết.",
    "Quy chế dân chủ ở cơ sở được thực hiện nghiêm túc, phát huy quyền làm chủ của Nhân dân.",
    "Mặt trận và các đoàn thể tham gia giám sát, phản biện xã hội có hiệu quả.",
]
LIMITATIONS = [
    "Việc phối hợp ở một số nội dung còn chậm, chưa đồng bộ.",
    "Chế độ thông tin, báo cáo có lúc chưa kịp thời.",
    "Một số mô hình “Dân vận khéo” chưa được nhân rộng, thiếu bền vững.",
    "Chất lượng đối thoại ở một số nơi còn hình thức.",
]
CAUSES = [
    "Nguyên nhân chủ quan: một số cấp ủy, người đứng đầu chưa quan tâm đúng mức.",
    "Nguyên nhân khách quan: tình hình dịch bệnh, thiên tai ảnh hưởng đến tiến độ.",
    "Đội ngũ cán bộ làm công tác dân vận còn kiêm nhiệm, thay đổi thường xuyên.",
]
LESSONS = [
    "Phải có sự lãnh đạo, chỉ đạo sát sao của cấp ủy, sự vào cuộc của người đứng đầu.",
    "Xác định rõ nội dung, trách nhiệm của mỗi bên; thường xuyên kiểm tra, đôn đốc.",
    "Lấy sự hài lòng của Nhân dân làm thước đo hiệu quả công tác phối hợp.",
]
DIRECTIONS = [
    "Tiếp tục thực hiện nghiêm các nội dung phối hợp; nâng cao chất lượng giao ban.",
    "Đẩy mạnh phong trào thi đua “Dân vận khéo”, nhân rộng các mô hình hiệu quả.",
    "Tăng cường đối thoại, giải quyết kịp thời kiến nghị chính đáng của Nhân dân.",
]
RECOMMENDATIONS = [
    "Đề nghị cấp trên bố trí kinh phí cho hoạt động phối hợp.",
    "Đề nghị bổ sung, sửa đổi quy chế phối hợp cho phù hợp với tổ chức bộ máy mới.",
    "Kiến nghị tăng cường tập huấn nghiệp vụ cho cán bộ làm công tác dân vận.",
]
ATTENDED_BY = [
    "Lãnh đạo các bên ký kết; đại diện các sở, ban, ngành, đoàn thể.",
    "Thành viên Ban Chỉ đạo; lãnh đạo các cơ quan phối hợp.",
    "Đại diện Thường trực cấp ủy, chính quyền và các đoàn thể.",
]
PAPER_TOPICS = [
    "Kinh nghiệm xây dựng mô hình “Dân vận khéo” ở cơ sở",
    "Công tác tuyên truyền, vận động Nhân dân thực hiện chủ trương của Đảng",
    "Kết quả tiếp nhận, giải quyết kiến nghị của cử tri",
    "Thực hiện dân chủ ở cơ sở gắn với cải cách hành chính",
    "Công tác dân vận trong vùng đồng bào dân tộc thiểu số",
    "Vai trò của Mặt trận trong giám sát, phản biện xã hội",
]
ACTIVITIES = [
    "Tổ chức hội nghị quán triệt, triển khai",
    "Tổ chức đối thoại với Nhân dân",
    "Kiểm tra, giám sát việc thực hiện",
    "Tập huấn nghiệp vụ cho cán bộ cơ sở",
    "Sơ kết, đánh giá, nhân rộng mô hình",
    "Tuyên truyền trên các phương tiện thông tin đại chúng",
    "Tổ chức giao ban định kỳ",
]
ASSESSMENT_COMMENTS = [
    "Thực hiện đúng kế hoạch.",
    "Cần đẩy nhanh tiến độ.",
    "Đạt kết quả tốt, được Nhân dân đồng tình.",
    "Còn chậm so với yêu cầu.",
]
ENDED_2025_NOTE = (
    "Kết thúc hoạt động từ 01/3/2025 khi sắp xếp tổ chức bộ máy của hệ thống chính trị."
)
MERGED_2025_NOTE = "Hợp nhất từ 01/3/2025 khi sắp xếp tổ chức bộ máy của hệ thống chính trị."
PROVINCE_MERGER_NOTE = "Hợp nhất đơn vị hành chính cấp tỉnh từ 01/7/2025."
DISTRICT_ENDED_NOTE = "Kết thúc hoạt động cấp huyện từ 01/7/2025 (chính quyền địa phương hai cấp)."
DISTRICT_AGREEMENT_NOTE = "Chấm dứt do kết thúc hoạt động cấp huyện từ 01/7/2025."
MERGER_BASIS = "Sắp xếp tổ chức bộ máy năm 2025"

KIND_CODES = {"regulation": "QCPH", "program": "CTr", "plan": "KH"}
KIND_TITLES = {
    "regulation": "Quy chế phối hợp",
    "program": "Chương trình phối hợp",
    "plan": "Kế hoạch phối hợp",
}
PARTY_KINDS = {PARTY_BODY, PARTY_COMMITTEE}

# Indicator figures: (province-level range, ratio?) by indicator code; districts get
# a tenth, communes a sixtieth.
FIGURES = {
    "doi-thoai-nhan-dan": (300, 3000),
    "chinh-quyen-than-thien": None,
    "dan-van-kheo-tong-so": (300, 2000),
    "dan-van-kheo-kinh-te": (60, 600),
    "dan-van-kheo-van-hoa-xa-hoi": (60, 600),
    "dan-van-kheo-quoc-phong-an-ninh": (20, 200),
    "dan-van-kheo-xay-dung-htct": (30, 300),
    "dan-van-kheo-cap-huyen": (100, 500),
    "phan-bien-du-thao": (20, 120),
    "phan-bien-y-kien": (100, 700),
    "ho-so-tiep-nhan-moi": (800, 20000),
    "ho-so-ky-truoc-chuyen-sang": (10, 300),
    "ho-so-da-tra": (800, 20000),
    "thoi-gian-giam-so-quy-dinh": (5, 45),
}
LEVEL_DIVISORS = {"province": 1, "district": 10, "commune": 60}


# Titles and names repeat a lot; folding each distinct one once saves a third of the time.
fold_cached = lru_cache(maxsize=100_000)(fold)
