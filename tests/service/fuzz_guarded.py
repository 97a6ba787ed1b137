"""The operations :data:`tests.service.fuzzing.SKIP` leaves out, fuzzed each on a throwaway setup.

Logging out, changing or resetting a password, changing a role, switching an account off,
erasing a participant and taking a backup end sessions, lock people out or remove data. Each
drawn case therefore gets its own fresh accounts (the acting one, with its own token, and a
target of a drawn role) and, for an erasure, its own fresh participant; backups go to a
temporary folder. The path's username is mostly the target, sometimes the actor itself (an
admin demoting, resetting or switching off themselves) or a hostile value.

Besides the 5xx and partial writes :class:`~tests.service.fuzzing.Fuzzer` records, a refusal
must name what is wrong in Dutch (every code it carries is in the Dutch catalogue; a 422 names
its field), leave the actor's token working, and a success must have done what it says.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.live import PASSWORD, ROLES
from tests.service.fuzzing import SKIP, Finding, Fuzzer, table_counts
from tests.service.hostile_values import EXTREMES, Pool, at_extremes, hostile

NEW_PASSWORD = "nieuw wachtwoord 2026"
_NUMBERS = itertools.count()
ADMIN_ONLY = {path for _, path in SKIP if "/admin/" in path or path.endswith("/erase")}


def dutch_problems(r: httpx.Response) -> list[str]:
    """What is unclear about a JSON refusal: a code missing or not in the Dutch catalogue, a 422 naming no field."""
    from service.i18n import translations

    try:
        body = r.json()
    except ValueError:
        return ["no JSON body"]
    catalogue = translations("nl")
    items = [body] + list(body.get("problems") or []) + [d for d in body.get("detail") or [] if isinstance(d, dict)]
    codes = [i["code"] for i in items if isinstance(i, dict) and i.get("code")]
    out = [] if codes else ["no message code"]
    out += [f"{c} not in the Dutch catalogue" for c in codes if catalogue.gettext(c) == c]
    named = [p for p in body.get("problems") or [] if p.get("column")] or [
        d for d in body.get("detail") or [] if isinstance(d, dict) and d.get("loc")]
    if r.status_code == 422 and not named:
        out.append("a 422 naming no field")
    return out


#: The fields of each form :data:`tests.service.fuzz_pages.SKIP_FORMS` leaves out, with the values that work
#: ("{actor}", "{target}" and "{person}" stand for the case's own accounts and participant).
FORMS: dict[str, dict[str, list[str]]] = {
    "/login": {"username": ["{actor}", "{target}"], "password": [PASSWORD],
               "next": ["/", "//elders.example", "https://elders.example/", "/\\elders.example"]},
    "/logout": {},
    "/account/password": {"current_password": [PASSWORD], "new_password": [NEW_PASSWORD],
                          "confirm_password": [NEW_PASSWORD]},
    "/admin/users/{username}/password": {"password": [NEW_PASSWORD]},
    "/admin/users/{username}/role": {"role": list(ROLES)},
    "/admin/users/{username}/active": {"active": ["0", "1"]},
    "/admin/erasure": {"participant_id": ["{person}"], "reason": ["Op vraag van de deelnemer"], "confirm": ["yes"]},
}
#: Fields whose value is one of a few: any other value must be refused, not read as one of them.
CHOICES = {"role": set(ROLES), "active": {"0", "1"}}


@dataclass
class GuardedFuzzer(Fuzzer):
    """:class:`Fuzzer` for the operations of :data:`SKIP`, each case on fresh accounts and people."""

    app: Any = None               # the served app (its connection changes when an erasure rewrites the file)
    backups: Path = Path()        # where the server writes backups
    counter: itertools.count = field(default_factory=lambda: _NUMBERS)  # account names unique per process
    password_hash: str = ""

    def cursor(self):
        self.con = self.app.state.db
        return self.con.cursor()

    def account(self, role: str) -> tuple[str, str]:
        """A fresh account of ``role`` (password :data:`PASSWORD`, its argon2 hash made once) and an API token."""
        from service.users import hash_password, issue_token

        username, cur = f"fz{next(self.counter)}-{role}", self.cursor()
        self.password_hash = self.password_hash or hash_password(PASSWORD)
        cur.execute("INSERT INTO service.users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)",
                    [username, username, role, self.password_hash])
        return username, issue_token(cur, username=username)

    def participant(self) -> str:
        from assessment.participants import create_participant

        return create_participant(self.cursor(), by="assessor", consent=True, contact={"name": "Wegwerp Persoon"},
                                  details={"coach": "coach", "postcode": "8000"}).participant_id

    def guarded(self, spec: dict) -> list[Any]:
        import schemathesis

        ops = [r.ok() for r in schemathesis.openapi.from_dict(spec).get_all_operations()]
        return sorted((op for op in ops if (op.method.upper(), op.path) in SKIP), key=lambda op: (op.path, op.method))

    def run_guarded(self, op: Any, *, examples: int, derandomize: bool) -> None:
        tried = [0]

        @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(GenerationMode.POSITIVE), pick=st.integers(0, 11), data=st.data())
        def one(case, pick, data) -> None:
            role = ROLES[pick % 4] if op.path not in ADMIN_ONLY or pick >= 9 else "admin"
            actor, token = self.account(role)
            target, target_token = self.account(data.draw(st.sampled_from(ROLES)))
            person = self.participant() if "participant_id" in (case.path_parameters or {}) else ""
            own = {"username": [target] * 3 + [actor], "participant_id": [person] * 3}
            for name, value in list((case.path_parameters or {}).items()):
                case.path_parameters[name] = data.draw(st.one_of(
                    st.sampled_from(own.get(name) or [value]), hostile(value, name, Pool())))
            if isinstance(case.body, dict) and case.media_type == "application/json":
                case.body = data.draw(hostile(case.body, "", self.pool))
                for key, good in (("current", PASSWORD), ("new", NEW_PASSWORD), ("password", NEW_PASSWORD)):
                    if key in case.body and data.draw(st.booleans()):
                        case.body[key] = good
            tried[0] += 1
            if tried[0] <= len(EXTREMES):
                at_extremes(case, op, tried[0] - 1)
            self.send_guarded(case, role, token, who={"actor": actor, "target": target, "person": person},
                              target_token=target_token)

        one()

    def send_guarded(self, case: Any, role: str, token: str, *, who: dict[str, str], target_token: str) -> None:
        before, audited = table_counts(self.cursor()), self.last_audit()
        label = (f"{case.method.upper()} {case.formatted_path} as {role} ({who['actor']}, target {who['target']}) "
                 f"body={case.body!r:.300}")
        backups = set(self.backups.glob("*.duckdb"))
        try:
            r = case.call(base_url=self.base_url, timeout=60,
                          headers={"Authorization": f"Bearer {token}", "Accept-Language": "nl"})
        except Exception as exc:  # a request the client could not even send is not the server's fault
            if "Connection" in type(exc).__name__:
                self.findings.append(Finding("5xx", label, 0, repr(exc)))
            return
        self.cursor()  # an erasure rewrote the file: count on the new connection
        status = self.check(label, r, before)
        if 400 <= status < 500 and "json" in r.headers.get("content-type", ""):  # not a path that left the API
            unclear = dutch_problems(r)
            if unclear:
                self.findings.append(Finding("unclear refusal", label, status, f"{unclear} {r.text}"))
            if self.me(token) != 200 and r.status_code not in (401, 403):
                self.findings.append(Finding("refusal ended the session", label, status, r.text))
            if set(self.backups.glob("*.duckdb")) != backups:
                self.findings.append(Finding("partial write", label, status, "a backup file was written"))
            if self.audited_since(audited):
                self.findings.append(Finding("partial write", label, status, str(self.audited_since(audited))))
        elif status < 300:
            wrong = self.effect_missing(case, r, token, who=who, target_token=target_token, backups=backups)
            if wrong:
                self.findings.append(Finding("wrong effect", label, status, f"{wrong} {r.text}"))

    def me(self, token: str) -> int:
        return httpx.get(f"{self.base_url}/api/auth/me", headers={"Authorization": f"Bearer {token}"},
                         timeout=60).status_code

    def effect_missing(self, case: Any, r: httpx.Response, token: str, *, who: dict[str, str], target_token: str,
                       backups: set[Path]) -> str:
        """What a 2xx of the guarded operation did not do ("" when it did it all)."""
        path, body, cur = case.path, case.body if isinstance(case.body, dict) else {}, self.cursor()
        username = (case.path_parameters or {}).get("username")
        row = cur.execute("SELECT role, active FROM service.users WHERE username = ?", [username]).fetchone()
        if path in ("/api/auth/logout", "/api/account/password") and self.me(token) != 401:
            return "the token still works"
        if path.endswith("/password") and "{username}" in path and username == who["actor"]:
            return "an admin set their own password without the current one"
        if path.endswith("/password") and "{username}" in path and username == who["target"] \
                and self.me(target_token) != 401:
            return "the target's token still works"
        if path.endswith("/role") and username == who["actor"]:
            return "an admin changed their own role"
        if path.endswith("/role") and (row is None or row[0] != body.get("role")):
            return f"the role is {row}"
        if path.endswith("/active") and (row is None or row[1] != body.get("active")):
            return f"the account is {row}"
        if path.endswith("/active") and body.get("active") is False and username == who["actor"]:
            return "an admin switched off their own account"
        if path.endswith("/active") and body.get("active") is False and self.me(target_token) != 401 \
                and username == who["target"]:
            return "the switched-off account's token still works"
        if path.endswith("/erase") and cur.execute("SELECT 1 FROM assessment.participants WHERE participant_id = ?",
                                                   [case.path_parameters["participant_id"]]).fetchone():
            return "the participant is still there"
        if path.endswith("/backup") and len(set(self.backups.glob("*.duckdb")) - backups) != 1:
            return "no new backup file in the backup folder"
        return ""

    def last_audit(self) -> int:
        return self.cursor().execute("SELECT coalesce(max(audit_id), 0) FROM service.audit_log").fetchone()[0]

    def audited_since(self, audit_id: int) -> list[str]:
        """The actions audited after ``audit_id`` other than failed logins (a refusal audits no action)."""
        return [a for (a,) in self.cursor().execute(
            "SELECT action FROM service.audit_log WHERE audit_id > ? AND action <> 'login_failed' ORDER BY audit_id",
            [audit_id]).fetchall()]

    def browser(self, role: str) -> tuple[str, httpx.Client]:
        """A fresh account of ``role`` with a browser session (cookie) of it."""
        from service.users import issue_token

        username, _ = self.account(role)
        session = issue_token(self.cursor(), username=username, kind="session")
        return username, httpx.Client(base_url=self.base_url, timeout=60, cookies={"werkbrug_session": session})

    def run_form(self, path: str, *, examples: int, derandomize: bool) -> None:
        from tests.service.hostile_values import HOSTILE_STRINGS
        from tests.service.web import csrf_of

        fields = FORMS[path]

        @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(pick=st.integers(0, 11), data=st.data())
        def one(pick, data) -> None:
            role = ROLES[pick % 4] if "/admin/" not in path or pick >= 9 else "admin"
            actor, browser = self.browser(role)
            target, target_browser = self.browser(data.draw(st.sampled_from(ROLES)))
            who = {"actor": actor, "target": target, "person": self.participant() if "erasure" in path else ""}
            with browser, target_browser:
                if path == "/login":
                    browser.cookies.clear()
                csrf = csrf_of(browser.get("/login" if path == "/login" else "/account").text)
                values = {}
                for name, good in fields.items():
                    good = [g.format(**who) for g in good]
                    value = data.draw(st.one_of(st.sampled_from(good), st.sampled_from(HOSTILE_STRINGS), st.none()))
                    if value is not None:
                        values[name] = value
                url = path.replace("{username}", data.draw(st.sampled_from(
                    [target] * 3 + [actor, "onbekend", "%00", "x" * 300])))
                before, audited = table_counts(self.cursor()), self.last_audit()
                body = urlencode({**values, "csrf_token": csrf}, encoding="utf-8", errors="surrogatepass")
                r = browser.post(url, content=body, headers={
                    "Accept-Language": "nl", "Content-Type": "application/x-www-form-urlencoded"})
                self.cursor()
                label = f"FORM POST {url} as {role} ({actor}, target {target}) data={values!r:.300}"
                status = self.check(label, r, before)
                if status >= 400 and 'lang="nl"' not in r.text:
                    self.findings.append(Finding("unclear refusal", label, status, "not a Dutch page " + r.text[:300]))
                if 400 <= status < 500 and self.audited_since(audited):
                    self.findings.append(Finding("partial write", label, status, str(self.audited_since(audited))))
                if 400 <= status < 500 and path not in ("/login", "/logout") \
                        and browser.get("/account").status_code != 200:
                    self.findings.append(Finding("refusal ended the session", label, status, r.text[:300]))
                where = r.headers.get("location", "")
                if status == 303 and (not where.startswith("/") or where.startswith(("//", "/\\"))):
                    self.findings.append(Finding("redirect elsewhere", label, status, where))
                odd = {k: v for k, v in values.items() if k in CHOICES and v not in CHOICES[k]}
                if status < 400 and odd and table_counts(self.cursor()) != before:
                    self.findings.append(Finding("bad input accepted", label, status, f"{odd} changed the account"))

        one()
