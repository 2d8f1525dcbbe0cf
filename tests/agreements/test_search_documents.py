"""The search documents of PostgreSQL (migration 0011): one row of word pairs per
agreement, kept by triggers whoever writes, and what the search reads them for.

Every test ends with the documents equal to what they would be computed afresh
(`_stale`), besides the pairs it looks at."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from agreements import services
from agreements.models import Agreement, AgreementParty, ContentItem
from agreements.querysets import SEARCH_DOCUMENTS
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    ContentItemFactory,
    ProfileFactory,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search documents are PostgreSQL's"
)

FRESH = """
SELECT a.id, dinvan_search_pairs(concat_ws(' ', a.search_key,
    (SELECT string_agg(p.search_key, ' ') FROM agreements_agreementparty p
     WHERE p.agreement_id = a.id),
    (SELECT string_agg(i.search_key, ' ') FROM agreements_contentitem i
     WHERE i.agreement_id = a.id)))
FROM agreements_agreement a
"""


def _pairs(agreement):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tsvector_to_array(pairs) FROM {SEARCH_DOCUMENTS} WHERE agreement_id = %s",
            [agreement.pk],
        )
        row = cursor.fetchone()
    return None if row is None else set(row[0])


def _stale(using="default"):
    """Agreements whose document is missing or differs from a fresh computation, and
    documents of no agreement."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(f.id, d.agreement_id) FROM ({FRESH}) AS f (id, pairs) "
            f"FULL JOIN {SEARCH_DOCUMENTS} d ON d.agreement_id = f.id "
            "WHERE f.id IS NULL OR d.agreement_id IS NULL OR d.pairs <> f.pairs"
        )
        return [row[0] for row in cursor.fetchall()]


def _agreement(**kwargs):
    agency = AgencyFactory()
    agreement = AgreementFactory(lead_agency=agency, title="Quy chế phối hợp", **kwargs)
    AgreementPartyFactory(
        agreement=agreement,
        agency=agency,
        role=AgreementParty.Role.LEAD,
        name_as_signed="Hội Liên hiệp Phụ nữ tỉnh",
    )
    ContentItemFactory(agreement=agreement, number=1, title="Chuyển đổi số trong dân vận")
    return agreement


@pytest.mark.django_db
def test_a_new_agreement_has_the_pairs_of_its_own_text_its_parties_and_items():
    agreement = _agreement()
    pairs = _pairs(agreement)
    assert {"quy_che", "che_phoi", "hoi_lien", "phu_nu", "chuyen_doi", "doi_so"} <= pairs
    assert _stale() == []


@pytest.mark.django_db
def test_an_item_edited_replaced_or_deleted_moves_the_pairs():
    agreement = _agreement()
    item = agreement.items.get()
    item.title = "Giảm nghèo bền vững"
    item.save()
    pairs = _pairs(agreement)
    assert {"giam_ngheo", "ngheo_ben"} <= pairs
    assert "chuyen_doi" not in pairs
    ContentItem.objects.filter(pk=item.pk).update(title="x", search_key="xay dung nong thon moi")
    assert "nong_thon" in _pairs(agreement) and "giam_ngheo" not in _pairs(agreement)
    item.delete()
    assert "nong_thon" not in _pairs(agreement)
    assert _stale() == []


@pytest.mark.django_db
def test_an_item_moved_to_another_agreement_moves_its_pairs():
    first, second = _agreement(), _agreement()
    ContentItem.objects.filter(agreement=first).update(agreement=second, number=2)
    assert "chuyen_doi" not in _pairs(first)
    assert "chuyen_doi" in _pairs(second)
    assert _stale() == []


@pytest.mark.django_db
def test_items_created_in_bulk_and_the_services_writes_are_followed():
    agreement = _agreement()
    ContentItem.objects.bulk_create(
        [
            ContentItem(agreement=agreement, number=n, title=t, search_key=k)
            for n, t, k in [(2, "Tôn giáo", "ton giao"), (3, "Cựu chiến binh", "cuu chien binh")]
        ]
    )
    assert {"ton_giao", "cuu_chien", "chien_binh"} <= _pairs(agreement)
    profile = ProfileFactory(agency=agreement.lead_agency)
    services.content_items_replace(
        agreement=agreement, items=[{"title": "Mặt trận Tổ quốc"}], user=profile.user
    )
    pairs = _pairs(agreement)
    assert {"mat_tran", "to_quoc"} <= pairs and "ton_giao" not in pairs
    assert _stale() == []


@pytest.mark.django_db
def test_a_party_and_the_agreement_itself_are_followed():
    agreement = _agreement()
    AgreementParty.objects.filter(agreement=agreement).update(search_key="doan thanh nien")
    assert "doan_thanh" in _pairs(agreement) and "hoi_lien" not in _pairs(agreement)
    agreement.title = "Chương trình Dân vận khéo"
    agreement.save()
    assert {"dan_van", "van_kheo"} <= _pairs(agreement) and "quy_che" not in _pairs(agreement)
    AgreementParty.objects.filter(agreement=agreement).delete()
    assert "doan_thanh" not in _pairs(agreement)
    assert _stale() == []


@pytest.mark.django_db
def test_a_deleted_or_truncated_agreement_leaves_no_document():
    kept, deleted = _agreement(), _agreement()
    ContentItem.objects.filter(agreement=deleted).delete()
    AgreementParty.objects.filter(agreement=deleted).delete()
    Agreement.objects.filter(pk=deleted.pk).delete()
    assert _pairs(deleted) is None and _pairs(kept) is not None
    assert _stale() == []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check pending before TRUNCATE
        cursor.execute("TRUNCATE agreements_agreement CASCADE")
        cursor.execute(f"SELECT count(*) FROM {SEARCH_DOCUMENTS}")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_the_search_finds_what_was_just_written_through_the_documents(monkeypatch):
    monkeypatch.setattr("agreements.querysets.SEARCH_WALK_SHARE", 2)
    monkeypatch.setattr("agreements.querysets.SEARCH_PAIRS_JOIN_LIMIT", -1)
    agreement = _agreement()
    assert "dinvan_search_candidates" in str(Agreement.objects.search("giảm nghèo").query)
    assert list(Agreement.objects.search("giảm nghèo")) == []
    ContentItemFactory(agreement=agreement, number=2, title="Giảm nghèo bền vững")
    assert list(Agreement.objects.search("giảm nghèo")) == [agreement]
    assert list(Agreement.objects.search("giam ngheo ben")) == [agreement]
    # The pairs of two texts side by side make a candidate; the exact test refuses it.
    assert list(Agreement.objects.search("dan van giam")) == []
    ContentItem.objects.filter(agreement=agreement, number=2).delete()
    assert list(Agreement.objects.search("giảm nghèo")) == []


@pytest.mark.django_db
def test_generated_data_has_every_document_and_the_triggers_back_on():
    # COPY pauses the triggers (the indexes that find an agreement's items are
    # rebuilt at the end) and computes every document once.
    kept = _agreement()
    call_command("generate_data", "--scale", "tiny", "--method", "copy", stdout=io.StringIO())
    assert Agreement.objects.count() > 10
    assert _stale() == []
    # Replacing deletes the generated agreements' documents (the triggers paused
    # again), and keeps the others'.
    call_command(
        "generate_data", "--scale", "tiny", "--seed", "2", "--replace", stdout=io.StringIO()
    )
    assert _stale() == []
    assert _pairs(kept) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT t.tgenabled FROM pg_trigger t "
            "WHERE t.tgname LIKE '%%search_document%%' AND NOT t.tgisinternal"
        )
        assert [row[0] for row in cursor.fetchall()] == ["O"]
        # Its index was dropped for the load and is back.
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [SEARCH_DOCUMENTS])
        assert any("gin (pairs)" in row[0] for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_generated_documents_have_planner_statistics():
    # The search chooses its way from the documents' statistics (`_pair_rows`);
    # generated outside a transaction, the documents are analysed with the rest,
    # after they are computed (they were analysed empty, and every phrase then took
    # one way whatever its frequency).
    call_command("generate_data", "--scale", "tiny", "--method", "copy", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = %s AND attname = 'pairs'",
            [SEARCH_DOCUMENTS],
        )
        assert cursor.fetchone()[0] == 1
    assert Agreement.objects.all()._pair_rows("dan van") is not None


def _add_item(agreement, number, key):
    # bulk_create: no signal or save() of ours runs, only the INSERT and its triggers.
    ContentItem.objects.bulk_create(
        [ContentItem(agreement_id=agreement.pk, number=number, title=key, search_key=key)]
    )


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_items_to_one_agreement_keep_both_in_its_document():
    # The first adds an item and holds its transaction open; the second adds another
    # meanwhile. Each computes the document from what it sees: without the lock on
    # the agreement, the second (blind to the first's item) would overwrite the
    # first's document once it commits. With it, the second waits and reads both.
    agreement = _agreement()
    first_wrote = threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                _add_item(agreement, 2, "ton giao")
                first_wrote.set()
                time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    def second():
        try:
            first_wrote.wait(timeout=10)
            _add_item(agreement, 3, "cuu chien binh")
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert {"ton_giao", "cuu_chien"} <= _pairs(agreement)
    assert _stale() == []
