"""Did every acknowledged save land exactly once, with its audit record?

Each write of the load test carries a token unique to the run (`#lt03n0012`: user 3,
its 12th write). An edit appends its token to a text field of the object, a create
puts it in the new row's title. After the run the database is read back and three
counts must agree for every kind of write:

- saves: what the clients were told was saved (a redirect after the POST);
- audit records: the django-simple-history rows written during the run, each of which
  must add exactly one of the saved tokens to the text it records;
- rows changed: the tokens found in the rows (and, for edits, the versions claimed).

A token refused as a conflict must appear nowhere; a token present twice is a
duplicated write. Pure Python on plain data: `run.py` gathers the data, the tests
check the rules.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

TOKEN_RE = re.compile(r"#lt\d{2,}n\d{4,}")

SAVED = "saved"
CONFLICT = "conflict"


def token(user, sequence):
    """The token of a user's `sequence`-th write."""
    return f"#lt{user:02d}n{sequence:04d}"


def tokens_in(text):
    return TOKEN_RE.findall(text or "")


@dataclass
class Check:
    """The counts for one kind of write, and what did not add up."""

    label: str
    saves: int = 0
    conflicts: int = 0
    audit_records: int = 0
    rows_changed: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def _by_result(attempts, kind):
    """{object: [tokens saved]} and the tokens refused as conflicts, for `kind`."""
    saved, refused = {}, set()
    for attempt in attempts:
        if attempt["kind"] != kind:
            continue
        if attempt["result"] == SAVED:
            saved.setdefault(attempt["object"], []).append(attempt["token"])
        elif attempt["result"] == CONFLICT:
            refused.add(attempt["token"])
    return saved, refused


def check_edits(label, *, kind, attempts, rows, history, version_deltas):
    """Edits of existing rows.

    `rows`: {object id: text now}; `history`: {object id: [text recorded by each
    history row written during the run, oldest first]}; `version_deltas`: {object id:
    version now - version before the run}, for the objects that have a version.
    """
    check = Check(label)
    saved, refused = _by_result(attempts, kind)
    # A double submit posts the same token twice: counted once if saved once.
    check.saves = sum(len(tokens) for tokens in saved.values())
    check.conflicts = sum(1 for a in attempts if a["kind"] == kind and a["result"] == CONFLICT)
    for object_id in sorted(set(saved) | set(rows) | set(history), key=str):
        expected = Counter(saved.get(object_id, []))
        found = Counter(tokens_in(rows.get(object_id, "")))
        check.rows_changed += sum(found.values())
        check.problems += _token_problems(expected, found, refused, where=f"{object_id}: ")
        records = history.get(object_id, [])
        check.audit_records += len(records)
        before = set()
        for number, text in enumerate(records, start=1):
            now = set(tokens_in(text))
            added = now - before
            if len(added) != 1 or not before <= now:
                check.problems.append(
                    f"{object_id}: audit record {number} adds {sorted(added) or 'nothing'} "
                    f"(one token expected)"
                )
            before = now
        if object_id in version_deltas and version_deltas[object_id] != sum(expected.values()):
            check.problems.append(
                f"{object_id}: version moved by {version_deltas[object_id]}, "
                f"{sum(expected.values())} saves acknowledged"
            )
    _compare_totals(check)
    return check


def check_creates(label, *, kind, attempts, rows, audit_records):
    """New rows. `rows`: {row id: its text}; `audit_records`: the history rows of
    creation ("+") written during the run for them."""
    check = Check(label)
    saved, refused = _by_result(attempts, kind)
    expected = Counter(t for tokens in saved.values() for t in tokens)
    found = Counter(t for text in rows.values() for t in tokens_in(text))
    check.saves = sum(expected.values())
    check.conflicts = sum(1 for a in attempts if a["kind"] == kind and a["result"] == CONFLICT)
    check.rows_changed = sum(found.values())
    check.audit_records = audit_records
    check.problems += _token_problems(expected, found, refused)
    _compare_totals(check)
    return check


def _token_problems(expected, found, refused, where=""):
    """Tokens acknowledged (`expected`) against tokens in the rows (`found`)."""
    problems = []
    for duplicate in sorted(t for t, n in found.items() if n > 1):
        problems.append(f"{where}{duplicate} written {found[duplicate]} times (duplicate)")
    for twice in sorted(t for t, n in expected.items() if n > 1):
        problems.append(f"{where}{twice} acknowledged {expected[twice]} times")
    for lost in sorted(expected.keys() - found.keys()):
        problems.append(f"{where}{lost} acknowledged but not in the rows (lost)")
    for extra in sorted(found.keys() - expected.keys()):
        why = "refused as a conflict" if extra in refused else "never acknowledged"
        problems.append(f"{where}{extra} in the rows but {why}")
    return problems


def _compare_totals(check):
    if not check.saves == check.audit_records == check.rows_changed:
        check.problems.append(
            f"saves {check.saves}, audit records {check.audit_records}, "
            f"rows changed {check.rows_changed}: not equal"
        )


def server_errors(access_log_lines):
    """Responses with a 5xx status in gunicorn's access log (its default format)."""
    status = re.compile(r'" (\d{3}) ')
    errors = []
    for line in access_log_lines:
        match = status.search(line)
        if match and match.group(1).startswith("5"):
            errors.append(line.strip())
    return errors
