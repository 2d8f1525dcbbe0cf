"""Editors of different agencies at work: the users of `make loadtest`.

Started by `loadtest/run.py`, which writes the plan this file reads (LOADTEST_PLAN:
the accounts, their agreements and reviews, where to write the outcome). Each
simulated user signs in through the login form as one of the editors (several users
share an editor, as colleagues of one office do) and then reads (list, search,
filters, detail pages, dashboard, reports) and writes through the real forms: it
GETs a form, keeps every field as rendered, changes one and POSTs it back.

Every write carries a token (see `verify.token`) and its outcome is recorded:
"saved" (the redirect that follows a save), "conflict" (HTTP 409 with the
Vietnamese message and the user's input kept), or a failure. A stale version is how
an edit meets a conflict here: a pause between opening the form and saving it while
colleagues save the same agreement, and a double submit (the same POST twice, as a
double click sends it) whose second POST must be refused.
"""

import datetime
import itertools
import json
import os
import random
import re
import sys
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loadtest import verify  # noqa: E402 - after the path is set
from loadtest.htmlforms import find_form  # noqa: E402

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
SEARCHES = ["dan van", "dân vận khéo", "mat tran to quoc", "phu nu", "nong dan", "cong an"]
# Shown on a refused save (agreements/views): the load test insists on the message.
CONFLICT_MESSAGES = {
    "agreement": "Văn bản vừa được người khác cập nhật.",
    "review": "Hội nghị vừa được người khác cập nhật.",
}
ERROR_LIST = re.compile(r'class="errorlist"[^>]*>(.*?)</ul>', re.S)

_user_numbers = itertools.count(1)
started_users = []
attempts = []  # every write: kind, object, token, result, request
user_errors = []  # exceptions in tasks, and what a user saw wrong outside a request
timings = {}  # request name: [milliseconds]
failures = {}  # request name: count


def _form_errors(html):
    errors = [re.sub(r"<[^>]+>", " ", e).strip() for e in ERROR_LIST.findall(html)]
    return "; ".join(errors)[:300] or "no error shown"


class Editor(HttpUser):
    wait_time = between(*PLAN["wait"])

    def on_start(self):
        self.number = next(_user_numbers)
        started_users.append(self.number)
        self.account = PLAN["editors"][(self.number - 1) % len(PLAN["editors"])]
        self.sequence = itertools.count(1)
        self.own_reviews = []  # drafts this user created: it may edit them
        page = self.client.get("/accounts/login/", name="login form (GET)")
        form = find_form(page.text, "username")
        fields = form.replace("username", self.account["username"])
        fields = [(k, v) for k, v in fields if k != "password"] + [("password", PLAN["password"])]
        with self.client.post(
            "/accounts/login/",
            data=fields,
            name="login (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: HTTP {response.status_code}")
                raise RuntimeError(f"login as {self.account['username']} failed")

    def next_token(self):
        return verify.token(self.number, next(self.sequence))

    # --- Reads ------------------------------------------------------------------------

    @task(5)
    def agreement_list(self):
        self.client.get("/agreements/", name="list")

    @task(3)
    def agreement_search(self):
        self.client.get("/agreements/", params={"q": random.choice(SEARCHES)}, name="list: search")

    @task(2)
    def agreement_filter(self):
        kind = random.choice(["program", "plan", "regulation"])
        self.client.get(f"/agreements/?kind={kind}&status=in_force", name="list: filtered")

    @task(5)
    def agreement_detail(self):
        pk = random.choice(self.account["agreements"])
        self.client.get(f"/agreements/{pk}/", name="agreement detail")

    @task(2)
    def review_detail(self):
        if self.account["reviews"]:
            pk = random.choice(self.account["reviews"])
            self.client.get(f"/reviews/{pk}/", name="review detail")

    @task(2)
    def dashboard(self):
        self.client.get("/", name="dashboard /")

    @task(3)
    def report(self):
        choices = [
            ("/reports/", "report: index"),
            ("/reports/term-summary/", "report: term summary"),
            ("/reports/indicators/", "report: indicators"),
            (f"/reports/agencies/?agency={self.account['agency']}", "report: agency"),
            (
                f"/reports/agreements/{random.choice(self.account['agreements'])}/",
                "report: agreement",
            ),
        ]
        if self.account["reviews"]:
            pk = random.choice(self.account["reviews"])
            choices.append((f"/reports/reviews/{pk}/", "report: review"))
        path, name = random.choice(choices)
        self.client.get(path, name=name)

    # --- Writes -----------------------------------------------------------------------

    @task(4)
    def agreement_edit(self):
        """Open the form, read it for a moment, save: colleagues may save first."""
        pk = random.choice(self.account["agreements"])
        fields = self._edit_fields("agreement", f"/agreements/{pk}/edit/", "notes")
        if fields is None:
            return
        gevent.sleep(random.uniform(*PLAN["think"]))
        self._post_edit("agreement", pk, f"/agreements/{pk}/edit/", fields, "agreement edit")

    @task(1)
    def agreement_double_submit(self):
        """The same POST twice in a row: the second one carries a stale version."""
        pk = random.choice(self.account["agreements"])
        fields = self._edit_fields("agreement", f"/agreements/{pk}/edit/", "notes")
        if fields is None:
            return
        url = f"/agreements/{pk}/edit/"
        first = self._post_edit("agreement", pk, url, fields, "agreement edit, double submit")
        second = self._post_edit("agreement", pk, url, fields, "agreement edit, double submit")
        if first == verify.SAVED and second == verify.SAVED:
            # Also visible in the database check (the token twice), said here at once.
            user_errors.append(f"double submit saved twice: agreement {pk}")

    @task(2)
    def review_create(self):
        pk = random.choice(self.account["agreements"])
        url = f"/agreements/{pk}/reviews/new/"
        page = self.client.get(url, name="review new form (GET)")
        form = find_form(page.text, "version") if page.ok else None
        if form is None:
            return
        token = self.next_token()
        replaced = {"kind", "title", "held_on"}
        fields = [(k, v) for k, v in form.fields if k not in replaced] + [
            ("kind", "liaison"),
            ("title", f"Giao ban kiểm thử tải {token}"),
            ("held_on", datetime.date.today().strftime("%d/%m/%Y")),
        ]
        with self.client.post(
            url,
            data=fields,
            name="review create (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            match = re.fullmatch(r"/reviews/(\d+)/", location)
            if response.status_code == 302 and match:
                attempts.append(
                    {"kind": "review_create", "object": pk, "token": token, "result": "saved"}
                )
                self.own_reviews.append(int(match.group(1)))
            else:
                errors = _form_errors(response.text)
                response.failure(f"review not created: HTTP {response.status_code}, {errors}")
                attempts.append(
                    {"kind": "review_create", "object": pk, "token": token, "result": "failed"}
                )
                return
        self.client.get(location, name="detail after save")

    @task(1)
    def review_edit(self):
        if not self.own_reviews:
            return
        pk = random.choice(self.own_reviews)
        url = f"/reviews/{pk}/edit/"
        fields = self._edit_fields("review", url, "results")
        if fields is not None:
            self._post_edit("review", pk, url, fields, "review edit")

    def _edit_fields(self, what, url, text_field):
        """GET the edit form; its fields with a new token appended to `text_field`."""
        page = self.client.get(url, name=f"{what} edit form (GET)")
        form = find_form(page.text, "version") if page.ok else None
        if form is None:
            return None
        if not form.value("version"):
            # The form must carry the version it shows; without it every save conflicts.
            user_errors.append(f"{url}: the form carries no version")
        token = self.next_token()
        text = (form.value(text_field) or "").rstrip()
        return {"token": token, "fields": form.replace(text_field, f"{text} {token}".strip())}

    def _post_edit(self, what, pk, url, edit, name):
        kind = f"{what}_edit"
        result = "failed"
        with self.client.post(
            url,
            data=edit["fields"],
            name=f"{name} (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            body = response.text or ""
            if response.status_code == 302:
                result = verify.SAVED
            elif response.status_code == 409 and CONFLICT_MESSAGES[what] in body:
                if edit["token"] in body:
                    result = verify.CONFLICT
                    response.success()
                else:
                    response.failure("conflict page lost the user's input")
            elif response.status_code == 409:
                response.failure("HTTP 409 without the conflict message")
            else:
                response.failure(f"not saved: HTTP {response.status_code}, {_form_errors(body)}")
        attempts.append(
            {"kind": kind, "object": pk, "token": edit["token"], "result": result, "request": name}
        )
        if result == verify.SAVED:
            self.client.get(response.headers["Location"], name="detail after save")
        return result


@events.user_error.add_listener
def _on_user_error(user_instance, exception, tb, **kwargs):
    user_errors.append(f"{type(exception).__name__}: {exception}"[:300])


@events.request.add_listener
def _on_request(name, response_time, exception, **kwargs):
    timings.setdefault(name, []).append(response_time)
    if exception is not None:
        failures[name] = failures.get(name, 0) + 1


@events.test_stop.add_listener
def _write_outcome(environment, **kwargs):
    """Every response time and write, for run.py to summarise and check."""
    outcome = {
        "timings": timings,
        "failures": failures,
        "errors": [
            {"name": e.name, "method": e.method, "error": str(e.error), "count": e.occurrences}
            for e in environment.stats.errors.values()
        ],
        "user_errors": user_errors,
        "attempts": attempts,
        "users": len(started_users),
    }
    Path(PLAN["outcome"]).write_text(json.dumps(outcome, ensure_ascii=False), encoding="utf-8")
