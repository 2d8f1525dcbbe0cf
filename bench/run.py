#!/usr/bin/env python3
"""The benchmark behind `make bench`: real server, bounded load, a Markdown table.

1. Uses the database in DATABASE_URL (default: the SQLite file bench.sqlite3 in the
   project folder, never db.sqlite3), migrates it, and generates synthetic data
   (`generate_data`, province scale by default) unless generated data is there.
2. Creates one account per role (bench-admin, bench-leader, bench-editor) with a
   known password, and collects static files into a temporary STATIC_ROOT.
3. Starts gunicorn with deploy/gunicorn.conf.py (2 workers, DEBUG=0, a fresh
   SECRET_KEY) on a free port of 127.0.0.1, the only address it ever talks to.
4. Each client thread logs in once per role through the login form (django-axes
   counts logins) and reuses its session. For every page: one warm-up request,
   then a fixed number of requests shared by the clients, under a time cap (70 % of
   it for the pages, shared by the pages still to run, at most 60 s each; the rest
   for the exports); pages that answer 404 or 501 (not built yet) are skipped with
   a note. gunicorn's log goes to a file in the temporary folder.
5. Before the load, each page is requested once in this process with Django's test
   client under CaptureQueriesContext: queries per request (gunicorn workers cannot
   report them) and the time of one request with nothing else running.
6. Exports: seconds over HTTP (median of 3), and the peak memory (VmHWM) of a
   separate process that renders the export once.
7. First views after a write (`--no-first-views` skips them): with the server
   stopped, each page is requested in this process right after a write that voids
   its snapshot (an agreement's summary recomputed, or the indicator generation
   moved on, as a save does); median of 3. These writes change no figure.

Prints the machine, the data and a Markdown table to paste into the README.
Standard library only (plus the project's own requirements).
"""

import argparse
import datetime
import http.client
import io
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # The only address this script ever connects to.
PASSWORD = "bench-Mat-khau-2026!"
USERS = {"admin": "bench-admin", "leader": "bench-leader", "editor": "bench-editor"}
PAGE_CAP_SECONDS = 60
EXPORT_RUNS = 3
FIRST_VIEW_RUNS = 3
# Searches as staff type them (with or without accents): places, organisations,
# topics and numbers, frequent and rare, one word or a phrase.
SEARCH_TERMS = [
    "Quảng Ninh",
    "quang tri",
    "dân chủ cơ sở",
    "quang hop",
    "phoi hop quang",
    "hội nông dân",
    "hoi lien hiep phu nu",
    "mặt trận tổ quốc",
    "cuu chien binh",
    "đoàn thanh niên",
    "nong thon moi",
    "Lai Châu",
    "dan van kheo",
    "ton giao",
    "chuyển đổi số",
    "an giang",
    "ctr/bdvtu",
    "giam ngheo",
    "Đà Nẵng",
    "cong an tinh",
]


def searches(count):
    """`count` list URLs searching SEARCH_TERMS in turn, no two alike: on each pass
    the terms are written another way (capitals, no accents, a space more), as
    staff type them, so that no request is answered from the cache of the list's
    results, which keys the text as typed, while the search itself is the same."""
    from agreements.text import fold

    writings = [str, str.upper, fold, str.title, str.lower]
    urls, seen = [], set()
    for n in range(count):
        term = SEARCH_TERMS[n % len(SEARCH_TERMS)]
        passes = n // len(SEARCH_TERMS)
        text = writings[passes % len(writings)](term) + " " * (passes // len(writings))
        while text in seen:  # a writing that changes nothing ("quang tri" unaccented)
            text += " "
        seen.add(text)
        urls.append(f"/agreements/?{urlencode({'q': text})}")
    return urls


def prepare_environment(database_url):
    """Settings for this process and the server: production-like, local only."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = HOST
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    os.environ["CSRF_COOKIE_SECURE"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinvan.settings")
    static_root = tempfile.mkdtemp(prefix="dinvan-bench-static-")
    os.environ["STATIC_ROOT"] = static_root
    return static_root


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    # force_login() below would log a "login" security event per page.
    logging.getLogger("dinvan.security").setLevel(logging.WARNING)


# --- Data and accounts ------------------------------------------------------------


def ensure_data(args):
    from django.core.management import call_command

    from agreements import generate
    from agreements.models import Agreement

    call_command("migrate", "--noinput", verbosity=0)
    if args.regenerate or not generate.has_generated_data():
        print(f"Sinh dữ liệu {args.scale} (seed {args.seed})...", flush=True)
        result = generate.generate(
            scale=args.scale, seed=args.seed, replace=args.regenerate, stdout=sys.stdout
        )
        print(f"Sinh dữ liệu: {result.seconds:.0f} s.", flush=True)
    else:
        print(f"Dùng lại dữ liệu có sẵn ({Agreement.objects.count():,} văn bản).", flush=True)
        # Data generated before the report summary tables existed, or in an earlier
        # year, has none for today: the pages would measure the slow fallback.
        from django.utils import timezone

        from reports.services import summaries_ready

        if not summaries_ready(on=timezone.localdate()):
            print("Tính lại bảng tổng hợp báo cáo...", flush=True)
            call_command("refresh_report_summaries")


def data_summary():
    from django.db import connection

    from agreements.models import (
        Agency,
        Agreement,
        ContentItem,
        IndicatorValue,
        ItemAssessment,
        Review,
    )

    def count(model):
        # Fast estimates would do, but exact counts are cheap once per run.
        return model.objects.count()

    if connection.vendor == "postgresql":
        version = connection.pg_version
        version = f"{version // 10000}.{version % 10000}"
    else:
        version = connection.Database.sqlite_version
    return {
        "database": f"{connection.display_name} {version}",
        "agencies": count(Agency),
        "agreements": count(Agreement),
        "items": count(ContentItem),
        "reviews": count(Review),
        "assessments": count(ItemAssessment),
        "values": count(IndicatorValue),
    }


def ensure_users():
    """One account per role; passwords reset to the known one on every run."""
    from django.contrib.auth import get_user_model

    from agreements.generate import CODE_PREFIX
    from agreements.models import Agency, UserProfile

    agencies = Agency.objects.filter(area__code__startswith=f"{CODE_PREFIX}T15")
    leader_agency = (
        agencies.filter(name__startswith="Ban Tuyên giáo và Dân vận", active_until__isnull=True)
        .order_by("id")
        .first()
        or Agency.objects.exclude(area=None).order_by("id").first()
    )
    editor_agency = (
        agencies.filter(name__startswith="Ban Dân vận").order_by("id").first() or leader_agency
    )
    roles = {
        "admin": (None, UserProfile.Role.ADMIN),
        "leader": (leader_agency, UserProfile.Role.LEADER),
        "editor": (editor_agency, UserProfile.Role.EDITOR),
    }
    users = {}
    for role, username in USERS.items():
        agency, profile_role = roles[role]
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = role == "admin"
        user.is_active = True
        user.set_password(PASSWORD)
        user.save()
        UserProfile.objects.update_or_create(
            user=user, defaults={"agency": agency, "role": profile_role}
        )
        users[role] = user
    return users, leader_agency


def large_agreement(leader):
    """An agreement the leader may see with 30 content items and 10 reviews: the
    generator makes one per province; on other data, one is created (marked as
    generated, so `generate_data --replace` removes it)."""
    from django.db.models import Count

    from agreements.generate import MARK
    from agreements.models import Agreement, ContentItem, Review

    candidates = Agreement.objects.for_user(leader).filter(declared_item_count__gte=30)
    candidates = candidates.annotate(n_items=Count("items", distinct=True))
    candidates = candidates.annotate(n_reviews=Count("reviews", distinct=True))
    found = candidates.filter(n_items__gte=30, n_reviews__gte=10).order_by("id").first()
    if found is not None:
        return found
    lead = leader.profile.agency
    agreement = Agreement.objects.create(
        kind="regulation",
        number="30-QCPH/BENCH",
        title="Quy chế phối hợp công tác dân vận (30 nội dung) để đo hiệu năng",
        signed_on=datetime.date(2016, 3, 15),
        lead_agency=lead,
        start_year=2016,
        declared_item_count=30,
        source=MARK,
    )
    agreement.parties.create(agency=lead, role="lead", name_as_signed=lead.name)
    for number in range(1, 31):
        ContentItem.objects.create(agreement=agreement, number=number, title=f"Nội dung {number}")
    for year in range(2016, 2026):
        when = datetime.datetime(year, 12, 20, 9, tzinfo=datetime.UTC)
        Review.objects.create(
            agreement=agreement,
            kind="annual",
            title=f"Đánh giá năm {year}",
            held_on=datetime.date(year, 12, 20),
            status="approved",
            submitted_at=when,
            approved_at=when,
            source=MARK,
        )
    return agreement


def export_filters(admin):
    """Term-summary parameters selecting the number of agreements closest to 10,000."""
    from django.http import QueryDict

    from agreements.models import Agreement

    try:
        from reports.filters import TermSummaryFilterSet, term_choices
    except ImportError:
        return {}, None
    visible = Agreement.objects.for_user(admin)
    options = [{"term": ""}]
    options += [{"term": value} for value, _label in term_choices(visible)[:3]]
    options += [{**option, "kind": kind} for option in list(options) for kind in Agreement.Kind]
    best, best_count = {}, None
    for option in options:
        data = QueryDict(mutable=True)
        data.update(option)
        count = TermSummaryFilterSet(data=data, queryset=visible).qs.count()
        if best_count is None or abs(count - 10_000) < abs(best_count - 10_000):
            best, best_count = option, count
    return best, best_count


# --- The server -------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port, workers, log_path):
    env = {**os.environ, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": str(workers)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(log_path, "w")  # noqa: SIM115 - closed with the server
    process = subprocess.Popen(
        [str(gunicorn), "-c", str(BASE_DIR / "deploy" / "gunicorn.conf.py")],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped; see {log_path}")
        try:
            status, _body, _cookies = Client(port).get("/healthz/")
            if status == 200:
                return process, log
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process, log)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log_path}")


def stop_server(process, log):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()


class Client:
    """One browser: a connection to 127.0.0.1 and its cookies."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            # Dropped, e.g. a worker killed by gunicorn's timeout: counted as an error.
            self.connection.close()
            return 0, b"", None
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            # gunicorn's sync workers close after each response; the next request
            # reopens the connection.
            self.connection.close()
        return response.status, data, response

    def get(self, path):
        status, data, _response = self.request("GET", path)
        return status, data, self.cookies

    def login(self, username):
        status, page, _cookies = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"Login page: HTTP {status}")
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode(),
                "next": "/",
            }
        )
        status, _data, response = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Login as {username} failed: HTTP {status}")
        return self


# --- Measuring ----------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def load(page, sessions, requests, deadline):
    """`requests` GETs of `page["path"]` (or of each of `page["paths"]` in turn) shared
    by the clients; stops at `deadline`."""
    role = page["role"]
    clients = [client_set[role] if role else client_set["anonymous"] for client_set in sessions]
    paths = page.get("paths") or [page["path"]]
    latencies, statuses = [], []
    lock = threading.Lock()
    remaining = [requests]

    def worker(client):
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return
                remaining[0] -= 1
                path = paths[remaining[0] % len(paths)]
            started = time.perf_counter()
            status, _data, _cookies = client.get(path)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "done": len(latencies),
        "errors": sum(1 for status in statuses if status != 200),
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": percentile(latencies, 0.5) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
    }


def test_client(username):
    """Django's test client with a session of `username`, made directly in the
    session store: force_login() would record the login with no client address,
    which the django-axes access log cannot store on PostgreSQL, and the login form
    would hash the password with Argon2 (100 MB), which must not count as the
    memory of an export."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.test import Client as TestClient

    from dinvan.sessions import SessionStore

    client = TestClient(HTTP_HOST=HOST, REMOTE_ADDR=HOST)
    if username is not None:
        user = get_user_model().objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "dinvan.auth.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def count_queries(path, user):
    """Queries and milliseconds of one request in this process, alone on the machine
    (the load runs later): the time a page costs without waiting for a worker. Then
    the queries of the same request repeated (what the load mostly measures: a page
    remembered until the next write). Returns "first / repeat" queries, the first
    request's milliseconds and its status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = test_client(user.get_username() if user is not None else None)
    counted = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            if hasattr(response, "streaming_content"):
                for _chunk in response.streaming_content:
                    pass
            elapsed = (time.perf_counter() - started) * 1000
        counted.append((len(captured), elapsed, response.status_code))
    (first, elapsed, status), (repeat, _elapsed, _status) = counted
    return f"{first} / {repeat}", elapsed, status


def first_views(views, users, agreement):
    """Each view's first request after a write, one request at a time in this process:
    the pages keep snapshots until a write can change a figure, so a load without
    writes measures repeat views only. Three writes, each with the refresh its service
    runs after committing: an agreement saved (its summary recomputed and the
    generation moved on, with its provinces'), an agreement of another province
    saved, and a new indicator figure (which also voids the indicator snapshots, and
    recomputes its indicator and year's whole-country total). Median of
    FIRST_VIEW_RUNS."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import IndicatorYearTotal
    from reports.services import (
        indicator_totals_mark,
        refresh_after_write,
        summaries_changed,
        summaries_mark,
    )

    def agreement_saved():
        summaries_mark(agreement_ids=[agreement.pk])
        refresh_after_write()

    # An agreement the leader may not see (of another province): it moves on only
    # that province's generation, so the leader's and the editor's pages stay
    # remembered; the admin's see every agreement and follow every write.
    from agreements.models import Agreement

    leader_sees = Agreement.objects.for_user(users["leader"]).values("pk")
    elsewhere = (
        Agreement.objects.live()
        .exclude(pk__in=leader_sees)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )

    def saved_elsewhere():
        summaries_mark(agreement_ids=[elsewhere])
        refresh_after_write()

    # What a new figure's signals write (reports.signals._figure), a figure of the
    # leader's agreement for the (indicator, year) with the most figures, then what
    # `review_save` (the form, the admin) runs after its commit: the agreement's
    # provinces moved on, that pair's whole-country total recomputed in the writer's
    # request, not in the next reader's.
    busiest = IndicatorYearTotal.objects.order_by("-count").values_list("indicator_id", "year")
    pair = busiest.first()

    def figure_added():
        indicator_totals_mark([pair] if pair else [])
        summaries_changed(indicators=True)
        summaries_mark(agreement_ids=[agreement.pk])
        refresh_after_write()

    writes = {"agreement saved": agreement_saved, "new indicator figure": figure_added}
    if elsewhere is not None:
        writes = {
            "agreement saved": agreement_saved,
            "saved in another province": saved_elsewhere,
            "new indicator figure": figure_added,
        }
    for view in views:
        client = test_client(users[view["role"]].get_username())
        client.get(view["path"])  # Its snapshot is stored: what a write then voids.
        for label, write in writes.items():
            times, queries = [], 0
            for _ in range(FIRST_VIEW_RUNS):
                write()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    status = client.get(view["path"]).status_code
                    times.append((time.perf_counter() - started) * 1000)
                queries = max(queries, len(captured))
            view.setdefault("after", {})[label] = {
                "ms": statistics.median(times),
                "queries": queries,
                "status": status,
            }
        print(f"  {view['name']} ({view['role']}): {view['after']}", flush=True)
    connection.close()


def peak_rss_mb():
    """This process's peak resident memory. VmHWM, because Linux carries ru_maxrss
    over exec(): a child of this (large) process would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_in_child(path, username):
    """Run in a separate process: render one export, report seconds and peak memory."""
    setup_django()

    client = test_client(username)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    response = client.get(path)
    size = 0
    if hasattr(response, "streaming_content"):
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "status": response.status_code,
                "seconds": seconds,
                "peak_mb": peak_rss_mb(),
                "baseline_mb": baseline,
                "bytes": size,
            }
        )
    )


def measure_export(export, client, username, deadline):
    times, status, data = [], None, b""
    for _ in range(EXPORT_RUNS):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        status, data, _cookies = client.get(export["path"])
        times.append(time.perf_counter() - started)
        if status != 200:
            break
    result = {"status": status, "http_seconds": statistics.median(times) if times else None}
    result["bytes"] = len(data)
    if status == 200 and export["kind"] == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True)
        # Write-only workbooks record no dimensions: count the rows (header excluded).
        result["rows"] = max(0, sum(1 for _row in workbook.worksheets[0].iter_rows()) - 1)
    if status == 200:
        child = subprocess.run(
            [sys.executable, __file__, "--export-child", export["path"], username],
            cwd=BASE_DIR,
            env=os.environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
        if child.returncode == 0 and lines:
            result.update({f"child_{k}": v for k, v in json.loads(lines[-1]).items()})
        else:
            result["note"] = f"child failed: {child.stderr.strip()[-300:]}"
    return result


# --- Report -------------------------------------------------------------------------


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        memory = "? RAM"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}"


def fmt(value, digits=0):
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{value:,.{digits}f}"


def report(args, summary, pages, exports, started_at, views=()):
    lines = []
    out = lines.append
    out(
        f"Benchmark {started_at:%Y-%m-%d %H:%M} UTC on {machine()}; {summary['database']}; "
        f"scale `{args.scale}`: {summary['agencies']:,} agencies, "
        f"{summary['agreements']:,} agreements, {summary['items']:,} content items, "
        f"{summary['reviews']:,} reviews, {summary['assessments']:,} item assessments, "
        f"{summary['values']:,} indicator values. gunicorn {args.workers} workers, "
        f"{args.clients} concurrent clients, {args.requests} requests per page "
        f"(10× for /healthz/). "
        f"Load average before/after: {summary['load_before']} / {summary['load_after']}."
    )
    out("")
    out(
        "| Page | As | OK/sent | req/s | p50 ms | p95 ms | alone ms "
        "| queries (first / repeat) | vs /healthz/ |"
    )
    out("|---|---|---|---:|---:|---:|---:|---:|---:|")
    reference = next((p["result"]["rps"] for p in pages if p["name"] == "/healthz/"), None)
    for page in pages:
        result = page.get("result")
        if result is None:
            cells = [page["name"], page["role"] or "–", f"skipped: {page['note']}", *[""] * 6]
            out("| " + " | ".join(cells) + " |")
            continue
        ratio = result["rps"] / reference if reference else None
        ok = result["done"] - result["errors"]
        out(
            f"| {page['name']} | {page['role'] or '–'} | {ok}/{result['done']} | "
            f"{fmt(result['rps'], 1)} | {fmt(result['p50'])} | {fmt(result['p95'])} | "
            f"{fmt(page.get('alone_ms'))} | {page.get('queries', '–')} | "
            f"{fmt(ratio * 100 if ratio else None)} % |"
        )
    out("")
    out(
        "p50/p95: latency over HTTP with the clients above sharing the workers (waiting "
        "included); alone: one request in the benchmark process, nothing else running "
        "(the first after the process started: nothing remembered in its cache); "
        "queries: of that request, then of the same request repeated, counted in that "
        "process."
    )
    out("")
    out(
        "| Export | HTTP s (median of 3) | s in one process | peak RSS MB (at start) "
        "| size KB | sheet rows |"
    )
    out("|---|---:|---:|---:|---:|---:|")
    for export in exports:
        result = export.get("result")
        if result is None or result.get("status") != 200:
            note = export.get("note") or f"HTTP {result and result.get('status')}"
            out("| " + " | ".join([export["name"], f"skipped: {note}", *[""] * 4]) + " |")
            continue
        out(
            f"| {export['name']} | {fmt(result['http_seconds'], 2)} | "
            f"{fmt(result.get('child_seconds'), 2)} | {fmt(result.get('child_peak_mb'))} "
            f"({fmt(result.get('child_baseline_mb'))}) | "
            f"{fmt(result['bytes'] / 1024)} | {fmt(result.get('rows'))} |"
        )
    measured = [view for view in views if view.get("after")]
    if measured:
        labels = list(measured[0]["after"])
        out("")
        out(
            "| First view after a write | As | "
            + " | ".join(f"{x}: ms (queries)" for x in labels)
            + " |"
        )
        out("|---|---|" + "---:|" * len(labels))
        for view in measured:
            cells = []
            for label in labels:
                after = view["after"][label]
                cell = f"{fmt(after['ms'])} ({after['queries']})"
                cells.append(cell if after["status"] == 200 else f"HTTP {after['status']}")
            out(f"| {view['name']} | {view['role']} | " + " | ".join(cells) + " |")
        out("")
        out(
            f"First view: one request alone in the benchmark process, right after the "
            f"write and the refresh its service runs after committing, median of "
            f"{FIRST_VIEW_RUNS}; the page's snapshot from before the write is void "
            f"(reports.snapshots)."
        )
    return "\n".join(lines)


# --- Main ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="province", choices=["tiny", "province", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="replace generated data")
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--clients", type=int, default=3, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--time-cap", type=int, default=600, help="seconds for load + exports")
    parser.add_argument("--output", help="also write the Markdown report to this file")
    parser.add_argument(
        "--no-first-views",
        action="store_true",
        help="skip the first views after a write (they write to the database)",
    )
    parser.add_argument(
        "--export-child", nargs=2, metavar=("PATH", "USERNAME"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.export_child:
        export_in_child(*args.export_child)
        return

    # `kill` ends the run like Ctrl-C: the finally blocks stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started_at = datetime.datetime.now(datetime.UTC)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'bench.sqlite3'}"
    static_root = prepare_environment(database_url)
    setup_django()
    from django.core.management import call_command

    try:
        ensure_data(args)
        summary = data_summary()
        summary["load_before"] = f"{os.getloadavg()[0]:.1f}"
        users, leader_agency = ensure_users()
        agreement = large_agreement(users["leader"])
        review = agreement.reviews.order_by("-held_on", "-id").first()
        params, params_count = export_filters(users["admin"])
        call_command("collectstatic", "--noinput", verbosity=0)
        from django.db import connection

        connection.close()  # No open transaction or lock while the server runs.

        pages = [
            {"name": "/healthz/", "path": "/healthz/", "role": None},
            {"name": "Dashboard /", "path": "/", "role": "leader"},
            {"name": "Dashboard /", "path": "/", "role": "admin"},
            {"name": "Agreement list", "path": "/agreements/", "role": "admin"},
            {"name": "Agreement list", "path": "/agreements/", "role": "leader"},
            {"name": "Agreement list", "path": "/agreements/", "role": "editor"},
            {
                "name": "List, filtered",
                "path": "/agreements/?kind=program&status=in_force",
                "role": "admin",
            },
            {
                # Written as no pass of `searches` writes it: every request but the
                # first is answered from the cache of the list's results.
                "name": "List, search",
                "path": f"/agreements/?{urlencode({'q': 'Dân Vận Khéo'})}",
                "role": "admin",
            },
            {
                # Every request another term: none is answered from the cache of the
                # list's results (the page above repeats one term, as a user paging
                # back does).
                "name": "List, search, a new term each time",
                "path": "/agreements/?q=tuyen+truyen",
                "paths": searches(args.requests),
                "role": "admin",
            },
            {
                # A province's leader: the search within the area's 3 % of agreements.
                "name": "List, search, a new term each time",
                "path": "/agreements/?q=tuyen+truyen",
                "paths": searches(args.requests),
                "role": "leader",
            },
            {
                "name": "Agreement detail (30 items, 10 reviews)",
                "path": f"/agreements/{agreement.pk}/",
                "role": "admin",
            },
            {"name": "Report: term summary", "path": "/reports/term-summary/", "role": "leader"},
            {"name": "Report: indicators", "path": "/reports/indicators/", "role": "leader"},
            {
                "name": "Report: agency",
                "path": f"/reports/agencies/?agency={leader_agency.pk}",
                "role": "leader",
            },
            {
                "name": "Report: agreement",
                "path": f"/reports/agreements/{agreement.pk}/",
                "role": "leader",
            },
            {"name": "Report: review", "path": f"/reports/reviews/{review.pk}/", "role": "leader"},
            {"name": "Admin: agencies", "path": "/admin/agreements/agency/", "role": "admin"},
            {"name": "Admin: agreements", "path": "/admin/agreements/agreement/", "role": "admin"},
        ]
        xlsx_query = urlencode({**params, "format": "xlsx"})
        chosen = urlencode(params) or "no filter"
        exports = [
            {
                "name": f"Term summary XLSX ({fmt(params_count)} agreements, {chosen})",
                "path": f"/reports/term-summary/?{xlsx_query}",
                "kind": "xlsx",
            },
            {
                "name": "Agreement report DOCX (30 items, 10 reviews)",
                "path": f"/reports/agreements/{agreement.pk}/?format=docx",
                "kind": "docx",
            },
        ]

        # The cap: 70 % for pages (shared equally, at most PAGE_CAP_SECONDS each, query
        # counting included), the rest for the exports.
        measuring = time.monotonic()
        pages_deadline = measuring + 0.7 * args.time_cap
        deadline = measuring + args.time_cap
        print("Đếm truy vấn mỗi trang (trong tiến trình)...", flush=True)
        test_client(None).get("/healthz/")  # Opens the connection: not a page's cost.
        for page in pages:
            user = users[page["role"]] if page["role"] else None
            if time.monotonic() > pages_deadline:
                page["queries"] = "–"
                continue
            try:
                page["queries"], page["alone_ms"], _status = count_queries(page["path"], user)
            except Exception as error:  # noqa: BLE001 - reported, the run goes on
                page["queries"] = "–"
                print(f"  {page['path']}: queries not counted ({error!r:.200})", flush=True)
        connection.close()

        log_path = Path(tempfile.gettempdir()) / f"dinvan-bench-gunicorn-{os.getpid()}.log"
        port = free_port()
        print(f"gunicorn trên http://{HOST}:{port} ({args.workers} workers)...", flush=True)
        process, log = start_server(port, args.workers, log_path)
        try:
            sessions = []
            for _ in range(args.clients):
                sessions.append(
                    {
                        "anonymous": Client(port),
                        **{role: Client(port).login(name) for role, name in USERS.items()},
                    }
                )
            for page in pages:
                role = page["role"]
                client = sessions[0][role] if role else sessions[0]["anonymous"]
                if time.monotonic() > pages_deadline:
                    page["note"] = "time cap reached"
                    continue
                status, _data, _cookies = client.get(page["path"])  # Warm-up, not counted.
                if status in (404, 501):
                    page["note"] = f"HTTP {status} (not built yet)"
                    continue
                if status != 200:
                    page["note"] = f"HTTP {status}; see {log_path}"
                    continue
                # What is left, shared by the pages still to measure: a slow page
                # early on shortens the later ones rather than crowding them out.
                left = len(pages) - pages.index(page)
                share = (pages_deadline - time.monotonic()) / left
                page_deadline = time.monotonic() + min(PAGE_CAP_SECONDS, max(share, 1))
                # The reference gets more requests: a few milliseconds each, its rate
                # would otherwise be mostly thread start-up.
                requests = args.requests * 10 if page["path"] == "/healthz/" else args.requests
                page["result"] = load(page, sessions, requests, page_deadline)
                result = page["result"]
                print(
                    f"  {page['name']} ({role or '-'}): {result['rps']:.1f} req/s, "
                    f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, "
                    f"{page['queries']} queries",
                    flush=True,
                )
            print("Đo xuất tệp...", flush=True)
            for export in exports:
                export["result"] = measure_export(
                    export, sessions[0]["admin"], USERS["admin"], deadline
                )
                if export["result"].get("status") in (404, 501):
                    export["note"] = f"HTTP {export['result']['status']} (not built yet)"
        finally:
            stop_server(process, log)
        summary["load_after"] = f"{os.getloadavg()[0]:.1f}"
        views = [
            {"name": "Dashboard /", "path": "/", "role": "leader"},
            {"name": "Dashboard /", "path": "/", "role": "admin"},
            {"name": "Agreement list", "path": "/agreements/", "role": "leader"},
            {"name": "Report: term summary", "path": "/reports/term-summary/", "role": "leader"},
            {"name": "Report: term summary", "path": "/reports/term-summary/", "role": "admin"},
            {"name": "Report: indicators", "path": "/reports/indicators/", "role": "leader"},
            {"name": "Report: indicators", "path": "/reports/indicators/", "role": "admin"},
            {
                "name": "Report: agency",
                "path": f"/reports/agencies/?agency={leader_agency.pk}",
                "role": "leader",
            },
        ]
        if not args.no_first_views:
            print("Lần xem đầu sau một lần ghi (trong tiến trình)...", flush=True)
            first_views(views, users, agreement)
        text = report(args, summary, pages, exports, started_at, views)
        print()
        print(text)
        if args.output:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
