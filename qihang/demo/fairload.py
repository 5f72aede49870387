"""The load of `qihang bench_fair`: graduates who browse jobs and register for one fair.

Run by the command in a process of its own (locust patches the standard library with gevent
at import, which must not happen inside Django's process):

    python -m qihang.demo.fairload --host URL --sessions FILE --event ID --users N \
        --spawn-rate R --out FILE

R graduates arrive each second (graduate n at n / R seconds, scheduled here: locust's own
spawning replaces a user who stopped, which would make arrivals ever faster). Each simulated
graduate is signed in already (the command wrote one session per graduate into
the session store: a fair's registration opens to people who have the site open, and a
password hash per user would measure argon2, not the fair). One graduate, one visit, at a
person's pace (1–3 s between steps):

1. the job search page with a search term (HTML, the graduate's own UI);
2. the list of events the graduate may register for (API);
3. registration for the fair (API, a POST with the session's CSRF token) — a seat, or a
   place on the waiting list once the seats are gone; anything else is an error;
4. a second job search (API, another term);
5. the graduate's tickets (HTML page).

Then the graduate is done; when every graduate is done, the run ends and the figures are written as
JSON: requests, errors, p50/p95/p99 in ms over all requests, throughput in requests/s, and
how many registrations the server answered "seated" and "waitlisted".
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser

TERMS = ["演奏", "乐团", "教师", "钢琴", "声乐", "艺术管理", "上海", "合唱", "民乐", "录音"]


class Shared:
    """What the run's users share: one session per user, handed out in order."""

    sessions: list[str] = []
    event_id = 0
    answers = {"seated": 0, "waitlisted": 0}
    finished = 0
    session_cookie = "sessionid"
    csrf_cookie = "csrftoken"
    # Arrivals: graduate n starts at t0 + n / rate, whatever locust's spawning does (locust
    # replaces a stopped user to keep its count, which would make arrivals ever faster).
    t0 = 0.0
    rate = 5.0
    arrivals = 0


class Graduate(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        if not Shared.sessions:
            # A replacement locust spawned for a graduate who finished: nobody left to play.
            gevent.sleep(10**6)
        session_key = Shared.sessions.pop()
        n, Shared.arrivals = Shared.arrivals, Shared.arrivals + 1
        gevent.sleep(max(0.0, Shared.t0 + n / Shared.rate - time.monotonic()))
        csrf = secrets.token_hex(16)  # any 32-character secret: Django compares cookie and header
        self.csrf = csrf
        # Sent on every request, as a browser with the site open would.
        self.headers = {
            "Cookie": f"{Shared.session_cookie}={session_key}; {Shared.csrf_cookie}={csrf}"
        }
        self.step = 0

    @task
    def visit(self) -> None:
        step = self.step
        self.step += 1
        if step == 0:
            self._get("/search/jobs/", query=TERMS[secrets.randbelow(len(TERMS))])
        elif step == 1:
            self._get("/api/v1/events", name="/api/v1/events")
        elif step == 2:
            self._register()
        elif step == 3:
            q = TERMS[secrets.randbelow(len(TERMS))]
            self._get("/api/v1/jobs", query=q, name="/api/v1/jobs?q=")
        elif step == 4:
            self._get("/events/mine/tickets/")
        else:
            Shared.finished += 1
            raise StopUser()

    def _get(self, path: str, *, query: str = "", name: str = "") -> None:
        url = f"{path}?{urlencode({'q': query})}" if query else path
        with self.client.get(
            url, headers=self.headers, name=name or path, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def _register(self) -> None:
        path = f"/api/v1/events/{Shared.event_id}/registrations"
        headers = {**self.headers, "X-CSRFToken": self.csrf, "Referer": self.host + "/"}
        with self.client.post(
            path, headers=headers, name="/api/v1/events/{id}/registrations", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            status = response.json().get("status")
            if status not in Shared.answers:
                response.failure(f"unexpected status {status!r}")
                return
            Shared.answers[status] += 1


def run(args: argparse.Namespace) -> dict[str, Any]:
    Shared.sessions = list(reversed(Path(args.sessions).read_text().split()))
    Shared.event_id = args.event
    Shared.session_cookie, Shared.csrf_cookie = args.session_cookie, args.csrf_cookie
    users = min(args.users, len(Shared.sessions))
    Graduate.host = args.host
    env = Environment(user_classes=[Graduate], events=events)
    runner = env.create_local_runner()
    started = Shared.t0 = time.monotonic()
    Shared.rate = args.spawn_rate
    # Every user is spawned within seconds and waits for its arrival time (on_start).
    runner.start(users, spawn_rate=min(100.0, float(users)))
    # Arrivals take users / rate seconds; the run ends when every graduate has finished (or
    # the safety limit has passed: a stuck server must not keep the benchmark going for ever).
    deadline = started + users / args.spawn_rate + args.max_seconds
    while time.monotonic() < deadline and Shared.finished < users:
        gevent.sleep(0.5)
    elapsed = time.monotonic() - started
    runner.quit()
    total = env.stats.total
    failures = [
        {"name": e.name, "method": e.method, "error": str(e.error), "occurrences": e.occurrences}
        for e in env.stats.errors.values()
    ]
    return {
        "users": users,
        "finished": Shared.finished,
        "requests": total.num_requests,
        "errors": total.num_failures,
        "p50_ms": total.get_response_time_percentile(0.50) or 0,
        "p95_ms": total.get_response_time_percentile(0.95) or 0,
        "p99_ms": total.get_response_time_percentile(0.99) or 0,
        "max_ms": total.max_response_time or 0,
        "throughput_rps": round(total.num_requests / elapsed, 1) if elapsed else 0.0,
        "seconds": round(elapsed, 1),
        "answered": dict(Shared.answers),
        "per_request": {
            name: {
                "requests": entry.num_requests,
                "errors": entry.num_failures,
                "p95_ms": entry.get_response_time_percentile(0.95) or 0,
            }
            for (name, _method), entry in sorted(env.stats.entries.items())
        },
        "failures": failures[:20],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--sessions", required=True, help="one session key per line")
    parser.add_argument("--event", type=int, required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--session-cookie", default="sessionid")
    parser.add_argument("--csrf-cookie", default="csrftoken")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    Path(args.out).write_text(json.dumps(run(args), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
