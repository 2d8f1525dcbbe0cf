"""The generator: builds one province after another and hands rows to a sink."""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..demo import GROUP_ADMIN_REFORM, _Loader
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
)
from ..text import figure
from .vocabulary import (
    ACTIVITIES,
    AS_OF,
    ASSESSMENT_COMMENTS,
    ATTENDED_BY,
    BEFORE_BODIES_MERGED,
    BEFORE_PROVINCES_MERGED,
    BODIES_MERGED,
    CAUSES,
    CODE_PREFIX,
    COMMUNE_BODIES,
    COMMUNE_KINDS,
    COMMUNE_PAIRS,
    DIRECTIONS,
    DISTRICT_AGREEMENT_NOTE,
    DISTRICT_BODIES,
    DISTRICT_ENDED_NOTE,
    DISTRICT_KINDS,
    DISTRICT_PAIRS,
    ENDED_2025,
    ENDED_2025_NOTE,
    EXPECTED_RESULTS,
    FAMILY_NAMES,
    FIGURES,
    FIRST_DAY,
    GIVEN_NAMES,
    INFORMATION_EXCHANGE,
    ITEM_DESCRIPTIONS,
    ITEM_TITLES,
    KIND_CODES,
    KIND_TITLES,
    LEGAL_BASES,
    LESSONS,
    LEVEL_DIVISORS,
    LEVEL_SHARES,
    LIMITATIONS,
    MARK,
    MERGED_2025,
    MERGED_2025_NOTE,
    MERGER_BASIS,
    MIDDLE_NAMES,
    PAPER_TOPICS,
    PARTY_KINDS,
    PLACE_FIRST,
    PLACE_SECOND,
    PROVINCE_BODIES,
    PROVINCE_MERGER_NOTE,
    PROVINCE_PAIRS,
    PROVINCES,
    PROVINCES_MERGED,
    PURPOSES,
    RECOMMENDATIONS,
    RESULTS,
    SCALES,
    SIGNERS,
    SINGLE_PROVINCE,
    TOPICS,
    Body,
    D,
    fold_cached,
)
from .writers import Table


@dataclass(eq=False)
class Rec:
    """An agency being generated: what its agreements need to know about it."""

    id: int
    body: Body
    name: str
    short: str
    active_from: datetime.date | None
    active_until: datetime.date | None
    next: "Rec | None" = None
    area_id: int | None = None


@dataclass(eq=False)
class Unit:
    """A province (old or current), a district or a commune, with its agencies."""

    area_id: int
    code: str
    name: str
    place: str
    level: str
    words: dict
    province_place: str = ""
    successor: "Unit | None" = None
    agencies: dict = field(default_factory=dict)
    districts: list = field(default_factory=list)
    communes: list = field(default_factory=list)

    def resolve(self, key, day):
        """The agency of kind `key` acting for this unit on `day`, following the 2025
        mergers and replacements; None if there is none (yet, or any more)."""
        rec = self.agencies.get(key)
        while rec is not None:
            if rec.active_until is not None and day > rec.active_until:
                rec = rec.next
                continue
            if rec.active_from is not None and day < rec.active_from:
                return None
            return rec
        return None


@dataclass
class Result:
    """What a run wrote: per table (label, rows, seconds spent writing)."""

    scale: str
    seed: int
    method: str
    seconds: float = 0.0
    vacuum_seconds: float = 0.0
    tables: list = field(default_factory=list)

    @property
    def rows(self):
        return sum(rows for _label, rows, _seconds in self.tables)


def _day(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


ITEM_COUNTS = ((5, 1), (6, 1), (7, 1), (8, 2), (9, 3), (10, 5), (11, 6), (12, 6))
FREQUENCIES = (("quarterly", 3), ("six_monthly", 4), ("yearly", 2), ("", 1))
PROGRESS = {
    # review kind: weights of not_started, in_progress, done, behind
    "annual": (1, 6, 3, 1),
    "midterm": (1, 5, 4, 1),
    "final": (0, 1, 8, 1),
}


class Generator:
    """Generates one scale into the default database (see the module docstring)."""

    def __init__(self, *, scale, seed, batch_size, sink, stdout):
        self.scale = SCALES[scale]
        self.seed = seed
        self.batch_size = batch_size
        self.sink = sink
        self.stdout = stdout
        self.now = timezone.now()
        self.tz = timezone.get_default_timezone()
        self.next_ids = {}
        t = self._table
        # fmt: off
        self.areas = t(Area, ["id", "name", "code", "level", "parent_id", "valid_from",
                              "valid_until", "search_key"])
        self.successions = Table(Area.successors.through, ["from_area_id", "to_area_id"],
                                 now=self.now)
        self.agencies = t(Agency, ["id", "name", "short_name", "kind", "level", "area_id",
                                   "parent_id", "active_from", "active_until", "search_key"])
        self.changes = t(AgencyChange, ["id", "predecessor_id", "successor_id", "kind",
                                        "changed_on", "basis", "note"])
        self.agreements = t(Agreement, [
            "id", "kind", "number", "title", "signed_on", "place", "lead_agency_id",
            "start_year", "end_year", "effective_from", "effective_until", "lifecycle",
            "supersedes_id", "purpose", "meeting_frequency", "information_exchange",
            "annual_review_required", "midterm_review_year", "final_review_year",
            "declared_item_count", "notes", "source", "search_key"])
        self.parties = t(AgreementParty, ["id", "agreement_id", "agency_id", "role",
                                          "name_as_signed", "order", "search_key",
                                          "agency_area_id"])
        self.signatories = t(Signatory, ["id", "party_id", "prefix", "on_behalf_of", "name",
                                         "position"])
        self.bases = t(LegalBasis, ["id", "agreement_id", "number", "issued_on", "issuer",
                                    "title", "order"])
        self.items = t(ContentItem, ["id", "agreement_id", "number", "title", "description",
                                     "lead_agency_id", "expected_result", "search_key"])
        self.plans = t(AnnualPlan, ["id", "agreement_id", "year", "number", "issued_on",
                                    "summary"])
        self.activities = t(PlanActivity, ["id", "plan_id", "content_item_id", "activity",
                                           "responsible_agency_id", "deadline", "done_on"])
        self.reviews = t(Review, [
            "id", "agreement_id", "kind", "title", "period_from", "period_to", "held_on",
            "place", "chaired_by", "attended_by", "results", "limitations", "causes",
            "lessons", "directions", "recommendations", "status", "submitted_at",
            "approved_at", "source"])
        self.papers = t(ContributedPaper, ["id", "review_id", "title", "presenter", "position",
                                           "order"])
        self.assessments = t(ItemAssessment, ["id", "review_id", "content_item_id", "progress",
                                              "comment"])
        self.values = t(IndicatorValue, ["id", "indicator_id", "agreement_id", "review_id",
                                         "year", "area_id", "agency_id", "value",
                                         "denominator", "note"])
        # fmt: on
        self.tables = [
            self.areas,
            self.successions,
            self.agencies,
            self.changes,
            self.agreements,
            self.parties,
            self.signatories,
            self.bases,
            self.items,
            self.plans,
            self.activities,
            self.reviews,
            self.papers,
            self.assessments,
            self.values,
        ]

    # -- plumbing --

    def _table(self, model, columns):
        table = Table(model, columns, now=self.now)
        largest = model._base_manager.aggregate(largest=Max("id"))["largest"] or 0
        self.next_ids[table.label] = largest + 1
        return table

    def new_id(self, table):
        value = self.next_ids[table.label]
        self.next_ids[table.label] = value + 1
        return value

    def add(self, table, *row):
        table.add(*row)
        if len(table.rows) >= self.batch_size:
            self.flush(table)

    def flush(self, table):
        if not table.rows:
            return
        # Parents first (the tables are listed in dependency order), so a batch
        # never arrives before the rows it refers to.
        for parent in self.tables[: self.tables.index(table)]:
            if parent.rows:
                self.flush(parent)
        self.sink.write(table)
        table.count += len(table.rows)
        table.rows = []

    def flush_all(self):
        for table in self.tables:
            self.flush(table)

    def written(self):
        return sum(table.count for table in self.tables)

    # -- the run --

    def run(self):
        started = time.perf_counter()
        loader = _Loader()
        loader.load_indicators()
        catalogue = loader.indicators
        self.indicators = [catalogue[code] for code in sorted(catalogue)]
        self.indicators_by_code = catalogue
        provinces = list(enumerate(PROVINCES, start=1))
        if self.scale.provinces < len(PROVINCES):
            first = next(i for i, p in provinces if p[0] == SINGLE_PROVINCE)
            provinces = (provinces[first - 1 :] + provinces[: first - 1])[: self.scale.provinces]
        self.sink.begin(self.tables)
        try:
            for position, (index, spec) in enumerate(provinces, start=1):
                self.one_province(position, len(provinces), index, spec, started)
            self.flush_all()
            self.sink.end(self.tables, self.stdout)
        except BaseException:
            self.sink.abort()
            raise
        return time.perf_counter() - started

    def one_province(self, position, total, index, spec, started):
        code = f"{CODE_PREFIX}T{index:02d}"
        rng = random.Random(f"{self.seed}/{code}")
        province_started = time.perf_counter()
        before = self.written()
        if self.sink.per_province:
            with transaction.atomic():
                self.province(rng, spec, code)
                self.flush_all()
        else:
            self.province(rng, spec, code)
            self.flush_all()
        rows = self.written() - before
        seconds = time.perf_counter() - province_started
        self.stdout.write(
            f"[{position}/{total}] {spec[0]}: {figure(rows)} dòng, {figure(seconds, 1)} s "
            f"({figure(rows / max(seconds, 1e-9))} dòng/s); đã có {figure(self.written())} "
            f"dòng, {figure(self.agreements.count)} văn bản sau "
            f"{figure(time.perf_counter() - started)} s\n"
        )
        if hasattr(self.stdout, "flush"):
            self.stdout.flush()

    # -- areas and agencies --

    def province(self, rng, spec, code):
        name, is_city, olds = spec
        merged = len(olds) > 1
        self.numbers = {}
        self.heads = {}
        current = self.province_area(
            name, is_city, code, valid_from=PROVINCES_MERGED if merged else None
        )
        current.successor = current
        units = [current]
        if merged:
            units = []
            for j, (old_name, old_city) in enumerate(olds, start=1):
                suffix = " (trước 01/7/2025)" if old_name == name else ""
                old = self.province_area(
                    old_name,
                    old_city,
                    f"{code}C{j}",
                    valid_until=BEFORE_PROVINCES_MERGED,
                    suffix=suffix,
                )
                old.successor = current
                self.add(self.successions, old.area_id, current.area_id)
                units.append(old)
        for unit in units:
            self.districts(rng, unit)
        self.communes(rng, current)
        # The current province's agencies first, so merged bodies have a successor.
        self.unit_agencies(current, PROVINCE_BODIES, "province", formed=merged)
        for unit in units:
            if unit is not current:
                self.unit_agencies(unit, PROVINCE_BODIES, "province", merged_into=current)
            for district in unit.districts:
                self.unit_agencies(district, DISTRICT_BODIES, "district")
        for commune in current.communes:
            self.unit_agencies(commune, COMMUNE_BODIES, "commune")
        self.agreements_of(rng, current, units)

    def area(self, name, code, level, parent, valid_from, valid_until):
        area_id = self.new_id(self.areas)
        self.add(
            self.areas,
            area_id,
            name,
            code,
            level,
            parent,
            valid_from,
            valid_until,
            fold_cached(name, code),
        )
        return area_id

    def province_area(self, name, is_city, code, *, valid_from=None, valid_until=None, suffix=""):
        label = f"{'Thành phố' if is_city else 'Tỉnh'} {name}{suffix}"
        words = {
            "cu": "Thành ủy" if is_city else "Tỉnh ủy",
            "u": "thành phố" if is_city else "tỉnh",
            "U": "Thành " if is_city else "Tỉnh ",
            "p": name,
        }
        area_id = self.area(label, code, "province", None, valid_from, valid_until)
        return Unit(area_id, code, label, name, "province", words, province_place=name)

    def place_names(self, rng, count, taken):
        names = []
        while len(names) < count:
            first, second = rng.choice(PLACE_FIRST), rng.choice(PLACE_SECOND)
            candidate = f"{first} {second}"
            if first != second and candidate not in taken:
                taken.add(candidate)
                names.append(candidate)
        return names

    def districts(self, rng, unit):
        count = max(1, round(self.scale.districts * rng.uniform(0.6, 1.4)))
        for number, place in enumerate(self.place_names(rng, count, set()), start=1):
            prefix, level_word, committee, youth = _weighted(rng, DISTRICT_KINDS)
            label = f"{prefix} {place}"
            code = f"{unit.code}H{number:02d}"
            area_id = self.area(
                label, code, "district", unit.area_id, None, BEFORE_PROVINCES_MERGED
            )
            words = {"dl": level_word, "du": committee, "dd": youth, "d": place}
            unit.districts.append(Unit(area_id, code, label, place, "district", words, unit.place))

    def communes(self, rng, unit):
        count = max(2, round(self.scale.communes * rng.uniform(0.7, 1.3)))
        for number, place in enumerate(self.place_names(rng, count, set()), start=1):
            prefix, level_word = _weighted(rng, COMMUNE_KINDS)
            label = f"{prefix} {place}"
            code = f"{unit.code}X{number:03d}"
            area_id = self.area(label, code, "commune", unit.area_id, PROVINCES_MERGED, None)
            words = {"cl": level_word, "c": place}
            unit.communes.append(Unit(area_id, code, label, place, "commune", words, unit.place))

    def unit_agencies(self, unit, bodies, level, *, formed=False, merged_into=None):
        """The agencies of `unit` and their lineage. `formed`: a province formed on
        01/7/2025; `merged_into`: the province this old one was merged into."""
        for body in bodies:
            if formed and body.period == "pre":
                continue  # Gone before the new province was formed.
            active_from = active_until = None
            if body.period == "pre":
                active_until = BEFORE_BODIES_MERGED
            elif body.period == "post":
                active_from = BODIES_MERGED
            if formed or level == "commune":
                active_from = PROVINCES_MERGED
            if (merged_into is not None or level == "district") and active_until is None:
                active_until = BEFORE_PROVINCES_MERGED
            name = body.name.format(**unit.words)
            short = body.short.format(**unit.words)
            parent = unit.agencies.get(body.parent) if body.parent else None
            rec = Rec(
                self.new_id(self.agencies),
                body,
                name,
                short,
                active_from,
                active_until,
                area_id=unit.area_id,
            )
            unit.agencies[body.key] = rec
            self.add(
                self.agencies,
                rec.id,
                name,
                short,
                body.kind,
                level,
                unit.area_id,
                parent.id if parent else None,
                active_from,
                active_until,
                fold_cached(name, short),
            )
        for body in bodies:
            rec = unit.agencies.get(body.key)
            if rec is None:
                continue
            if body.period == "pre" and body.key in MERGED_2025:
                rec.next = unit.agencies[MERGED_2025[body.key]]
                self.change(rec, rec.next, "merged", BODIES_MERGED, MERGED_2025_NOTE)
            elif body.period == "pre" and body.key in ENDED_2025:
                # Not a successor, but who signs such agreements from then on.
                rec.next = unit.agencies[ENDED_2025[body.key]]
                self.change(rec, None, "ended", BODIES_MERGED, ENDED_2025_NOTE)
            elif merged_into is not None:
                rec.next = merged_into.agencies[body.key]
                self.change(rec, rec.next, "merged", PROVINCES_MERGED, PROVINCE_MERGER_NOTE)
            elif level == "district":
                self.change(rec, None, "ended", PROVINCES_MERGED, DISTRICT_ENDED_NOTE)

    def change(self, predecessor, successor, kind, day, note):
        self.add(
            self.changes,
            self.new_id(self.changes),
            predecessor.id,
            successor.id if successor else None,
            kind,
            day,
            MERGER_BASIS,
            note,
        )

    # -- agreements --

    def agreements_of(self, rng, current, units):
        """About `scale.agreements` agreements for the province, by level."""
        target = self.scale.agreements
        first = units[0]
        self.showcase(rng, first)
        province_contexts = [
            (unit, FIRST_DAY, AS_OF if unit is first else BEFORE_PROVINCES_MERGED) for unit in units
        ]
        district_contexts = [
            (district, FIRST_DAY, BEFORE_PROVINCES_MERGED)
            for unit in units
            for district in unit.districts
        ]
        commune_contexts = [(commune, PROVINCES_MERGED, AS_OF) for commune in current.communes]
        for (level, share), contexts, pairs in zip(
            LEVEL_SHARES,
            (province_contexts, district_contexts, commune_contexts),
            (PROVINCE_PAIRS, DISTRICT_PAIRS, COMMUNE_PAIRS),
            strict=True,
        ):
            quota = round(target * share)
            made = 0
            candidates = [(context, pair) for pair in pairs for context in contexts]
            while made < quota and candidates:
                rng.shuffle(candidates)
                for (unit, first_day, last_day), (lead, partner) in candidates:
                    if made >= quota:
                        break
                    made += self.dossier(
                        rng, unit, level, lead, partner, first_day, last_day, current
                    )

    def dossier(self, rng, unit, level, lead_key, partner_key, first_day, last_day, current):
        """A relationship between two bodies on one topic over the years: maybe a
        regulation, the 2016–2021 and 2021–2026 programs, and yearly plans."""
        topic = rng.choice(TOPICS)
        common = {"unit": unit, "level": level, "topic": topic, "current": current}
        keys = (lead_key, partner_key)
        made = 0
        if level == "commune":
            if rng.random() < 0.6:
                signed = _day(rng, first_day, min(last_day, D(2026, 6, 30)))
                made += bool(
                    self.signed(rng, keys, "regulation", signed, signed.year, None, common)
                )
            for year, chance in ((2025, 0.5), (2026, 0.8)):
                if rng.random() < chance:
                    made += self.plan(rng, keys, year, first_day, last_day, common)
            return made
        if rng.random() < 0.3:
            signed = _day(rng, D(2013, 1, 2), D(2020, 12, 20))
            made += bool(self.signed(rng, keys, "regulation", signed, signed.year, None, common))
        first_program = None
        second_signed = _day(rng, D(2021, 9, 15), D(2022, 3, 31))
        has_second = rng.random() < 0.85
        if rng.random() < 0.75:
            signed = _day(rng, D(2016, 2, 15), D(2016, 12, 20))
            first_program = self.signed(
                rng,
                keys,
                "program",
                signed,
                2016,
                2021,
                common,
                final_on=second_signed if has_second else None,
            )
            made += bool(first_program)
        if has_second:
            made += bool(
                self.signed(
                    rng,
                    keys,
                    "program",
                    second_signed,
                    2021,
                    2026,
                    common,
                    supersedes=first_program,
                )
            )
        for year in range(2016, 2027):
            if rng.random() < 0.3:
                made += self.plan(rng, keys, year, first_day, last_day, common)
        return made

    def plan(self, rng, keys, year, first_day, last_day, common):
        first = max(first_day, D(year, 1, 5))
        last = min(last_day, AS_OF, D(year, 4, 30) if year != 2025 else D(year, 10, 31))
        if first > last:
            return 0
        signed = _day(rng, first, last)
        draft = year == AS_OF.year and rng.random() < 0.08
        return bool(self.signed(rng, keys, "plan", signed, year, year, common, draft=draft))

    def signed(
        self,
        rng,
        keys,
        kind,
        day,
        start_year,
        end_year,
        common,
        *,
        draft=False,
        supersedes=None,
        final_on=None,
    ):
        unit = common["unit"]
        lead = unit.resolve(keys[0], day)
        partners = [unit.resolve(key, day) for key in keys[1:]]
        partners = [p for p in partners if p is not None and p is not lead]
        if lead is None or not partners:
            return None
        if rng.random() < 0.15 and common["level"] != "commune":
            pairs = PROVINCE_PAIRS if common["level"] == "province" else DISTRICT_PAIRS
            extra = unit.resolve(rng.choice(pairs)[1], day)
            if extra is not None and extra is not lead and extra not in partners:
                partners.append(extra)
        return self.agreement(
            rng,
            kind=kind,
            lead=lead,
            partners=partners,
            signed_on=day,
            start_year=start_year,
            end_year=end_year,
            draft=draft,
            supersedes=supersedes,
            final_on=final_on,
            **common,
        )

    def showcase(self, rng, unit):
        """One regulation per province with 30 content items and 10 annual reviews,
        the large agreement the benchmark opens."""
        day = D(2016, 3, 15)
        lead, partner = unit.resolve("bdv", day), unit.resolve("ubnd", day)
        self.agreement(
            rng,
            kind="regulation",
            lead=lead,
            partners=[partner],
            signed_on=day,
            start_year=2016,
            end_year=None,
            unit=unit,
            level="province",
            topic=TOPICS[0],
            current=unit.successor,
            item_count=30,
            showcase=True,
        )

    def number(self, rng, lead, partners, kind, year):
        key = (lead.id, year)
        n = self.numbers.get(key, rng.randint(0, 30)) + rng.randint(1, 12)
        self.numbers[key] = n
        code = KIND_CODES[kind]
        joint = rng.random() < 0.4
        if lead.body.kind in PARTY_KINDS:
            suffix = "B" if rng.random() < 0.03 else ""
            text = f"{n}{suffix}-{code}/{lead.body.abbr}"
            return f"{text}-{partners[0].body.abbr}" if joint else text
        if joint:
            return f"{n:02d}/{code}/{lead.body.abbr}-{partners[0].body.abbr}"
        return f"{n}/{code}-{lead.body.abbr}"

    def head(self, rng, rec, day, deputy):
        """The same person signs for an agency through a term (5 years)."""
        key = (rec.id, (day.year - 1) // 5, deputy)
        name = self.heads.get(key)
        if name is None:
            sex = "f" if rng.random() < 0.3 else "m"
            name = (
                f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES[sex])} "
                f"{rng.choice(GIVEN_NAMES[sex])}"
            )
            self.heads[key] = name
        return name

    def agreement(
        self,
        rng,
        *,
        kind,
        lead,
        partners,
        signed_on,
        start_year,
        end_year,
        unit,
        level,
        topic,
        current,
        draft=False,
        supersedes=None,
        final_on=None,
        item_count=None,
        showcase=False,
    ):
        agreement_id = self.new_id(self.agreements)
        number = "" if draft else self.number(rng, lead, partners, kind, signed_on.year)
        names = ", ".join(p.name for p in partners)
        title = f"{KIND_TITLES[kind]} {topic} giữa {lead.name} và {names}"
        if kind == "program":
            title += f", giai đoạn {start_year} – {end_year}"
        elif kind == "plan":
            title += f" năm {start_year}"
        if showcase:
            title += " (30 nội dung)"
        lifecycle, effective_until, notes = "signed", None, ""
        if draft:
            lifecycle = "draft"
        elif level == "district" and (end_year is None or end_year > 2025):
            lifecycle, effective_until, notes = (
                "ended",
                BEFORE_PROVINCES_MERGED,
                (DISTRICT_AGREEMENT_NOTE),
            )
        elif kind == "regulation" and not showcase and rng.random() < 0.03:
            lifecycle = "ended"
        signed = None if draft else signed_on
        effective_from = signed if signed and rng.random() < 0.85 else None
        if effective_until and effective_from and effective_until < effective_from:
            effective_until = effective_from
        program = kind == "program"
        multi_year = kind != "plan"
        count = item_count or _weighted(rng, ITEM_COUNTS)
        declared = count + rng.randint(1, 3) if rng.random() < 0.1 else count
        place = unit.province_place
        self.add(
            self.agreements,
            agreement_id,
            kind,
            number,
            title,
            signed,
            place,
            lead.id,
            start_year,
            end_year,
            effective_from,
            effective_until,
            lifecycle,
            supersedes,
            rng.choice(PURPOSES) if multi_year and rng.random() < 0.6 else "",
            _weighted(rng, FREQUENCIES) if multi_year else "",
            rng.choice(INFORMATION_EXCHANGE) if multi_year and rng.random() < 0.5 else "",
            showcase or rng.random() < 0.92,
            start_year + 2 if program else None,
            end_year if program else None,
            declared,
            notes,
            MARK,
            fold_cached(number, title, place),
        )
        parties = [lead, *partners]
        for order, rec in enumerate(parties):
            party_id = self.new_id(self.parties)
            self.add(
                self.parties,
                party_id,
                agreement_id,
                rec.id,
                "lead" if order == 0 else "partner",
                rec.name,
                order,
                fold_cached(rec.name),
                rec.area_id,
            )
            if draft:
                continue
            deputy = rng.random() < 0.25
            prefix, on_behalf_of, position = SIGNERS[rec.body.signer][deputy]
            self.add(
                self.signatories,
                self.new_id(self.signatories),
                party_id,
                prefix,
                on_behalf_of,
                self.head(rng, rec, signed_on, deputy),
                position,
            )
        if multi_year:
            bases = [
                b for b in LEGAL_BASES if b[4] <= signed_on and (not b[5] or signed_on <= b[5])
            ]
            for order, basis in enumerate(rng.sample(bases, rng.randint(1, min(3, len(bases))))):
                self.add(
                    self.bases,
                    self.new_id(self.bases),
                    agreement_id,
                    basis[0],
                    basis[1],
                    basis[2],
                    basis[3],
                    order,
                )
        titles = (
            (ITEM_TITLES * 2)[:count]
            if count > len(ITEM_TITLES)
            else rng.sample(ITEM_TITLES, count)
        )
        item_ids = []
        for number_in_list, item_title in enumerate(titles, start=1):
            item_id = self.new_id(self.items)
            item_ids.append(item_id)
            description = rng.choice(ITEM_DESCRIPTIONS) if rng.random() < 0.7 else ""
            self.add(
                self.items,
                item_id,
                agreement_id,
                number_in_list,
                item_title,
                description,
                rng.choice(parties).id if rng.random() < 0.5 else None,
                rng.choice(EXPECTED_RESULTS) if rng.random() < 0.4 else "",
                fold_cached(item_title, description),
            )
        if draft:
            return agreement_id
        until = min(AS_OF, BEFORE_PROVINCES_MERGED if level == "district" else AS_OF)
        if program:
            self.annual_plans(
                rng, agreement_id, lead, parties, item_ids, start_year, end_year, until
            )
        context = {
            "agreement_id": agreement_id,
            "kind": kind,
            "unit": unit,
            "current": current,
            "level": level,
            "parties": parties,
            "item_ids": item_ids,
            "place": place,
            "kind_title": KIND_TITLES[kind].lower(),
            "start_year": start_year,
            "end_year": end_year,
        }
        for review in self.review_schedule(
            rng, kind, start_year, end_year, signed_on, until, final_on, showcase
        ):
            self.review(rng, context, *review, showcase=showcase)
        return agreement_id

    def annual_plans(self, rng, agreement_id, lead, parties, item_ids, start, end, until):
        for year in range(start + 1, min(end, until.year) + 1):
            if rng.random() >= 0.5:
                continue
            issued = _day(rng, D(year, 1, 10), D(year, 3, 31))
            if issued > until:
                continue
            plan_id = self.new_id(self.plans)
            number = self.number(rng, lead, parties[1:], "plan", year)
            self.add(
                self.plans,
                plan_id,
                agreement_id,
                year,
                number,
                issued,
                f"Kế hoạch thực hiện chương trình phối hợp năm {year}.",
            )
            for _ in range(rng.randint(2, 4)):
                deadline = _day(rng, D(year, 3, 1), D(year, 12, 15))
                done_on = None
                if deadline <= AS_OF and rng.random() < 0.85:
                    done_on = max(issued, deadline - datetime.timedelta(days=rng.randint(0, 20)))
                elif deadline > AS_OF and rng.random() < 0.2:
                    done_on = _day(rng, issued, AS_OF)
                self.add(
                    self.activities,
                    self.new_id(self.activities),
                    plan_id,
                    rng.choice(item_ids),
                    rng.choice(ACTIVITIES),
                    rng.choice(parties).id,
                    deadline,
                    done_on,
                )

    def review_schedule(self, rng, kind, start, end, signed_on, until, final_on, showcase):
        """(kind, held on, year) of the meetings and reviews held, in date order."""
        held = []
        if showcase:
            held = [("annual", _day(rng, D(y, 12, 1), D(y, 12, 28)), y) for y in range(2016, 2026)]
        elif kind == "plan":
            if rng.random() < 0.75:
                held.append(("annual", _day(rng, D(start, 12, 5), D(start + 1, 1, 20)), start))
        else:
            last = end if end else until.year
            for year in range(start, last + 1):
                for first, last_day in (
                    (D(year, 6, 15), D(year, 7, 15)),
                    (D(year, 3, 20), D(year, 4, 10)),
                ):
                    if rng.random() < 0.4:
                        held.append(("liaison", _day(rng, first, last_day), year))
                if kind == "program" and year == start + 2:
                    if rng.random() < 0.85:
                        held.append(("midterm", _day(rng, D(year, 6, 1), D(year, 12, 20)), year))
                elif kind == "program" and year == end:
                    if final_on is not None:
                        held.append(("final", final_on, year))
                    elif rng.random() < 0.9:
                        held.append(("final", _day(rng, D(year, 10, 1), D(year, 12, 28)), year))
                elif rng.random() < 0.7:
                    held.append(("annual", _day(rng, D(year, 12, 5), D(year + 1, 1, 20)), year))
        held = [h for h in held if signed_on <= h[1] <= until]
        held.sort(key=lambda h: (h[1], h[0]))
        return held

    def review(self, rng, context, kind, held_on, year, *, showcase=False):
        review_id = self.new_id(self.reviews)
        kind_title = context["kind_title"]
        start, end = context["start_year"], context["end_year"]
        if kind == "liaison":
            title = f"Hội nghị giao ban thực hiện {kind_title} năm {year}"
            period_from = D(year, 1, 1) if held_on.month > 5 else D(year - 1, 7, 1)
        elif kind == "annual":
            title = f"Hội nghị đánh giá kết quả thực hiện {kind_title} năm {year}"
            period_from = D(year, 1, 1)
        elif kind == "midterm":
            title = f"Hội nghị sơ kết giữa nhiệm kỳ {kind_title} giai đoạn {start} – {end}"
            period_from = D(start, 1, 1)
        else:
            title = f"Hội nghị tổng kết {kind_title} giai đoạn {start} – {end}"
            period_from = D(start, 1, 1)
        period_to = min(held_on, D(year, 12, 31))
        parties = context["parties"]
        chairs = []
        for rec in parties[:2]:
            position = SIGNERS[rec.body.signer][0][2]
            chairs.append(f"{self.head(rng, rec, held_on, False)} ({position} {rec.short})")
        recent = (AS_OF - held_on).days < 45
        if recent and not showcase:
            status = rng.choice(("draft", "submitted", "submitted", "approved"))
        else:
            status = "approved" if showcase or rng.random() < 0.97 else "submitted"
        submitted_at = approved_at = None
        if status != "draft":
            submitted_at = datetime.datetime.combine(
                held_on + datetime.timedelta(days=rng.randint(1, 10)),
                datetime.time(9, 0),
                tzinfo=self.tz,
            )
        if status == "approved":
            approved_at = submitted_at + datetime.timedelta(days=rng.randint(1, 7), hours=5)
        full = kind != "liaison"
        self.add(
            self.reviews,
            review_id,
            context["agreement_id"],
            kind,
            title,
            period_from,
            period_to,
            held_on,
            f"Hội trường {parties[0].short}, {context['place']}",
            "; ".join(chairs),
            rng.choice(ATTENDED_BY),
            " ".join(rng.sample(RESULTS, 2)),
            rng.choice(LIMITATIONS) if full else "",
            rng.choice(CAUSES) if full else "",
            rng.choice(LESSONS) if full and rng.random() < 0.6 else "",
            rng.choice(DIRECTIONS) if full else "",
            rng.choice(RECOMMENDATIONS) if full and rng.random() < 0.5 else "",
            status,
            submitted_at,
            approved_at,
            MARK,
        )
        if not full:
            return
        if kind in ("midterm", "final") or showcase or rng.random() < 0.3:
            weights = PROGRESS["annual" if kind == "annual" else kind]
            for item_id in context["item_ids"]:
                progress = rng.choices(
                    ("not_started", "in_progress", "done", "behind"), weights=weights
                )[0]
                self.add(
                    self.assessments,
                    self.new_id(self.assessments),
                    review_id,
                    item_id,
                    progress,
                    rng.choice(ASSESSMENT_COMMENTS) if rng.random() < 0.4 else "",
                )
        if kind in ("midterm", "final") and rng.random() < 0.6:
            for order in range(1, rng.randint(1, 4) + 1):
                rec = rng.choice(parties)
                self.add(
                    self.papers,
                    self.new_id(self.papers),
                    review_id,
                    rng.choice(PAPER_TOPICS),
                    self.head(rng, rec, held_on, True),
                    f"{SIGNERS[rec.body.signer][1][2]} {rec.short}",
                    order,
                )
        self.figures(rng, context, review_id, year, held_on)

    def figures(self, rng, context, review_id, year, held_on):
        """Indicator values of the year, for the areas the agreement covers then."""
        level = context["level"]
        unit = context["unit"]
        if level == "province":
            parent = unit if held_on < PROVINCES_MERGED else context["current"]
            below = parent.districts if held_on < PROVINCES_MERGED else parent.communes
            below_level = "district" if held_on < PROVINCES_MERGED else "commune"
            sample = rng.sample(below, min(rng.randint(4, 7), len(below)))
            areas = [(parent, "province")] + [(area, below_level) for area in sample]
            count = rng.randint(5, 8)
        else:
            areas = [(unit, level)]
            count = rng.randint(9, 14)
        codes = rng.sample(sorted(FIGURES), count)
        agreement_id = context["agreement_id"]
        for code in codes:
            indicator = self.indicators_by_code.get(code)
            if indicator is None:
                continue
            for area_unit, area_level in areas:
                if code == "chinh-quyen-than-thien":
                    if area_level == "commune":
                        continue
                    whole = (
                        len(area_unit.communes) or len(area_unit.districts) * 12
                        if area_level == "province"
                        else rng.randint(8, 30)
                    )
                    whole = max(whole, 1)
                    value, denominator = rng.randint(whole * 3 // 10, whole), whole
                elif code == "dan-van-kheo-cap-huyen" and area_level == "commune":
                    continue
                elif indicator.kind == "percentage":
                    value, denominator = f"{rng.uniform(*FIGURES[code]):.1f}", None
                else:
                    low, high = FIGURES[code]
                    divisor = LEVEL_DIVISORS[area_level]
                    value, denominator = rng.randint(low // divisor, max(1, high // divisor)), None
                agency_id = None
                area_id = area_unit.area_id
                if indicator.group == GROUP_ADMIN_REFORM and rng.random() < 0.3:
                    agency_id, area_id = context["parties"][-1].id, None
                self.add(
                    self.values,
                    self.new_id(self.values),
                    indicator.id,
                    agreement_id,
                    review_id,
                    year,
                    area_id,
                    agency_id,
                    value,
                    denominator,
                    "",
                )
