#!/usr/bin/env python3
"""The load test behind `make loadtest`: editors at work, then the books are checked.

1. Empties the database in DATABASE_URL (default: the SQLite file loadtest.sqlite3 in
   the project folder; the database name must contain "loadtest", as it is wiped),
   migrates it and generates the `tiny` synthetic data (`generate_data`).
2. Creates `--editors` accounts (lt-editor-01, …) of different agencies, each a party
   to agreements of its own (some agreements have two of these agencies as parties).
3. Collects static files and starts gunicorn with deploy/gunicorn.conf.py on a free
   port of 127.0.0.1, DEBUG=0 and a fresh SECRET_KEY (bench/run.py's functions).
4. Runs locust headless (loadtest/locustfile.py): `--users` users sharing the editor
   accounts, for `--time`, reading and writing through the real pages and forms.
5. Reads the database back: the saves the clients were told about, the history
   (audit) records written during the run and the rows changed must be equal for
   every kind of write, with no write lost or made twice (loadtest/verify.py).

Prints a summary (requests, failures, p50/p95 per request type, saves, conflicts,
audit records, verdict) and exits 1 on any failed request, server error (5xx,
worker timeout), exception in a simulated user, or count that does not add up.
"""

import argparse
import datetime
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import run as bench  # noqa: E402 - the project folder is on the path now
from loadtest import verify  # noqa: E402

PASSWORD = "loadtest-Mat-khau-2026!"
EDITOR_PREFIX = "lt-editor-"
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")


def seconds(text):
    """Seconds in "60", "60s" or "2m"."""
    match = re.fullmatch(r"(\d+)([sm]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (60, 60s, 2m)")
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def interval(text):
    low, _sep, high = text.partition("-")
    try:
        low, high = float(low), float(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (e.g. 1-5)") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (e.g. 1-5)")
    return [low, high]


def database_name(url):
    parsed = urlparse(url)
    return Path(parsed.path).name if parsed.scheme.startswith("sqlite") else parsed.path[1:]


# --- Data and accounts ------------------------------------------------------------


def reset_database(database_url):
    """Start from nothing: delete the SQLite file, or empty PostgreSQL's schema."""
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        from django.db import OperationalError

        try:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        except OperationalError as error:
            name = connection.settings_dict["NAME"]
            raise SystemExit(
                f"{error}".strip() + f"\nCreate the database first, e.g. createdb "
                f"-h 127.0.0.1 -U postgres {name}"
            ) from None


def prepare_data(args):
    from django.core.management import call_command

    from agreements import generate

    call_command("migrate", "--noinput", verbosity=0)
    generate.generate(scale="tiny", seed=args.seed, stdout=io.StringIO())


def create_editors(count):
    """`count` editors, each of its own agency among those that are parties to the
    most agreements, with what each may see: agreements and their reviews."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from agreements.models import Agreement, AgreementParty, Review, UserProfile

    agencies = (
        AgreementParty.objects.filter(agreement__in=Agreement.objects.live())
        .values("agency_id")
        .annotate(agreements=Count("agreement", distinct=True))
        .filter(agreements__gte=2)
        .order_by("-agreements", "agency_id")
    )
    password = make_password(PASSWORD)  # One Argon2 hash for all: they share it.
    editors = []
    for number, row in enumerate(agencies[:count], start=1):
        user = get_user_model().objects.create(
            username=f"{EDITOR_PREFIX}{number:02d}", password=password
        )
        UserProfile.objects.create(
            user=user, agency_id=row["agency_id"], role=UserProfile.Role.EDITOR
        )
        editable = Agreement.objects.editable_by(user)
        agreements = list(editable.order_by("pk").values_list("pk", flat=True))
        reviews = Review.objects.filter(agreement__in=editable).order_by("pk")
        editors.append(
            {
                "username": user.username,
                "agency": row["agency_id"],
                "agreements": agreements,
                "reviews": list(reviews.values_list("pk", flat=True)),
            }
        )
    if len(editors) < count:
        print(f"Chỉ có {len(editors)} cơ quan là bên của từ 2 văn bản: {len(editors)} tài khoản.")
    return editors


def shared_agreements(editors):
    """Agreements that more than one of the editors may edit."""
    seen = {}
    for editor in editors:
        for pk in editor["agreements"]:
            seen[pk] = seen.get(pk, 0) + 1
    return sum(1 for n in seen.values() if n > 1)


# --- The run ----------------------------------------------------------------------


def run_locust(args, plan_path, port, log_path):
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.time}s",
        # A task under way when the time is up finishes: no save is cut off mid-way.
        "--stop-timeout",
        "60",
        "--host",
        f"http://{bench.HOST}:{port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOADTEST_PLAN": str(plan_path)}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            return process.wait(timeout=args.time + 240)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None


# --- Checking -----------------------------------------------------------------------


def snapshot_versions():
    from agreements.models import Agreement

    return dict(Agreement.objects.values_list("pk", "version"))


def history_texts(model, field, since, history_type):
    texts = {}
    records = model.history.filter(history_date__gte=since, history_type=history_type)
    for object_id, text in records.order_by("history_id").values_list("id", field):
        texts.setdefault(object_id, []).append(text)
    return texts


def check_database(attempts, versions_before, since):
    from agreements.models import Agreement, Review

    checks = []
    agreements = dict(Agreement.objects.values_list("pk", "notes"))
    versions = dict(Agreement.objects.values_list("pk", "version"))
    checks.append(
        verify.check_edits(
            "Agreement edits",
            kind="agreement_edit",
            attempts=attempts,
            rows=agreements,
            history=history_texts(Agreement, "notes", since, "~"),
            version_deltas={pk: v - versions_before.get(pk, v) for pk, v in versions.items()},
        )
    )
    created = Review.objects.filter(created_at__gte=since)
    checks.append(
        verify.check_creates(
            "Reviews created",
            kind="review_create",
            attempts=attempts,
            rows=dict(created.values_list("pk", "title")),
            audit_records=Review.history.filter(history_date__gte=since, history_type="+").count(),
        )
    )
    checks.append(
        verify.check_edits(
            "Review edits",
            kind="review_edit",
            attempts=attempts,
            rows=dict(created.values_list("pk", "results")),
            history=history_texts(Review, "results", since, "~"),
            version_deltas={pk: v - 1 for pk, v in created.values_list("pk", "version")},
        )
    )
    unexpected = []
    for model in (Agreement, Review):
        others = model.history.filter(history_date__gte=since).exclude(
            history_type__in=["+", "~"] if model is Review else ["~"]
        )
        if others.exists():
            unexpected.append(f"{model.__name__}: {others.count()} unexpected history rows")
    return checks, unexpected


def server_log_problems(log_path):
    lines = Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines()
    problems = [f"HTTP 5xx: {line}" for line in verify.server_errors(lines)]
    for line in lines:
        if "WORKER TIMEOUT" in line or "Traceback" in line or " ERROR " in line:
            problems.append(line.strip())
    # The readiness probe of start_server is not part of the load.
    requests = sum(1 for line in lines if re.search(r'" \d{3} ', line) and "/healthz/" not in line)
    return requests, problems


# --- Report -------------------------------------------------------------------------


def fmt_ms(value):
    return bench.fmt(value) if value else "–"


def request_stats(outcome):
    """Per request name and in total: count, failures, p50, p95 and max (ms)."""
    rows = []
    everything = []
    for name in sorted(outcome["timings"]):
        times = outcome["timings"][name]
        everything += times
        rows.append(_stats(name, times, outcome["failures"].get(name, 0)))
    return rows, _stats("**Total**", everything, sum(outcome["failures"].values()))


def _stats(name, times, failures):
    return {
        "name": name,
        "requests": len(times),
        "failures": failures,
        "p50": bench.percentile(times, 0.5),
        "p95": bench.percentile(times, 0.95),
        "max": max(times, default=None),
    }


def report(args, summary, editors, outcome, checks, server, started_at, seconds_taken):
    lines = []
    out = lines.append
    rows, total = request_stats(outcome)
    out(
        f"Load test {started_at:%d/%m/%Y %H:%M} UTC on {bench.machine()}; {summary['database']}; "
        f"`tiny` data: {summary['agencies']:,} agencies, {summary['agreements']:,} agreements, "
        f"{summary['reviews']:,} reviews. gunicorn {args.workers} workers; locust "
        f"{outcome['users']} users ({len(editors)} editor accounts of different agencies, "
        f"{shared_agreements(editors)} agreements shared by two of them), {args.time} s, "
        f"wait {args.wait[0]:g}–{args.wait[1]:g} s between tasks; "
        f"{total['requests']:,} requests in {seconds_taken:.0f} s "
        f"({total['requests'] / seconds_taken:.1f} req/s). Load average before/after: "
        f"{summary['load_before']:.1f} / {summary['load_after']:.1f}."
    )
    out("")
    out("| Request | Count | Failures | p50 ms | p95 ms | max ms |")
    out("|---|---:|---:|---:|---:|---:|")
    for entry in [*rows, total]:
        out(
            f"| {entry['name']} | {entry['requests']:,} | {entry['failures']:,} | "
            f"{fmt_ms(entry['p50'])} | {fmt_ms(entry['p95'])} | {fmt_ms(entry['max'])} |"
        )
    out("")
    out("| Writes | Saves | Refused as conflict | Audit records | Rows changed | Check |")
    out("|---|---:|---:|---:|---:|---|")
    for check in checks:
        out(
            f"| {check.label} | {check.saves} | {check.conflicts} | {check.audit_records} | "
            f"{check.rows_changed} | {'OK' if check.ok else 'MISMATCH'} |"
        )
    refused = {}
    for attempt in outcome["attempts"]:
        if attempt["result"] == verify.CONFLICT:
            refused[attempt["request"]] = refused.get(attempt["request"], 0) + 1
    if refused:
        where = ", ".join(f"{n} on “{name}”" for name, n in sorted(refused.items()))
        out("")
        out(f"Refused as conflict (HTTP 409, the Vietnamese message, the input kept): {where}.")
    out("")
    requests, _problems = server
    out(
        f"gunicorn answered {requests:,} requests (its access log); "
        f"{len(server[1])} server errors (5xx, worker timeouts, tracebacks)."
    )
    return "\n".join(lines)


def verdict(outcome, checks, unexpected, server, locust_status):
    reasons = []
    if locust_status is None:
        reasons.append("locust did not stop in time")
    failures = sum(outcome["failures"].values())
    if failures:
        reasons.append(f"{failures} failed requests")
        reasons += [
            f"  {e['count']} × {e['method']} {e['name']}: {e['error']}" for e in outcome["errors"]
        ]
    if outcome["user_errors"]:
        reasons.append(f"{len(outcome['user_errors'])} errors in simulated users")
        reasons += [f"  {error}" for error in outcome["user_errors"][:20]]
    unanswered = [
        a for a in outcome["attempts"] if a["result"] not in (verify.SAVED, verify.CONFLICT)
    ]
    if unanswered:
        reasons.append(f"{len(unanswered)} writes neither saved nor refused as a conflict")
    for check in checks:
        reasons += [f"{check.label}: {problem}" for problem in check.problems[:20]]
    if not any(check.saves for check in checks):
        reasons.append("no write was saved: the run proves nothing")
    reasons += unexpected
    reasons += server[1][:20]
    return reasons


# --- Main ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (50)")
    parser.add_argument("--time", type=seconds, default=60, help="run time: 60, 60s, 2m (60 s)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--editors", type=int, default=10, help="editor accounts (10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--wait", type=interval, default=[1, 5], help="seconds between tasks")
    parser.add_argument(
        "--think", type=interval, default=[0.5, 2], help="seconds between opening and saving"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--output", help="also write the Markdown summary to this file")
    args = parser.parse_args()

    # `kill` ends the run like Ctrl-C: the finally blocks stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'loadtest.sqlite3'}"
    if "loadtest" not in database_name(database_url):
        raise SystemExit(
            f"The load test empties its database: {database_name(database_url)!r} is not "
            "named like one (its name must contain 'loadtest', e.g. dinvan_loadtest)."
        )
    static_root = bench.prepare_environment(database_url)
    workdir = None  # Logs and the plan; kept when the run fails.
    passed = False
    try:
        bench.setup_django()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        print("Chuẩn bị cơ sở dữ liệu (xóa, migrate, dữ liệu tiny)...", flush=True)
        reset_database(database_url)
        prepare_data(args)
        editors = create_editors(args.editors)
        summary = bench.data_summary()
        versions_before = snapshot_versions()
        call_command("collectstatic", "--noinput", verbosity=0)
        connection.close()  # No open transaction or lock while the server runs.

        workdir = Path(tempfile.mkdtemp(prefix="dinvan-loadtest-"))
        plan_path = workdir / "plan.json"
        outcome_path = workdir / "outcome.json"
        plan = {
            "editors": editors,
            "password": PASSWORD,
            "wait": args.wait,
            "think": args.think,
            "outcome": str(outcome_path),
        }
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        port = bench.free_port()
        server_log = workdir / "gunicorn.log"
        print(f"gunicorn trên http://{bench.HOST}:{port} ({args.workers} workers)...", flush=True)
        process, log = bench.start_server(port, args.workers, server_log)
        try:
            since = timezone.now()
            started_at = datetime.datetime.now(datetime.UTC)
            started = time.monotonic()
            summary["load_before"] = os.getloadavg()[0]
            print(
                f"locust: {args.users} người dùng, {args.time} s, {len(editors)} tài khoản "
                f"cán bộ nhập liệu...",
                flush=True,
            )
            locust_status = run_locust(args, plan_path, port, workdir / "locust.log")
            seconds_taken = time.monotonic() - started
            summary["load_after"] = os.getloadavg()[0]
        finally:
            bench.stop_server(process, log)
        if not outcome_path.exists():
            print((workdir / "locust.log").read_text(errors="replace")[-3000:])
            raise SystemExit(f"locust wrote no outcome; logs in {workdir}")
        outcome = json.loads(outcome_path.read_text(encoding="utf-8"))
        checks, unexpected = check_database(outcome["attempts"], versions_before, since)
        server = server_log_problems(server_log)
        text = report(args, summary, editors, outcome, checks, server, started_at, seconds_taken)
        reasons = verdict(outcome, checks, unexpected, server, locust_status)
        passed = not reasons
        print()
        print(text)
        print()
        if passed:
            print("Verdict: PASS (no error, every save counted once: saves = audit = rows).")
        else:
            print("Verdict: FAIL")
            for reason in reasons:
                print(f"- {reason}")
            print(f"Logs (gunicorn, locust) kept in {workdir}")
        if args.output:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        if passed and workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
