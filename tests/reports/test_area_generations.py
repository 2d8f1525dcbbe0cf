"""Generations per province (issue 5): a write moves on the generation of the
provinces its agreement's parties lie in; a leader's or an editor's pages are keyed
by their provinces' generations (with the structure generation), so one province's
writes leave another's pages remembered, and every page still shows what is saved."""

import pytest
from django.urls import reverse

from agreements.models import AgencyChange, Area, IndicatorValue, UserProfile
from agreements.querysets import scope_of
from reports import services as summaries
from reports.models import AreaGeneration
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ContentItemFactory,
    IndicatorFactory,
    ProfileFactory,
)

pytestmark = pytest.mark.django_db


def _generations():
    return dict(AreaGeneration.objects.values_list("area_id", "generation"))


def _agreement_in(agency, **fields):
    agreement = AgreementFactory(lead_agency=agency, **fields)
    AgreementPartyFactory(agreement=agreement, agency=agency, role="lead")
    return agreement


@pytest.fixture
def provinces():
    """Two provinces, the first with a commune, each with an office (a leader's) and a
    body that signs agreements; one agreement in each."""
    lai_chau = AreaFactory(name="Tỉnh Lai Châu")
    commune = AreaFactory(name="Xã Bình Lư", parent=lai_chau, level=Area.Level.COMMUNE)
    nghe_an = AreaFactory(name="Tỉnh Nghệ An")
    body_a = AgencyFactory(name="Đảng ủy xã Bình Lư", area=commune)
    body_b = AgencyFactory(name="Ban Dân vận Tỉnh ủy Nghệ An", area=nghe_an)
    leader_a = ProfileFactory(
        agency=AgencyFactory(name="Tỉnh ủy Lai Châu", area=lai_chau), role=UserProfile.Role.LEADER
    ).user
    leader_b = ProfileFactory(
        agency=AgencyFactory(name="Tỉnh ủy Nghệ An", area=nghe_an), role=UserProfile.Role.LEADER
    ).user
    found = {
        "lai_chau": lai_chau,
        "nghe_an": nghe_an,
        "commune": commune,
        "body_a": body_a,
        "body_b": body_b,
        "leader_a": leader_a,
        "leader_b": leader_b,
        "in_a": _agreement_in(body_a, title="Chương trình phối hợp xã Bình Lư"),
        "in_b": _agreement_in(body_b, title="Chương trình phối hợp Nghệ An"),
    }
    summaries.summaries_rebuild()
    return found


def _scope_generation(user):
    current = summaries.read_state()
    return summaries.scope_generation(scope_of(user), current)


def test_a_write_moves_on_the_province_of_its_parties_only(provinces):
    before = _generations()
    leader_a, leader_b = (
        _scope_generation(provinces["leader_a"]),
        _scope_generation(provinces["leader_b"]),
    )
    ContentItemFactory(agreement=provinces["in_a"], number=1)
    summaries.summaries_refresh()

    after = _generations()
    lai_chau, nghe_an = provinces["lai_chau"].pk, provinces["nghe_an"].pk
    # The commune's agreement moves its province on (the root of its area).
    assert after.get(lai_chau, 0) == before.get(lai_chau, 0) + 1
    assert after.get(nghe_an, 0) == before.get(nghe_an, 0)
    assert provinces["commune"].pk not in after
    assert _scope_generation(provinces["leader_a"]) > leader_a
    assert _scope_generation(provinces["leader_b"]) == leader_b


def test_a_party_moved_to_another_province_moves_both_on(provinces):
    party = provinces["in_a"].parties.get()
    before = _generations()
    party.agency = provinces["body_b"]
    party.save()
    summaries.summaries_refresh()

    after = _generations()
    for province in ("lai_chau", "nghe_an"):
        assert after[provinces[province].pk] > before.get(provinces[province].pk, 0)


def test_an_agreement_deleted_moves_its_province_on(provinces):
    before = _scope_generation(provinces["leader_b"])
    provinces["in_b"].delete()
    summaries.summaries_refresh()
    assert _scope_generation(provinces["leader_b"]) > before


def test_a_figure_moves_its_agreements_province_on(provinces):
    indicator = IndicatorFactory()  # a new indicator moves every scope on (structure)
    before = _scope_generation(provinces["leader_a"]), _scope_generation(provinces["leader_b"])
    IndicatorValue.objects.create(
        indicator=indicator,
        agreement=provinces["in_a"],
        year=2025,
        agency=provinces["body_a"],
        value=4,
    )
    summaries.summaries_refresh()
    after = _scope_generation(provinces["leader_a"]), _scope_generation(provinces["leader_b"])
    assert after[0] > before[0] and after[1] == before[1]


def test_a_legal_basis_or_an_attachment_moves_its_agreements_province_on(provinces):
    from agreements.models import LegalBasis

    before = _scope_generation(provinces["leader_b"])
    LegalBasis.objects.create(agreement=provinces["in_b"], number="290-QĐ/TW")
    summaries.summaries_refresh()
    assert _scope_generation(provinces["leader_b"]) > before


def test_a_merged_provinces_leader_follows_the_old_provinces_writes(provinces):
    # Lai Châu merged into a new province: its leader sees the old one's agreements.
    new = AreaFactory(name="Tỉnh Lai Châu mới")
    provinces["lai_chau"].successors.add(new)
    leader = ProfileFactory(
        agency=AgencyFactory(name="Tỉnh ủy Lai Châu mới", area=new), role=UserProfile.Role.LEADER
    ).user
    summaries.summaries_refresh()
    before = _scope_generation(leader)
    ContentItemFactory(agreement=provinces["in_a"], number=1)
    summaries.summaries_refresh()
    assert _scope_generation(leader) > before


def test_an_editors_scope_follows_its_lineage_and_parties_without_area(provinces):
    nowhere = AgencyFactory(name="Ban Chỉ đạo không địa bàn", area=None)
    editor = ProfileFactory(agency=nowhere, role=UserProfile.Role.EDITOR).user
    agreement = _agreement_in(nowhere)
    summaries.summaries_refresh()
    assert summaries.scope_roots(scope_of(editor)) == [AreaGeneration.NO_AREA]
    before = _scope_generation(editor)
    ContentItemFactory(agreement=agreement, number=1)
    summaries.summaries_refresh()
    assert _scope_generation(editor) > before
    # The agency now continues the Nghệ An body: its province joins the scope (a
    # lineage change moves the structure generation on, so every scope's key moves).
    structure = summaries.read_state().structure_generation
    AgencyChange.objects.create(predecessor=provinces["body_b"], successor=nowhere, kind="merged")
    assert summaries.read_state().structure_generation > structure
    assert summaries.scope_roots(scope_of(editor)) == sorted(
        [AreaGeneration.NO_AREA, provinces["nghe_an"].pk]
    )


def test_an_area_renamed_moves_every_scope_on_and_an_admins_follows_every_write(
    provinces, admin_user
):
    before = [_scope_generation(provinces[name]) for name in ("leader_a", "leader_b")]
    area = provinces["nghe_an"]
    area.name = "Tỉnh Nghệ An (mới)"
    area.save()
    after = [_scope_generation(provinces[name]) for name in ("leader_a", "leader_b")]
    assert all(a > b for a, b in zip(after, before, strict=True))
    admin = _scope_generation(admin_user)
    ContentItemFactory(agreement=provinces["in_b"], number=1)
    summaries.summaries_refresh()
    assert _scope_generation(admin_user) > admin


# --- Pages --------------------------------------------------------------------------


def _renders(monkeypatch):
    from agreements.views.agreements import AgreementListView
    from reports.views.dashboard import DashboardView

    calls = []
    for view, method in ((DashboardView, "render_figures"), (AgreementListView, "render_results")):
        original = getattr(view, method)

        def counted(self, original=original, name=f"{view.__name__}"):
            calls.append((name, self.request.user.username))
            return original(self)

        monkeypatch.setattr(view, method, counted)
    return calls


def _views(client, user):
    client.force_login(user)
    pages = [client.get(reverse(name)) for name in ("home", "agreements:agreement_list")]
    assert all(page.status_code == 200 for page in pages)
    return [page.content.decode() for page in pages]


def test_a_write_in_one_province_leaves_anothers_pages_remembered(client, provinces, monkeypatch):
    from agreements import services

    leader_a, leader_b = provinces["leader_a"], provinces["leader_b"]
    renders = _renders(monkeypatch)
    for user in (leader_a, leader_b):
        _views(client, user)
    assert len(renders) == 4
    # A write in Nghệ An, through a service (refreshed once committed).
    agreement = provinces["in_b"]
    agreement.title = "Chương trình phối hợp Nghệ An (sửa đổi)"
    services.agreement_save(
        agreement=agreement, user=leader_b, expected_version=agreement.version, parties=None
    )
    summaries.summaries_refresh()
    del renders[:]

    _views(client, leader_a)
    assert renders == []  # Lai Châu's pages are served as they were
    dashboard, listed = _views(client, leader_b)
    assert [name for name, _user in renders] == ["DashboardView", "AgreementListView"]
    assert "Chương trình phối hợp Nghệ An (sửa đổi)" in listed
