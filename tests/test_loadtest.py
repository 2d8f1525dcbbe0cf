"""The pure parts of `make loadtest`: reading forms as a browser posts them, and the
check that saves, audit records and changed rows add up (no locust, no server)."""

from loadtest import verify
from loadtest.htmlforms import find_form, parse_forms

T1, T2, T3 = verify.token(1, 1), verify.token(1, 2), verify.token(2, 1)


def _attempt(token, result, object_id=7, kind="agreement_edit"):
    return {"kind": kind, "object": object_id, "token": token, "result": result}


def _edits(attempts, rows, history, version_deltas=None):
    return verify.check_edits(
        "Agreement edits",
        kind="agreement_edit",
        attempts=attempts,
        rows=rows,
        history=history,
        version_deltas=version_deltas if version_deltas is not None else {},
    )


def test_tokens_are_unique_per_user_and_write_and_found_in_text():
    assert T1 != T2 != T3
    assert verify.tokens_in(f"Ghi chú cũ {T1} {T3}") == [T1, T3]
    assert verify.tokens_in("") == []


def test_it_accepts_saves_equal_to_audit_records_and_rows_changed():
    check = _edits(
        [_attempt(T1, "saved"), _attempt(T2, "conflict"), _attempt(T3, "saved")],
        rows={7: f"Ghi chú {T1} {T3}", 8: "không đổi"},
        history={7: [f"Ghi chú {T1}", f"Ghi chú {T1} {T3}"]},
        version_deltas={7: 2, 8: 0},
    )
    assert check.ok, check.problems
    assert (check.saves, check.conflicts, check.audit_records, check.rows_changed) == (2, 1, 2, 2)


def test_it_reports_an_acknowledged_save_missing_from_the_row_as_lost():
    check = _edits(
        [_attempt(T1, "saved"), _attempt(T2, "saved")],
        rows={7: f"Ghi chú {T2}"},
        history={7: [f"Ghi chú {T1}", f"Ghi chú {T2}"]},
    )
    assert not check.ok
    assert any(f"7: {T1} acknowledged but not in the rows (lost)" in p for p in check.problems)
    # The second audit record dropped T1: a lost update, visible in the history too.
    assert any("audit record 2" in p for p in check.problems)


def test_it_reports_a_token_saved_twice_as_a_duplicated_write():
    check = _edits(
        [_attempt(T1, "saved"), _attempt(T1, "conflict")],
        rows={7: f"Ghi chú {T1} {T1}"},
        history={7: [f"Ghi chú {T1}", f"Ghi chú {T1} {T1}"]},
    )
    assert any(f"7: {T1} written 2 times (duplicate)" in p for p in check.problems)
    assert any("not equal" in p for p in check.problems)


def test_it_reports_a_write_refused_as_a_conflict_that_landed_anyway():
    check = _edits(
        [_attempt(T1, "conflict")],
        rows={7: f"Ghi chú {T1}"},
        history={7: [f"Ghi chú {T1}"]},
    )
    assert any(f"7: {T1} in the rows but refused as a conflict" in p for p in check.problems)


def test_it_reports_a_save_without_its_audit_record():
    check = _edits(
        [_attempt(T1, "saved"), _attempt(T2, "saved")],
        rows={7: f"{T1} {T2}"},
        history={7: [f"{T1} {T2}"]},
    )
    assert any("adds" in p and "one token expected" in p for p in check.problems)
    assert any("saves 2, audit records 1, rows changed 2" in p for p in check.problems)


def test_it_reports_a_version_that_moved_more_than_the_saves():
    check = _edits(
        [_attempt(T1, "saved")],
        rows={7: T1},
        history={7: [T1]},
        version_deltas={7: 2},
    )
    assert check.problems == ["7: version moved by 2, 1 saves acknowledged"]


def _creates(attempts, rows):
    return verify.check_creates(
        "Reviews created",
        kind="review_create",
        attempts=attempts,
        rows=rows,
        audit_records=len(rows),
    )


def test_created_rows_must_match_the_acknowledged_creates_one_to_one():
    attempts = [
        _attempt(T1, "saved", kind="review_create"),
        _attempt(T2, "saved", kind="review_create"),
        _attempt(T3, "failed", kind="review_create"),
    ]
    good = _creates(attempts, {1: f"Giao ban {T1}", 2: f"Giao ban {T2}"})
    assert good.ok, good.problems
    assert (good.saves, good.audit_records, good.rows_changed) == (2, 2, 2)
    duplicated = _creates(attempts, {1: T1, 2: T2, 3: T2})
    assert f"{T2} written 2 times (duplicate)" in duplicated.problems
    unacknowledged = _creates(attempts, {1: T1, 2: T2, 3: T3})
    assert f"{T3} in the rows but never acknowledged" in unacknowledged.problems
    lost = _creates(attempts, {1: T1})
    assert f"{T2} acknowledged but not in the rows (lost)" in lost.problems


def test_server_errors_are_the_5xx_lines_of_the_access_log():
    when = "[01/Dec/2026:04:59:27 +0700]"
    lines = [
        f'127.0.0.1 - - {when} "POST /agreements/2/edit/ HTTP/1.1" 302 0 "-" "python-requests"',
        f'127.0.0.1 - - {when} "POST /agreements/2/edit/ HTTP/1.1" 409 9 "-" "python-requests"',
        f'127.0.0.1 - - {when} "GET /reports/ HTTP/1.1" 500 603 "-" "python-requests"',
        "2026-12-01 04:59:27,705 WARNING django.request Conflict: /agreements/2/edit/",
    ]
    assert verify.server_errors(lines) == [lines[2]]


PAGE = """
<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken"
 value="a"><button type="submit">Đăng xuất</button></form>
<form method="post" class="agreement-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="b">
  <input type="hidden" name="version" id="id_version" value="3">
  <input type="text" name="title" value="Quy chế &amp; chương trình">
  <input type="text" name="place" disabled value="x">
  <textarea name="notes">
Ghi chú</textarea>
  <select name="kind"><option value="">---------</option><option value="program" selected>
  Chương trình</option></select>
  <select name="parties-1-role"><option> lead </option><option value="partner">B</option></select>
  <select name="supporting" multiple><option value="1" selected>A</option>
  <option value="2">B</option><option value="3" selected>C</option></select>
  <input type="checkbox" name="annual_review_required" checked>
  <input type="checkbox" name="parties-0-DELETE">
  <button type="submit" name="add_row" value="parties">Thêm dòng</button>
  <template class="formset-empty"><input name="parties-__prefix__-agency" value=""></template>
  <input type="submit" value="Lưu">
</form>
"""


def test_a_form_is_read_as_a_browser_would_post_it():
    forms = parse_forms(PAGE)
    assert len(forms) == 2
    form = find_form(PAGE, "version")
    assert form.attrs["class"] == "agreement-form"
    assert form.fields == [
        ("csrfmiddlewaretoken", "b"),
        ("version", "3"),
        ("title", "Quy chế & chương trình"),
        # The newline Django writes after <textarea> is not part of the value.
        ("notes", "Ghi chú"),
        ("kind", "program"),
        # Nothing selected: the first option; no value attribute: the option's text.
        ("parties-1-role", "lead"),
        ("supporting", "1"),
        ("supporting", "3"),
        ("annual_review_required", "on"),
    ]


def test_replace_changes_one_field_and_keeps_the_others():
    form = find_form(PAGE, "version")
    fields = form.replace("notes", f"Ghi chú {T1}")
    assert ("notes", f"Ghi chú {T1}") in fields
    assert ("notes", "Ghi chú") not in fields
    assert len(fields) == len(form.fields)
    assert find_form(PAGE, "no-such-field") is None
