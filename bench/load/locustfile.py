"""Deadline day: each simulated user is one town's information officer who logs in, opens the inbox,
opens the month's report (填报), saves a draft, submits it, and then keeps checking its status.
Before each step it also asks the trivial view (/healthz), so that view is measured under the
same load. Run by bench/load/run.py (`make load`), which passes the settings below by environment.

The client talks to gunicorn on loopback as nginx would: X-Forwarded-Proto https and a Referer, so
the production settings (secure cookies, CSRF for HTTPS, SSL redirect) stay exactly as deployed. Secure
cookies are kept by hand because an HTTP client will not send them over plain HTTP.

A submission counts as acknowledged when the person would see it so: the report page after the
submit shows "月报已提交". Those report ids go to LOAD_ACKS (one per line) for run.py to check
against the database afterwards. A refused step (a 503 while PostgreSQL restarts) is retried after
a pause, as a person would click again.
"""

import json
import os
import random
import re
import time
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.exception import StopUser

USERS = json.loads(Path(os.environ["LOAD_USERS"]).read_text())  # [{"username", "town"}], one per officer
PERIOD = os.environ["LOAD_PERIOD"]  # YYYY-MM
PASSWORD = os.environ["LOAD_PASSWORD"]
ACKS = Path(os.environ["LOAD_ACKS"])
SAMPLES = Path(os.environ["LOAD_SAMPLES"])  # every request: time, name, status, milliseconds
THINK = (float(os.environ.get("LOAD_THINK_MIN", "2")), float(os.environ.get("LOAD_THINK_MAX", "8")))
RETRY_PAUSE = 3.0
MAX_TRIES = 40  # 2 minutes of retries at most; the run itself is bounded by --run-time anyway

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT_PATH = re.compile(r"/reports/(\d+)/")
_claimed = iter(USERS)
_samples = SAMPLES.open("a", buffering=1)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    _samples.write(f"{time.time():.3f},{name},{status},{response_time:.1f}\n")


class Officer(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        try:
            self.account = next(_claimed)
        except StopIteration:
            raise StopUser() from None
        self.cookies: dict[str, str] = {}
        self.report_id: int | None = None
        self.submitted = False
        self.login()

    # -- HTTP as behind nginx --------------------------------------------------------------------------

    def _headers(self) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{self.host_name}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    @property
    def host_name(self) -> str:
        return self.host.split("://", 1)[1].rstrip("/")

    def _keep_cookies(self, response) -> None:
        for name, value in response.cookies.items():
            self.cookies[name] = value

    def request(self, method: str, path: str, name: str, ok=(200, 302), data=None):
        """One request, not following redirects (each hop is measured on its own). Returns the response
        when its status is one of `ok`, else marks it failed and returns None."""
        # X-Load-Step: the workers log each request's CPU under its step (bench/load/gunicorn_measured.py).
        headers = {**self._headers(), "X-Load-Step": name}
        with self.client.request(
            method, path, name=name, data=data, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            self._keep_cookies(response)
            if response.status_code in ok:
                response.success()
                return response
            response.failure(f"HTTP {response.status_code}")
            return None

    def trivial(self) -> None:
        self.request("GET", "/healthz", "trivial /healthz", ok=(200,))

    def until_ok(self, step) -> object:
        for _ in range(MAX_TRIES):
            result = step()
            if result:
                return result
            time.sleep(RETRY_PAUSE)
        raise StopUser()

    # -- The officer's steps ---------------------------------------------------------------------------

    def csrf(self, response) -> str:
        match = CSRF_INPUT.search(response.text)
        return match.group(1) if match else self.cookies.get("csrftoken", "")

    def login(self) -> None:
        def attempt():
            self.trivial()
            page = self.request("GET", "/accounts/login/", "login page", ok=(200,))
            if page is None:
                return None
            data = {"csrfmiddlewaretoken": self.csrf(page), **{"username": self.account["username"]}}
            data["password"] = PASSWORD
            done = self.request("POST", "/accounts/login/", "login", ok=(302,), data=data)
            return done is not None and "sessionid" in self.cookies

        self.until_ok(attempt)

    def open_report(self):
        """The inbox, then its 填报 button: the report's entry form."""

        def attempt():
            self.trivial()
            inbox = self.request("GET", "/", "open inbox", ok=(200,))
            if inbox is None:
                return None
            data = {"csrfmiddlewaretoken": self.csrf(inbox), "town": self.account["town"], "period": PERIOD}
            filled = self.request("POST", "/reports/fill/", "fill (open report)", ok=(302,), data=data)
            if filled is None or not REPORT_PATH.search(filled.headers.get("Location", "")):
                return None
            self.report_id = int(REPORT_PATH.search(filled.headers["Location"]).group(1))
            return self.request("GET", f"/reports/{self.report_id}/edit/", "entry form", ok=(200,))

        return self.until_ok(attempt)

    def figures(self) -> dict:
        rng = random.Random(self.account["town"])
        invest = round(rng.uniform(200, 5000), 1)
        return {
            "fixed_asset_investment": invest,
            "industry_investment": round(invest * 0.6, 1),
            "private_investment": round(invest * 0.2, 1),
            "tax_revenue": round(rng.uniform(20, 400), 1),
            "main_business_revenue": round(rng.uniform(500, 20000), 1),
            "land_quota_granted": rng.randint(0, 30),
            "land_supplied": rng.randint(0, 20),
            "new_enterprises": rng.randint(0, 5),
            "employment": rng.randint(500, 5000),
            "tourists": round(rng.uniform(0, 30), 1),
            "projects_started": rng.randint(0, 3),
            "projects_completed": rng.randint(0, 2),
        }

    def post_form(self, form_page, action: str, name: str):
        data = {"csrfmiddlewaretoken": self.csrf(form_page), **self.figures(), "action": action}
        # The load towns have no projects: investment with no project progress needs a word (issue 16).
        data["note-fixed_asset_investment"] = "本月投资为尚未纳入项目台账的零星投资。"
        return self.request("POST", f"/reports/{self.report_id}/edit/", name, ok=(302,), data=data)

    @task
    def deadline_day(self) -> None:
        if self.submitted:
            self.trivial()
            self.request("GET", f"/reports/{self.report_id}/", "check status", ok=(200,))
            time.sleep(random.uniform(10, 20))
            return
        form = self.open_report()
        time.sleep(random.uniform(*THINK))  # typing the figures

        def save():
            self.trivial()
            return self.post_form(form, "save", "save draft")

        self.until_ok(save)
        time.sleep(random.uniform(*THINK))

        def submit():
            self.trivial()
            page = self.request("GET", f"/reports/{self.report_id}/edit/", "entry form", ok=(200, 302))
            if page is None:
                return None
            if page.status_code == 302:  # no longer editable: an earlier attempt went through unseen
                return self.request("GET", f"/reports/{self.report_id}/", "report page", ok=(200,))
            sent = self.post_form(page, "submit", "submit")
            if sent is None:
                return None
            return self.request("GET", f"/reports/{self.report_id}/", "report page", ok=(200,))

        shown = self.until_ok(submit)
        if "月报已提交" in shown.text or "已报送" in shown.text:
            with ACKS.open("a") as acks:
                acks.write(f"{self.report_id}\n")
            self.submitted = True
