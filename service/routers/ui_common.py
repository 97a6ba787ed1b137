"""Pages every role shares: login, logout, language switch, start page, error pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.administration import sign_in, start_session
from service.auth import check_csrf, clear_session_cookie, client_address, set_session_cookie
from service.deps import SESSION_COOKIE, Cursor, current_user
from service.i18n import LANG_COOKIE, LANGUAGES, request_language
from service.limits import RequestRefused
from service.messages import message
from service.ui import render, ui_translator
from service.users import User, revoke_token

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(current_user)]


def safe_next(url: str | None) -> str:
    """Only local paths are followed after login or a language switch."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


def login_page(
    request: Request, *, next_url: str = "/", status_code: int = 200, errors: dict[str, str] | None = None,
    username: str = "", reason: str | None = None,
) -> HTMLResponse:
    """The login form (also shown, with 401, instead of any page that needs a login)."""
    _ = ui_translator(request)
    demo_logins = getattr(request.app.state, "demo_logins", None) if request.app.state.demo else None
    if status_code == 401 and reason is None and next_url not in ("/", "/login"):
        reason = _("Please log in to see this page.")
    return render(
        request, "login.html", None, status_code=status_code, next=safe_next(next_url), errors=errors or {},
        username=username, reason=reason, demo_logins=demo_logins,
    )


def error_page(request: Request, status_code: int, message: str, *, problems: list[str] | None = None,
               own: bool = False, headers: dict[str, str] | None = None) -> HTMLResponse:
    """An error page in the reader's language (``own``: ``message`` as given, not the status's general text)."""
    _ = ui_translator(request)
    titles = {
        400: _("Invalid request"), 403: _("Not allowed"), 404: _("Not found"), 405: _("Not possible at this address"),
        409: _("Conflict"), 413: _("Too large"), 422: _("Please check your input"), 429: _("Too many attempts"),
    }
    messages = {
        403: _("Your role may not open this page or this record."),
        404: _("This page or record does not exist, or you may not see it."),
    }
    user = getattr(request.state, "user", None)
    response = render(
        request, "error.html", user, status_code=status_code, title=titles.get(status_code, _("Something went wrong")),
        message=message if own else messages.get(status_code, message), problems=problems or [],
    )
    response.headers.update(headers or {})  # e.g. the Allow of a 405
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return login_page(request, next_url=next)


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request, cursor: Cursor,
    username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password, then set the session cookie (rate-limited per user and address)."""
    _ = ui_translator(request)
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = _("Enter your username.")
    if not password:
        errors["password"] = _("Enter your password.")
    if errors:
        return login_page(request, next_url=next, status_code=422, errors=errors, username=username)
    try:
        user = sign_in(cursor, limiter=request.app.state.login_limiter, username=username, password=password,
                       address=client_address(request), via="page")
    except RequestRefused as exc:
        field = "password" if exc.status_code == 401 else "_form"
        errors[field] = message(exc.code, exc.params, lang=request_language(request), fallback=str(exc.detail))
        response = login_page(request, next_url=next, status_code=exc.status_code, errors=errors, username=username)
        response.headers.update(exc.headers or {})
        return response
    token = start_session(cursor, user=user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, cursor: Cursor) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        revoke_token(cursor, token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str = "/") -> Response:
    """Remember the chosen language (nl or en) in a cookie and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: PageUser) -> HTMLResponse:
    """The start page: what this role can do."""
    _ = ui_translator(request)
    links = {
        "assessor": [
            ("/assessor/participants", _("Participants"), _("Find or register a participant and enter test results.")),
            ("/assessor/batch", _("Batch import"), _("Download the Excel template and upload filled-in results.")),
        ],
        "coach": [
            ("/coach/participants", _("My participants"),
             _("Competence profiles, job targets and trajectories of your caseload.")),
        ],
        "liaison": [
            ("/liaison/vacancies", _("Vacancies"), _("Create vacancies, pull and confirm shortlists.")),
        ],
        "admin": [
            ("/admin/users", _("Users"), _("Create accounts and switch them off.")),
            ("/admin/language-requirements", _("Language requirements"),
             _("The Dutch level each occupation needs.")),
            ("/admin/audit", _("Audit log"), _("Who read which personal data, and why.")),
        ],
    }[user.role.value]
    links.append(("/docs", _("API"), _("The JSON API with its documentation.")))
    return render(request, "home.html", user, links=links)
