"""The staff walk in a real browser: an editor enters the Lai Châu 2021–2026 program
with 8 items and two signatories, records its first annual review with item
assessments and two indicator values, submits it; the leader approves it; the
detail page shows it. Screenshots land in test-artifacts/screenshots/."""

from pathlib import Path

import pytest

from agreements.models import Agreement, Indicator, Review, UserProfile
from tests.factories import AgencyFactory, AreaFactory, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-2026"

ITEMS = [
    "Nâng cao chất lượng, hiệu quả công tác dân vận chính quyền của cơ quan dân cử",
    "Nắm tình hình Nhân dân, tâm tư, nguyện vọng chính đáng, hợp pháp của Nhân dân",
    "Tuyên truyền, vận động Nhân dân thực hiện Nghị quyết của HĐND tỉnh",
    "Giải quyết kiến nghị của cử tri và Nhân dân",
    "Nội dung phối hợp số 5",
    "Nội dung phối hợp số 6",
    "Nội dung phối hợp số 7",
    "Nội dung phối hợp số 8",
]


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"staff-{name}.png"), full_page=True)


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def _logout(page):
    page.click("text=Đăng xuất")


def _add_row(page, prefix):
    page.click(f"fieldset[data-formset-prefix={prefix}] button.add-row")


def test_editor_enters_program_and_review_leader_approves(live_server, page):
    base = live_server.url
    lai_chau = AreaFactory(name="Tỉnh Lai Châu", code="12")
    bdv = AgencyFactory(
        name="Ban Dân vận Tỉnh ủy Lai Châu", short_name="BDV Tỉnh ủy", area=lai_chau
    )
    hdnd = AgencyFactory(
        name="Đảng đoàn HĐND tỉnh Lai Châu",
        short_name="ĐĐ HĐND tỉnh",
        area=lai_chau,
        kind="party_committee",
    )
    office = AgencyFactory(name="Tỉnh ủy Lai Châu", short_name="Tỉnh ủy", area=lai_chau)
    ProfileFactory(user__username="bientap", agency=bdv, role=UserProfile.Role.EDITOR)
    ProfileFactory(user__username="lanhdao", agency=office, role=UserProfile.Role.LEADER)
    dialogues = Indicator.objects.create(
        code="doi-thoai", name="Số cuộc đối thoại với Nhân dân", unit="cuộc"
    )
    friendly = Indicator.objects.create(
        code="chinh-quyen-than-thien",
        name="Xã xây dựng mô hình Chính quyền thân thiện",
        unit="xã",
        kind="ratio",
    )

    # The editor enters the program.
    _login(page, base, "bientap")
    _shot(page, "01-home")
    page.click("text=Văn bản phối hợp")
    page.click("text=Thêm văn bản phối hợp")
    page.select_option("#id_kind", "program")
    page.fill(
        "#id_title",
        "Chương trình phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy "
        "và Đảng đoàn HĐND tỉnh giai đoạn 2021 - 2026",
    )
    page.fill("#id_signed_on", "30/08/2021")
    page.fill("#id_start_year", "2021")
    page.fill("#id_end_year", "2026")
    page.fill("#id_declared_item_count", "8")
    page.fill("#id_parties-0-signatory_name", "Lò Văn Cương")
    page.fill(
        "#id_parties-0-signatory_position",
        "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy",
    )
    _add_row(page, "parties")
    page.select_option("#id_parties-1-agency", str(hdnd.pk))
    page.select_option("#id_parties-1-role", "partner")
    page.fill("#id_parties-1-signatory_name", "Chu Lê Chinh")
    page.fill(
        "#id_parties-1-signatory_position",
        "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng đoàn HĐND tỉnh",
    )
    for index, title in enumerate(ITEMS):
        if index:
            _add_row(page, "items")
        page.fill(f"#id_items-{index}-title", title)
    _shot(page, "02-agreement-form")
    page.click("form.agreement-form > p > button[type=submit]")
    page.wait_for_selector("text=Đã lưu văn bản phối hợp.")
    _shot(page, "03-agreement-detail")
    agreement = Agreement.objects.get()
    assert agreement.items.count() == 8
    assert page.locator("text=Chu Lê Chinh").count() == 1

    # Its first annual review, with assessments and two figures.
    page.click("text=Thêm giao ban, sơ kết, tổng kết")
    page.select_option("#id_kind", "annual")
    page.fill("#id_title", "Hội nghị đánh giá kết quả thực hiện Chương trình phối hợp năm 2022")
    page.fill("#id_period_from", "01/01/2022")
    page.fill("#id_period_to", "31/12/2022")
    page.fill("#id_held_on", "20/12/2022")
    page.fill("#id_results", "Các bên phối hợp chặt chẽ trong tiếp xúc cử tri và giám sát.")
    for index in range(8):
        page.select_option(
            f"#id_assessments-{index}-progress", "done" if index < 4 else "in_progress"
        )
    page.select_option("#id_values-0-indicator", str(dialogues.pk))
    page.fill("#id_values-0-year", "2022")
    page.select_option("#id_values-0-agency", str(bdv.pk))
    page.fill("#id_values-0-value", "12")
    _add_row(page, "values")
    page.select_option("#id_values-1-indicator", str(friendly.pk))
    page.fill("#id_values-1-year", "2022")
    page.select_option("#id_values-1-agency", str(bdv.pk))
    page.fill("#id_values-1-value", "90")
    page.fill("#id_values-1-denominator", "106")
    _shot(page, "04-review-form")
    page.click("form > p > button[type=submit]")
    page.wait_for_selector("text=Đã lưu hội nghị.")
    page.click("text=Gửi phê duyệt")
    page.wait_for_selector("text=Đã gửi hội nghị để lãnh đạo phê duyệt.")
    _shot(page, "05-review-submitted")
    _logout(page)

    # The leader approves it.
    _login(page, base, "lanhdao")
    review = Review.objects.get()
    page.goto(f"{base}{review.get_absolute_url()}")
    page.click("button:has-text('Phê duyệt')")
    page.wait_for_selector("text=Đã phê duyệt.")
    _shot(page, "06-review-approved")
    page.goto(f"{base}{agreement.get_absolute_url()}")
    assert page.locator(".timeline >> text=Đã phê duyệt").count() == 1
    assert page.locator("text=Hoàn thành").count() >= 4
    _shot(page, "07-agreement-with-review")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "08-agreement-on-a-phone")
    review.refresh_from_db()
    assert review.status == "approved"
    assert review.assessments.count() == 8
    assert review.indicator_values.count() == 2
