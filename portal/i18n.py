"""Locale selection and formatting: Vietnamese first, English second, Asia/Ho_Chi_Minh time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import format_currency, format_decimal
from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import BuildError

from portal import visitor
from portal.domain.phone import national_format
from portal.domain.working_days import LOCAL_TZ
from portal.extensions import babel

SUPPORTED = ("vi", "en")
DEFAULT = "vi"
COOKIE = "portal_lang"
COOKIE_AGE = 365 * 24 * 3600
NAMES = {"vi": "Tiếng Việt", "en": "English"}


def choose_locale() -> str:
    """Explicit choice (?lang=, then the remembered cookie), then the account's, then Vietnamese.

    Accept-Language is deliberately ignored: most phones here are set to English by default while
    their owners read Vietnamese, so the browser's wish is a poor guide.
    """
    if not has_request_context():  # CLI and background work: Vietnamese
        return DEFAULT
    current = request._get_current_object()  # type: ignore[attr-defined]  # (one proxy look-up)
    chosen = current.args.get("lang", "") if current.query_string else ""
    if chosen in SUPPORTED:
        g.chosen_locale = chosen
        return chosen
    cookies = current.cookies
    # `in` first: a missing key's `get` builds werkzeug's BadRequestKeyError inside, most visitors have none.
    remembered = cookies.get(COOKIE, "") if COOKIE in cookies else ""
    if remembered in SUPPORTED:
        return remembered
    user = visitor.user()
    if user and user.is_authenticated and user.locale in SUPPORTED:
        return user.locale
    return DEFAULT


_LOCALES = {code: Locale.parse(code) for code in SUPPORTED}


def select_locale() -> Locale:
    """Flask-Babel's locale selector: choose_locale() as a Locale made once (Babel would parse the code and
    check its data files on every request)."""
    return _LOCALES[choose_locale()]


def remember_choice(response: Response) -> Response:
    chosen = g.get("chosen_locale")
    if chosen:
        settings = current_app.config["PORTAL_SETTINGS"]
        response.set_cookie(
            COOKIE, chosen, max_age=COOKIE_AGE, secure=settings.secure_cookies, httponly=True, samesite="Lax"
        )
    return response


_CODES = {locale: code for code, locale in _LOCALES.items()}


def locale_code() -> str:
    locale = get_locale()
    # Our two locales by table (Babel's str() joins the identifier's parts each time); any other as before.
    code = _CODES.get(locale) if locale is not None else None
    return code if code is not None else str(locale or DEFAULT)


# Babel's own English pattern puts the symbol first ('₫150,000'); the portal writes the amount first in both
# languages, as Vietnamese does, with each language's digit grouping: '150.000 ₫' and '150,000 ₫'.
MONEY_PATTERN = "#,##0\u00a0¤"


def vnd(amount: int | None, sign: bool = True, locale: str | None = None) -> str:
    """150000 -> '150.000 ₫' in vi, '150,000 ₫' in en. Amounts are whole dong (no minor unit).

    sign=False: the digits alone ('150.000'), for a text that names the currency in words (an SMS, whose
    alphabet has no ₫). locale: the text's language when it is not the page's (vnd_in_text)."""
    if amount is None:
        return ""
    locale = locale or locale_code()
    if not sign:
        return format_decimal(amount, format=MONEY_PATTERN.removesuffix("\u00a0¤"), locale=locale)
    return format_currency(amount, "VND", format=MONEY_PATTERN, locale=locale)


# An amount written by hand in a Vietnamese text: the catalogue's fee notes ("20.000 đ nộp trực tiếp",
# "50.000–100.000 đ/giấy phép", taken from the legal texts) or an officer's fee basis. Printed forms write "đ"
# or "VNĐ"; beside the amounts vnd() writes, a page read "20.000 ₫" and "20.000 đ" in one line. Digits grouped
# by dots or commas, or none; a range's two ends ("50.000–100.000 đ"; no spaces: "2022 - 20.000 đ" is a year
# and an amount); "đồng", a word, and "Đ.7" (an article) stay.
_WRITTEN = r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d+"
WRITTEN_AMOUNT = re.compile(rf"(?<![\w.,/])({_WRITTEN})(?:([–-])({_WRITTEN}))?\s*(?:VNĐ|VND|đ)(?!\w)")


def vnd_in_text(text: str | None, locale: str = "vi") -> str:
    """The text with each amount written by hand ("20.000 đ") written by vnd() ("20.000 ₫"): one form for
    every amount of a page. In the text's language, Vietnamese, on English pages too (shown with lang="vi"):
    in a Vietnamese sentence "20,000 ₫" reads as twenty dong (a decimal comma). The stored text is unchanged."""

    def written(match: re.Match[str]) -> str:
        first, dash, last = match.groups()
        amounts = [vnd(int(re.sub(r"\D", "", digits)), locale=locale) for digits in (first, last) if digits]
        return dash.join(amounts) if dash else amounts[0]

    return WRITTEN_AMOUNT.sub(written, text) if text else ""


def _in_province(value: datetime) -> datetime:
    """As Flask-Babel converts for display: a naive value is UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


# The numeric patterns below read the same in every supported locale (Latin digits, no names), so they are
# written with strftime instead of Babel's per-call locale and pattern machinery (a timeline has dozens).
def local_date(value: date | datetime | None) -> str:
    """dd/MM/yyyy in Asia/Ho_Chi_Minh."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _in_province(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def local_datetime(value: datetime | None) -> str:
    """dd/MM/yyyy HH:mm in Asia/Ho_Chi_Minh (stored values are UTC)."""
    if not value:
        return ""
    moment = _in_province(value)
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}"


# Formal documents write "ngày 23 tháng 11 năm 2026" (VIETNAM.md §10); English forms the usual long date.
FORM_DATE_PATTERNS = {"vi": "'ngày' dd 'tháng' MM 'năm' yyyy", "en": "d MMMM yyyy"}


def form_date(value: date | datetime) -> str:
    pattern = FORM_DATE_PATTERNS.get(locale_code(), FORM_DATE_PATTERNS["vi"])
    return format_datetime(value, pattern) if isinstance(value, datetime) else format_date(value, pattern)


def weekday_date(value: date) -> str:
    """'Thứ Bảy, 26/04/2025' / 'Saturday, 26/04/2025': the weekday and the Vietnamese day/month/year order in
    both languages (VIETNAM.md §10), where Babel's English long date is the US 'April 26, 2025'."""
    return format_date(value, "EEEE, dd/MM/yyyy")


# A date in a sentence: "Thứ Ba, ngày 24 tháng 11 năm 2026" as Vietnamese writes it (VIETNAM.md §10: Babel's
# "full" gives "Thứ Ba, 24 tháng 11, 2026", which reads as a list), and English in the same day-month order.
LONG_DATE_PATTERNS = {"vi": "EEEE, 'ngày' d 'tháng' M 'năm' y", "en": "EEEE, d MMMM y"}


def long_date(value: date) -> str:
    """'Thứ Ba, ngày 24 tháng 11 năm 2026' / 'Tuesday, 24 November 2026'."""
    return format_date(value, LONG_DATE_PATTERNS.get(locale_code(), LONG_DATE_PATTERNS["vi"]))


LANGUAGE_URLS = "portal_language_urls"
QUERY_SAFE = "!$'()*,/:;?@"  # what werkzeug leaves unquoted in a query string url_for writes
MAX_KEPT_ADDRESS = 160  # bytes of path + query string
MAX_LANGUAGE_URLS = 4096  # addresses kept per application; all dropped when full


def language_url(lang: str) -> str:
    """The current page in another language, keeping its query string (built once per page address)."""
    args: dict[str, Any] = request.args.to_dict(flat=True)
    args["lang"] = lang
    matched = bool(request.endpoint and request.url_rule is not None)
    view_args = request.view_args or {}
    if len(request.query_string) + len(request.path) > MAX_KEPT_ADDRESS:
        # A long address (a long search, many filters) is built every time: the cache is bounded by
        # entries, so it must not be made to hold arbitrarily long keys.
        return _language_url(matched, view_args, args, lang)
    kept: dict[tuple, str] = current_app.extensions.setdefault(LANGUAGE_URLS, {})
    key = (
        request.script_root,
        request.endpoint if matched else None,
        tuple(view_args.items()) if matched else (),
        tuple(args.items()) if matched else lang,
    )
    try:
        found = kept.get(key)
    except TypeError:  # a converter gave an unhashable value: built every time
        return _language_url(matched, view_args, args, lang)
    if found is None:
        found = _language_url(matched, view_args, args, lang)
        if len(kept) >= MAX_LANGUAGE_URLS:
            kept.clear()
        kept[key] = found
    return found


def _language_url(matched: bool, view_args: dict[str, Any], args: dict[str, Any], lang: str) -> str:
    """The page's own address from its view arguments only, the query string appended as data.

    The query arguments are never handed to url_for as keywords: one named like a view argument
    (`/procedures/<code>?code=1`) or like url_for's own `_method`, `_anchor`, `_external`, `_scheme` would
    break the build (a 500 on any page) or change the link's host or scheme. A value holding a NUL byte is
    refused anyway (security.refuse_nul_bytes) and is left out of the link.
    """
    if matched:
        kept = {name: value for name, value in args.items() if "\x00" not in name and "\x00" not in value}
        try:
            page = url_for(request.endpoint, **view_args)  # type: ignore[arg-type]
        except (BuildError, ValueError, TypeError):  # a view argument its converter cannot write back
            return url_for("main.home", lang=lang)
        return f"{page}?{urlencode(kept, safe=QUERY_SAFE)}"
    return url_for("main.home", lang=lang)


def _jinja_gettext(translations) -> dict[str, Any]:
    """`_`, `gettext` and `ngettext` for one render, bound to the translations of the locale in force when
    the template is rendered (force_locale included): the same as Jinja's new-style gettext over
    Flask-Babel's, without looking the request's locale and catalogue up again for every string."""
    single, plural = translations.ugettext, translations.ungettext

    @pass_context
    def gettext(context, message: str, **variables: Any) -> str:
        text = single(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - our own catalogue's text, as jinja2.ext marks it
        return text % variables  # always a format string, as in jinja2.ext (so "%%" reads as "%")

    @pass_context
    def ngettext(context, singular: str, plural_: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = plural(singular, plural_, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - our own catalogue's text, as jinja2.ext marks it
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


_BOUND: dict[Any, dict[str, Any]] = {}


def jinja_translations() -> dict[str, Any]:
    """Context processor: the gettext functions of the render's catalogue (see _jinja_gettext), made once
    per catalogue."""
    translations = get_translations()
    bound = _BOUND.get(translations)
    if bound is None:
        if len(_BOUND) >= 64:  # catalogues outside a request are made afresh each time
            _BOUND.clear()
        bound = _BOUND[translations] = _jinja_gettext(translations)
        # The render's locale, as a constant: a catalogue is one locale's, so templates calling
        # locale_code() (some in loops) do not look the request's locale up again each time.
        code = locale_code()
        bound.update(locale_code=lambda: code, render_locale=code)
    return bound


def init_app(app: Flask) -> None:
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    for lang in SUPPORTED:
        if lang != "en" and not (directory / lang / "LC_MESSAGES" / "messages.mo").exists():
            raise RuntimeError(
                f"Compiled translations for '{lang}' are missing in {directory}. "
                "Run `make translations` (pybabel compile -d translations)."
            )
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(remember_choice)
    app.jinja_env.filters.update(
        vnd=vnd,
        vnd_in_text=vnd_in_text,
        local_date=local_date,
        local_datetime=local_datetime,
        long_date=long_date,
        weekday_date=weekday_date,
        form_date=form_date,
        national_phone=national_format,
    )
    # `layout_link`, not `link`: pages pass their own `link` (a receipt's private link) into the context.
    app.jinja_env.globals.update(
        locale_code=locale_code, language_url=language_url, layout_link=link, LANGUAGES=NAMES
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Templates imported without context (macros) keep Flask-Babel's globals; the others get these.
    app.context_processor(jinja_translations)


def link(endpoint: str, **values: Any) -> str:
    """`url_for` of an address that is the same for every request (the layout's navigation, its static
    files), built once per application, script root and arguments instead of on every page: base.html
    asked the URL map ~20 times per request for the same answers. Only for endpoints whose URL depends on
    nothing of the request but its script root (no url_defaults, no `_external`)."""
    links: dict[tuple, str] = current_app.extensions.setdefault("portal_links", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    found = links.get(key)
    if found is None:
        found = links[key] = url_for(endpoint, **values)
    return found
