"""Uploads are parsed in a worker thread: other requests are answered while a large import is parsed."""

from __future__ import annotations

import io
import select
import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import openpyxl

from tests.live import PASSWORD, add_role_users, running_server


def _large_workbook(rows: int = 4900, cols: int = 20) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Vacatures")
    ws.append([f"kolom{c}" for c in range(cols)])  # unknown columns: refused only after the whole parse
    for r in range(rows):
        ws.append([f"waarde {r}-{c}" for c in range(cols)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_login_page_answers_while_a_large_import_is_parsed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    with running_server(db) as url:
        with httpx.Client(base_url=url) as c:
            token = c.post("/api/auth/token", json={"username": "liaison", "password": PASSWORD}).json()
        request = httpx.Request("POST", f"{url}/api/vacancies/import",
                                headers={"Authorization": f"Bearer {token['access_token']}"},
                                files={"file": ("groot.xlsx", _large_workbook())})
        body = request.read()
        head = [f"POST {request.url.raw_path.decode()} HTTP/1.1", f"Host: {request.url.netloc.decode()}",
                *(f"{k}: {v}" for k, v in request.headers.items() if k.lower() not in ("host", "content-length")),
                f"Content-Length: {len(body)}", "Connection: close", "", ""]
        host = urlsplit(url)
        with socket.create_connection((host.hostname, host.port)) as upload, httpx.Client(base_url=url) as other:
            upload.sendall("\r\n".join(head).encode() + body)
            answered_during_import = 0
            while True:
                ready, _, _ = select.select([upload], [], [], 0)
                if ready:
                    break  # the import has answered
                assert other.get("/login").status_code == 200
                answered_during_import += 1
            reply = b""
            while chunk := upload.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 422"), reply[:200]
        # With parsing on the event loop, no login page could be served once parsing began.
        assert answered_during_import >= 3


def test_csv_template_from_the_assessor_page_round_trips(tmp_path: Path) -> None:
    from assessment.participants import create_participant
    from foundation.db import connect
    from tests.service.web import browser_for, post_form

    db = tmp_path / "w.duckdb"
    add_role_users(db)
    con = connect(db)
    pid = create_participant(con, by="assessor").participant_id
    con.close()
    with running_server(db) as url, browser_for(url, "assessor") as c:
        page = c.get("/assessor/batch")
        assert 'name="format" value="csv"' in page.text
        r = c.get("/assessor/batch/template", params={"instrument": "dutch-cefr", "participants": pid,
                                                      "format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        lines = r.content.decode("utf-8-sig").splitlines()
        assert lines[1].startswith(f"dutch-cefr;1;{pid};")
        lines[1] = f"dutch-cefr;1;{pid};1/10/2026;één;A2;A1.2;A2;A1"
        data = ("\r\n".join(lines) + "\r\n").encode("cp1252")  # as Belgian Excel saves it
        done = post_form(c, "/assessor/batch", "/assessor/batch", {}, files={"file": ("taal.csv", data)})
        assert done.status_code == 200, done.text
        assert "Nothing was imported" not in done.text and "Niets" not in done.text
