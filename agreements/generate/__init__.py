"""Synthetic data at province and national scale, for benchmarks (`generate_data`).

What it builds, per new province (2025: 63 provinces merged into 34):

- areas: the province as it is today, the old provinces merged into it (ended on
  30/06/2025, `successors` pointing at the new one), their districts (abolished on
  the same day) and the new communes (from 01/7/2025); a province that was not
  merged is one row throughout;
- agencies of the province, its districts and its communes, with their 2025
  lineage (`AgencyChange`): the Ban Dân vận and Ban Tuyên giáo merged into the
  Ban Tuyên giáo và Dân vận on 01/3/2025, departments merged the same day, the Ban
  cán sự đảng UBND, Đảng đoàn HĐND and Đảng ủy Khối ended, the old provinces'
  bodies merged into the new province's on 01/7/2025, district bodies ended;
- agreements between them (regulations, 2016–2021 and 2021–2026 programs, the
  second superseding the first, yearly plans), each signed by the agencies that
  existed on the signing day, numbered in the Party (`123-CTr/BDVTU`) or State
  (`45/KH-UBND`) style, unique per lead agency and year; their parties,
  signatories, legal bases, 5–12 content items, annual plans and activities,
  liaison meetings, annual, mid-term and final reviews with item assessments and
  contributed papers, and indicator figures per year and area, using the
  indicator catalogue of the demo data (`agreements.demo`).

Scales: `national` (34 provinces, ~40,000 agencies, ~200,000 agreements),
`province` (one province, 1/34 of it) and `tiny` (for the tests).

The same seed gives the same rows: each province draws from its own
`random.Random(f"{seed}/{code}")`, nothing depends on dict or set order, and ids
are assigned here, counting up from the largest id already in each table.

Rows are buffered per table and written in batches, so memory does not grow with the
scale: with `bulk_create` (one transaction per province) or with PostgreSQL's COPY
(one transaction for the run; see `writers.CopySink`). Neither calls `save()`: the
NFC text and the search keys (`fold`) are computed here, and no history rows are
written for generated data (it was never edited by anyone).

Modules: `vocabulary` (units, bodies, words), `builder` (the generator), `writers`
(batches, COPY, bulk_create); this one holds the entry points.

Generated rows are marked so they can be found and replaced: agreements and
reviews carry `source = "generate_data"`, areas have codes starting with
`GEN-`, and every generated agency lies in a generated area.
"""

import sys
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from ..models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    Area,
    ContentItem,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    LegalBasis,
    PlanActivity,
    Review,
    Signatory,
    UserProfile,
)
from ..querysets import SEARCH_DOCUMENTS
from ..text import figure
from .builder import Generator, Result
from .vocabulary import AS_OF, BENCH_USER_PREFIX, CODE_PREFIX, MARK, SCALES, Scale
from .writers import BulkSink, CopySink, execute_all, pause_user_triggers, resume_user_triggers

__all__ = [
    "AS_OF",
    "BENCH_USER_PREFIX",
    "CODE_PREFIX",
    "MARK",
    "SCALES",
    "Result",
    "Scale",
    "delete_generated",
    "generate",
    "generated_agreements",
    "generated_areas",
    "has_generated_data",
]


def generated_agreements():
    """Agreements written by `generate_data`."""
    return Agreement.objects.filter(source=MARK)


def generated_areas():
    """Areas written by `generate_data` (their agencies are generated too)."""
    return Area.objects.filter(code__startswith=CODE_PREFIX)


def has_generated_data():
    """True when a previous run left rows behind (even a run that was interrupted)."""
    return generated_agreements().exists() or generated_areas().exists()


def _raw_delete(queryset):
    return queryset._raw_delete(queryset.db)


def delete_generated(*, stdout=None):
    """Delete every generated row (and the benchmark accounts), children first.

    Plain DELETE statements: `QuerySet.delete()` would load every row to send
    signals (simple-history listens), which at national scale is millions of objects.
    Rows someone added by hand that point at generated ones stop the deletion with
    the database's foreign-key error, and nothing is deleted.
    """
    stdout = stdout or sys.stdout
    started = time.perf_counter()
    agreements = generated_agreements().values("id")
    areas = generated_areas().values("id")
    agencies = Agency.objects.filter(area__in=areas).values("id")
    reviews = Review.objects.filter(agreement__in=agreements).values("id")
    plans = AnnualPlan.objects.filter(agreement__in=agreements).values("id")
    parties = AgreementParty.objects.filter(agreement__in=agreements).values("id")
    items = ContentItem.objects.filter(agreement__in=agreements).values("id")
    steps = [
        ItemAssessment.objects.filter(review__in=reviews),
        ContributedPaper.objects.filter(review__in=reviews),
        IndicatorValue.objects.filter(agreement__in=agreements),
        PlanActivity.objects.filter(plan__in=plans),
        AnnualPlan.objects.filter(agreement__in=agreements),
        Review.objects.filter(agreement__in=agreements),
        Signatory.objects.filter(party__in=parties),
        AgreementParty.objects.filter(agreement__in=agreements),
        LegalBasis.objects.filter(agreement__in=agreements),
        ContentItem.supporting_agencies.through.objects.filter(contentitem__in=items),
        ContentItem.objects.filter(agreement__in=agreements),
        Agreement.objects.filter(source=MARK),
        AgencyChange.objects.filter(predecessor__in=agencies),
        AgencyChange.objects.filter(successor__in=agencies),
    ]

    bench_users = get_user_model().objects.filter(username__startswith=BENCH_USER_PREFIX)
    counts = {}
    with transaction.atomic():
        # The search documents' triggers would compute the documents of 200,000
        # agreements twice (parties gone, then items) only to delete them.
        # ALTER TABLE refuses a table with foreign-key checks still pending from
        # earlier in the transaction: they are run first (SET CONSTRAINTS).
        paused = []
        if connection.vendor == "postgresql":
            execute_all(["SET CONSTRAINTS ALL IMMEDIATE"])
            paused = pause_user_triggers([Agreement, AgreementParty, ContentItem])
            execute_all(["SET CONSTRAINTS ALL DEFERRED"])
        for queryset in steps:
            label = queryset.model._meta.model_name
            counts[label] = counts.get(label, 0) + _raw_delete(queryset)
        if paused:
            execute_all(
                [
                    "SET CONSTRAINTS ALL IMMEDIATE",
                    *resume_user_triggers(paused),
                    "SELECT dinvan_search_documents_refresh(ARRAY("
                    "SELECT agreement_id FROM agreements_search_document d WHERE NOT EXISTS "
                    "(SELECT 1 FROM agreements_agreement a WHERE a.id = d.agreement_id)))",
                    "SET CONSTRAINTS ALL DEFERRED",
                ]
            )
        UserProfile.objects.filter(user__in=bench_users).delete()
        bench_users.delete()
        counts["agency"] = _raw_delete(Agency.objects.filter(area__in=areas))
        through = Area.successors.through
        counts["area_successors"] = _raw_delete(
            through.objects.filter(from_area__in=areas) | through.objects.filter(to_area__in=areas)
        )
        counts["area"] = _raw_delete(generated_areas())
    seconds = time.perf_counter() - started
    total = sum(counts.values())
    stdout.write(
        f"Đã xóa {figure(total)} dòng dữ liệu sinh tự động trong {figure(seconds, 1)} s.\n"
    )
    return counts


def generate(
    *,
    scale="province",
    seed=1,
    batch_size=5000,
    method="auto",
    replace=False,
    keep_indexes=False,
    stdout=None,
) -> Result:
    """Generate `scale` with `seed` into the default database; see the module docstring.

    `method`: "copy" (PostgreSQL), "bulk" (`bulk_create`), or "auto" (copy on
    PostgreSQL). `keep_indexes`: with COPY, keep indexes and foreign keys during the
    load instead of rebuilding them at the end. Refuses (ValueError) when generated
    data is already there, unless `replace`.
    """
    stdout = stdout or sys.stdout
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.")
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "bulk"
    if method == "copy" and connection.vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL; use --method bulk.")
    if has_generated_data():
        if not replace:
            raise ValueError(
                "Cơ sở dữ liệu đã có dữ liệu sinh tự động. Dùng --replace để xóa và sinh lại."
            )
        delete_generated(stdout=stdout)
    # Inside a transaction (the tests) a second connection would not see its data.
    outside = not connection.in_atomic_block
    if method == "copy":
        sink = CopySink(rebuild=not keep_indexes, threaded=outside)
    else:
        sink = BulkSink(batch_size)
    generator = Generator(scale=scale, seed=seed, batch_size=batch_size, sink=sink, stdout=stdout)
    result = Result(scale=scale, seed=seed, method=method)
    result.seconds = generator.run()
    result.tables = [(t.label, t.count, t.seconds) for t in generator.tables]
    stdout.write(
        f"Xong: {figure(result.rows)} dòng trong {figure(result.seconds, 1)} s ({method}).\n"
    )
    for label, rows, seconds in result.tables:
        rate = f"{figure(rows / seconds)} dòng/s" if seconds else "-"
        stdout.write(f"  {label:<16} {figure(rows):>12}  ghi {figure(seconds, 1):>7} s  {rate}\n")
    if connection.vendor == "postgresql" and outside:
        # Fresh statistics and visibility maps now, rather than autovacuum doing it
        # in the middle of the first benchmark.
        started = time.perf_counter()
        tables = [table.model._meta.db_table for table in generator.tables]
        # The search documents too, now that they are computed: the search chooses
        # its way by their statistics (`AgreementQuerySet._pair_rows`).
        if SEARCH_DOCUMENTS in connection.introspection.table_names():
            tables.append(SEARCH_DOCUMENTS)
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
        result.vacuum_seconds = time.perf_counter() - started
        stdout.write(f"VACUUM ANALYZE: {figure(result.vacuum_seconds, 1)} s\n")
    # COPY and bulk_create bypass the signals that keep the dashboard's summary tables:
    # recompute them all, or every page would fall back to counting 10 million rows.
    from reports.services import summaries_rebuild

    started = time.perf_counter()
    agreements = summaries_rebuild()
    stdout.write(
        f"Bảng tổng hợp báo cáo: {figure(agreements)} văn bản, "
        f"{figure(time.perf_counter() - started, 1)} s\n"
    )
    return result
