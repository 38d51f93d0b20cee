"""The virtual users of the load test; ``python -m bangfu.scale.load`` runs this file.

Each user signs in as the next demo account of the plan the load test wrote
(``BANGFU_LOAD_PLAN``), then, thinking 0.5–1.5 s between actions:
- everyone reads: home page, pairing list and detail, activity list and
  detail, statistics dashboard, bulletin text;
- staff of a helper school record activities through the activity form
  (CSRF token and all), then read the new activity back;
- staff of the recipient school confirm those activities through the form on
  the activity's page.

Every request's latency, every failure and every write the server
acknowledged (the activity's id from the redirect, and the unique title sent)
go to ``BANGFU_LOAD_RESULTS`` when locust quits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import time
from collections import Counter, defaultdict, deque
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

from bangfu.scale.htmlforms import parse_forms

PLAN = json.loads(Path(os.environ["BANGFU_LOAD_PLAN"]).read_text("utf-8"))
RESULTS = Path(os.environ["BANGFU_LOAD_RESULTS"])
PREFIX = f"压力测试 {os.environ.get('BANGFU_LOAD_RUN', 'run')} "
TIME_ZONE = ZoneInfo("Asia/Shanghai")
LOGIN_PATH = "/accounts/login/"
ACTIVITY_PATH = re.compile(r"^/activities/(\d+)/$")

ACCOUNTS = itertools.cycle(PLAN["accounts"])
SEQUENCE = itertools.count(1)
# Activities recorded and not yet confirmed, by pairing. The users are
# greenlets of one process: popleft never runs halfway.
PENDING: dict[int, deque[int]] = defaultdict(deque)

USERS = int(os.environ.get("BANGFU_LOAD_USERS", "0"))
clock = {"started": 0.0, "stopped": 0.0, "steady": 0.0}
started_users = Counter()
times: dict[str, list[float]] = defaultdict(list)
failures: Counter[str] = Counter()
errors: Counter[str] = Counter()
# Requests that started once every user had signed in: the login rush is over.
steady = {"times": [], "failures": 0}
writes: list[dict] = []
confirms: list[dict] = []


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    times[name].append(response_time)
    if exception is not None:
        failures[name] += 1
        errors[f"{name}: {exception}"[:300]] += 1
    if clock["steady"] and time.time() - response_time / 1000 >= clock["steady"]:
        steady["times"].append(response_time)
        steady["failures"] += exception is not None


@events.test_start.add_listener
def _started(**kwargs):
    clock["started"] = time.time()


@events.test_stop.add_listener
def _stopped(**kwargs):
    clock["stopped"] = time.time()


@events.quitting.add_listener
def _write_results(**kwargs):
    stopped = clock["stopped"] or time.time()
    data = {
        "started": clock["started"],
        "stopped": stopped,
        "requests": {n: {"times": t, "failures": failures[n]} for n, t in times.items()},
        "errors": dict(errors),
        "steady": {"from": clock["steady"], **steady},
        "writes": writes,
        "confirms": confirms,
        "prefix": PREFIX,
    }
    RESULTS.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _form_errors(page: str) -> str:
    found = re.findall(r'role="alert"[^>]*>(.*?)</', page, flags=re.S)
    return "; ".join(re.sub(r"<[^>]+>", "", e).strip() for e in found)[:200] or "no message"


class PlatformUser(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.account = next(ACCOUNTS)
        self.signed_in = self.sign_in()
        if self.signed_in and self.account["record"]:
            self.record_activity()
        started_users["all"] += 1
        if started_users["all"] == USERS:
            clock["steady"] = time.time()

    @task
    def act(self):
        if not self.signed_in:
            self.signed_in = self.sign_in()
            return
        actions = [
            (self.home, 2),
            (self.pairing_list, 2),
            (self.pairing_detail, 3),
            (self.activity_list, 3),
            (self.activity_detail, 3),
            (self.dashboard, 1),
            (self.bulletin, 1),
        ]
        if self.account["record"]:
            actions.append((self.record_activity, 4))
        if self.account["confirm"]:
            actions.append((self.confirm_activity, 4))
        action = random.choices([a for a, _w in actions], [w for _a, w in actions])[0]
        action()

    # --- signing in -----------------------------------------------------------------

    def sign_in(self) -> bool:
        page = self.get(LOGIN_PATH, "login form", signed_in=False)
        form = page and self.form(page, "login form", lambda f: "username" in f.names())
        if form is None:
            return False
        data = form.data(username=self.account["username"], password=PLAN["password"])
        with self.client.post(
            LOGIN_PATH, data=data, name="login", allow_redirects=False, catch_response=True
        ) as response:
            target = urlsplit(response.headers.get("Location", "")).path
            if response.status_code == 302 and target not in (LOGIN_PATH, "/accounts/password/"):
                response.success()
                return True
            if response.status_code == 302:
                response.failure(f"{self.account['username']}: sent to {target}")
            else:
                response.failure(
                    f"{self.account['username']}: status {response.status_code}: "
                    f"{_form_errors(response.text)}"
                )
            return False

    # --- reads ----------------------------------------------------------------------

    def get(self, path: str, name: str, *, expect: str = "", signed_in: bool = True):
        """The page's text on 200 (and containing ``expect``); a failure otherwise."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                target = response.headers.get("Location", "")
                response.failure(f"status {response.status_code} {target}".strip())
                if signed_in and urlsplit(target).path == LOGIN_PATH:
                    self.signed_in = False  # signed out: sign in again next time
                return None
            if expect and expect not in response.text:
                response.failure(f"{expect!r} is not on the page")
                return None
            response.success()
            return response.text

    def form(self, page: str, name: str, match):
        found = next((f for f in parse_forms(page) if match(f)), None)
        if found is None:
            events.request.fire(
                request_type="FORM",
                name=name,
                response_time=0,
                response_length=0,
                exception=AssertionError("the form is not on the page"),
            )
        return found

    def home(self):
        self.get("/", "home")

    def pairing_list(self):
        self.get("/pairings/", "pairing list")

    def pairing_detail(self):
        if self.account["pairings"]:
            self.get(f"/pairings/{random.choice(self.account['pairings'])}/", "pairing detail")

    def activity_list(self):
        self.get("/activities/", "activity list")

    def activity_detail(self):
        if self.account["activities"]:
            pk = random.choice(self.account["activities"])
            self.get(f"/activities/{pk}/", "activity detail")

    def dashboard(self):
        self.get("/stats/dashboard/", "statistics dashboard")

    def bulletin(self):
        self.get("/stats/bulletin/", "bulletin")

    # --- writes ---------------------------------------------------------------------

    def record_activity(self):
        pairing = random.choice(self.account["record"])
        path = f"/activities/new/?pairing={pairing}"
        page = self.get(path, "activity form")
        form = page and self.form(page, "activity form", lambda f: "title" in f.names())
        if form is None:
            return
        title = f"{PREFIX}{self.account['username']} {next(SEQUENCE)}"
        today = dt.datetime.now(TIME_ZONE).date().isoformat()
        data = form.data(
            pairing=pairing,
            title=title,
            start_date=today,
            end_date=today,
            place="线上",
            sessions=1,
            helper_headcount=2,
            recipient_headcount=20,
            person_times=22,
            outcome="压力测试写入",
        )
        with self.client.post(
            path, data=data, name="activity create", allow_redirects=False, catch_response=True
        ) as response:
            found = ACTIVITY_PATH.match(urlsplit(response.headers.get("Location", "")).path)
            if response.status_code != 302 or found is None:
                response.failure(f"status {response.status_code}: {_form_errors(response.text)}")
                return
            response.success()
        pk = int(found.group(1))
        writes.append(
            {"pk": pk, "title": title, "pairing": pairing, "username": self.account["username"]}
        )
        PENDING[pairing].append(pk)
        # Read your own write, as the browser does after the redirect.
        self.get(f"/activities/{pk}/", "activity (own write)", expect=title)

    def confirm_activity(self):
        pk, pairing = None, None
        for pairing in random.sample(self.account["confirm"], len(self.account["confirm"])):
            if PENDING[pairing]:
                pk = PENDING[pairing].popleft()
                break
        if pk is None:
            return self.activity_list()
        action = f"/activities/{pk}/confirm/"
        page = self.get(f"/activities/{pk}/", "activity (to confirm)")
        form = page and self.form(page, "confirm form", lambda f: f.action == action)
        if form is None:
            return
        data = form.data(rating=5, feedback="已收到,效果良好。")
        with self.client.post(
            action, data=data, name="activity confirm", allow_redirects=False, catch_response=True
        ) as response:
            target = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != 302 or target != f"/activities/{pk}/":
                response.failure(f"status {response.status_code}: {_form_errors(response.text)}")
                return
            response.success()
        confirms.append({"pk": pk, "pairing": pairing, "username": self.account["username"]})
