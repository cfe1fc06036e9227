"""Settings read once from the environment into a frozen dataclass. No Flask import."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

from portal.domain.retention_rules import RULES as RETENTION_RULES
from portal.domain.retention_rules import parse_overrides
from portal.settings_secrets import _development_secret, _storage, _storage_keys
from portal.settings_sms import Sms, parse_networks, sms_settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"
SUPPLEMENT_RULES = ("exclude", "restart")
LOG_FORMATS = ("text", "json")
MAX_TRUSTED_PROXIES = 5  # more hops than that is a misconfiguration, not a deployment


class SettingsError(RuntimeError):
    """A setting is missing or malformed; start-up stops with this message."""


@dataclass(frozen=True)
class BankAccount:
    """The account citizens pay fees into through VietQR."""

    bin: str
    number: str
    name: str


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    ssl: bool = False
    sender: str = "portal@localhost"


@dataclass(frozen=True)
class Settings:
    environment: str
    secret_key: str = field(repr=False)
    database_url: str
    base_url: str
    instance_path: Path
    bank: BankAccount
    smtp: Smtp = Smtp()
    sms: Sms = Sms()
    redis_url: str = ""
    office_closing: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)
    # The one-stop desk's phone number printed on the paper slips ("" prints "ask at the desk" instead).
    desk_phone: str = ""
    supplement_rule: str = "exclude"
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_attribution: str = "© OpenStreetMap"
    # Shared secrets for the bank's notifications; two are accepted while the bank rotates them.
    bank_webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    # Reverse proxies in front of the portal whose X-Forwarded-For/-Proto/-Host are believed (nginx: 1).
    # 0 ignores those headers: anyone could otherwise choose the address that rate limits and audit see.
    trusted_proxies: int = 0
    # Minutes without a request after which a staff session ends (citizens are not affected).
    staff_idle_minutes: int = 30
    # "text" (the default, for `make run`) or "json": one JSON object per line with the request id.
    log_format: str = "text"
    # Who may read /metrics: these addresses or networks, or a client sending this bearer token.
    metrics_allow: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    metrics_token: str = field(default="", repr=False)
    # Where uploads are stored: "" is the instance folder's uploads/; "s3://bucket/prefix" an S3-compatible
    # bucket shared by every app machine (credentials from boto3's standard chain, never from here).
    storage_url: str = ""
    s3_endpoint_url: str = ""  # a non-AWS store (MinIO, Ceph, moto); "" is AWS itself
    s3_region: str = ""
    # Keys that encrypt stored uploads (portal.uploads.encryption), newest first: (key id, 32 bytes).
    storage_keys: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    # The retention schedule's periods that differ from its defaults (portal.privacy.retention): (rule, number).
    retention: tuple[tuple[str, int], ...] = ()
    # Archive-duty years per retention rule code that differ from portal/domain/retention_rules.py
    # (PORTAL_RETENTION_YEARS="tthc-default=15,land=permanent"): (code, years or None for permanent).
    retention_years: tuple[tuple[str, int | None], ...] = ()
    # Name of the background-job queue (portal.jobs): its key prefix in Redis, its name in the SQLite file.
    # Two portals sharing one Redis (staging and production) must use different names.
    jobs_queue: str = "portal-jobs"
    # Database connections each app process keeps open; half as many again are opened for a burst and closed
    # after it. Fewer than the requests one gevent worker serves at once means a new connection (a PostgreSQL
    # backend started) for most requests under load: bench/notes/pool.md.
    db_pool_size: int = 20
    testing: bool = False

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables; raise SettingsError on anything wrong."""
        env = os.environ if env is None else env
        problems: list[str] = []
        environment = env.get("PORTAL_ENV", "development").strip() or "development"
        if environment not in ("development", "production"):
            problems.append("PORTAL_ENV must be 'development' or 'production'")
        instance = Path(env.get("PORTAL_INSTANCE_PATH", "") or DEFAULT_INSTANCE).resolve()
        database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{instance / 'portal.sqlite3'}"
        database_url = _normalise_database_url(database_url, problems)
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key:
            if environment == "production":
                problems.append("SECRET_KEY is required when PORTAL_ENV=production")
            elif env.get("PORTAL_STORAGE_URL", "").strip():
                # A shared store means several machines: a key generated into each instance folder would
                # differ per node, so a session, form or private link made on one node fails on the next.
                problems.append(
                    "SECRET_KEY is required with PORTAL_STORAGE_URL: every node must sign with it"
                )
            else:
                secret_key = _development_secret(instance)
        elif len(secret_key) < 32:
            problems.append("SECRET_KEY must be at least 32 characters")
        base_url = env.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
            problems.append("PORTAL_BASE_URL must be an absolute http(s) URL")
        elif environment == "production" and urlsplit(base_url).scheme != "https":
            problems.append("PORTAL_BASE_URL must use https when PORTAL_ENV=production")
        bank = _bank(env, environment, problems)
        smtp = _smtp(env, problems)
        sms = sms_settings(env, problems)
        redis_url = env.get("REDIS_URL", "").strip()
        if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
            problems.append("REDIS_URL must start with redis://, rediss:// or unix://")
        closing = _clock(env, "PORTAL_OFFICE_CLOSING", "17:00", problems)
        cutoff = _clock(env, "PORTAL_SAME_DAY_CUTOFF", "15:00", problems)
        desk_phone = " ".join(env.get("PORTAL_DESK_PHONE", "").split())
        if desk_phone and not re.fullmatch(r"\+?[0-9][0-9 .-]{5,18}", desk_phone):
            problems.append(
                "PORTAL_DESK_PHONE must be a phone number (digits, spaces, dots, dashes) or empty"
            )
        rule = env.get("PORTAL_SUPPLEMENT_RULE", "exclude").strip()
        if rule not in SUPPLEMENT_RULES:
            problems.append("PORTAL_SUPPLEMENT_RULE must be 'exclude' or 'restart'")
        tiles = env.get("PORTAL_MAP_TILE_URL", cls.map_tile_url).strip()
        if tiles and (urlsplit(tiles).scheme not in ("http", "https") or "{z}" not in tiles):
            problems.append("PORTAL_MAP_TILE_URL must be an http(s) tile URL with {z}/{x}/{y}, or empty")
        secrets_ = tuple(
            value
            for value in (env.get("BANK_WEBHOOK_SECRET", ""), env.get("BANK_WEBHOOK_SECRET_PREVIOUS", ""))
            if value
        )
        if any(len(value) < 32 for value in secrets_):
            problems.append("BANK_WEBHOOK_SECRET must be at least 32 characters")
        proxies = env.get("PORTAL_TRUSTED_PROXIES", "0").strip() or "0"
        if not proxies.isascii() or not proxies.isdigit() or int(proxies) > MAX_TRUSTED_PROXIES:
            problems.append(
                "PORTAL_TRUSTED_PROXIES must be the number of reverse proxies in front of the "
                f"portal (0 to {MAX_TRUSTED_PROXIES}; 1 behind deploy/nginx/portal.conf)"
            )
            proxies = "0"
        idle = env.get("PORTAL_STAFF_IDLE_MINUTES", "").strip() or str(cls.staff_idle_minutes)
        if not idle.isascii() or not idle.isdigit() or not 1 <= int(idle) <= 1440:
            problems.append("PORTAL_STAFF_IDLE_MINUTES must be a whole number of minutes from 1 to 1440")
            idle = str(cls.staff_idle_minutes)
        log_format = env.get("PORTAL_LOG_FORMAT", "text").strip() or "text"
        if log_format not in LOG_FORMATS:
            problems.append("PORTAL_LOG_FORMAT must be 'text' or 'json'")
        metrics_allow = _networks(env.get("PORTAL_METRICS_ALLOW"), cls.metrics_allow, problems)
        metrics_token = env.get("PORTAL_METRICS_TOKEN", "").strip()
        if metrics_token and len(metrics_token) < 32:
            problems.append("PORTAL_METRICS_TOKEN must be at least 32 characters (or empty)")
        storage_url, endpoint, region = _storage(env, problems)
        storage_keys = _storage_keys(env, environment, storage_url, instance, problems)
        retention = _retention(env.get("PORTAL_RETENTION", ""), problems)
        retention_years = _retention_years(env.get("PORTAL_RETENTION_YEARS", ""), problems)
        jobs_queue = env.get("PORTAL_JOBS_QUEUE", "").strip() or cls.jobs_queue
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,39}", jobs_queue):
            problems.append("PORTAL_JOBS_QUEUE must be 1 to 40 lower-case letters, digits, '.', '_' or '-'")
        pool = env.get("PORTAL_DB_POOL_SIZE", "").strip() or str(cls.db_pool_size)
        if not pool.isascii() or not pool.isdigit() or not 1 <= int(pool) <= 500:
            problems.append("PORTAL_DB_POOL_SIZE must be a whole number of connections from 1 to 500")
            pool = str(cls.db_pool_size)
        if problems:
            raise SettingsError("Invalid configuration:\n  - " + "\n  - ".join(problems))
        return cls(
            environment=environment,
            secret_key=secret_key,
            database_url=database_url,
            base_url=base_url,
            instance_path=instance,
            bank=bank,
            smtp=smtp,
            sms=sms,
            redis_url=redis_url,
            office_closing=closing,
            same_day_cutoff=cutoff,
            desk_phone=desk_phone,
            supplement_rule=rule,
            map_tile_url=tiles,
            map_attribution=env.get("PORTAL_MAP_ATTRIBUTION", cls.map_attribution).strip(),
            bank_webhook_secrets=secrets_,
            trusted_proxies=int(proxies),
            staff_idle_minutes=int(idle),
            log_format=log_format,
            metrics_allow=metrics_allow,
            metrics_token=metrics_token,
            storage_url=storage_url,
            s3_endpoint_url=endpoint,
            s3_region=region,
            storage_keys=storage_keys,
            retention=retention,
            retention_years=retention_years,
            jobs_queue=jobs_queue,
            db_pool_size=int(pool),
        )

    @classmethod
    def for_tests(cls, instance: Path, database_url: str | None = None, **overrides) -> Settings:
        """Settings for the test suite: a throwaway instance folder and database."""
        base = cls(
            environment="development",
            secret_key="test-" + "x" * 40,
            database_url=database_url or f"sqlite:///{instance / 'test.sqlite3'}",
            base_url="http://localhost",
            instance_path=instance,
            bank=BankAccount("970415", "113366668888", "UBND TINH SON LA"),
            testing=True,
            bank_webhook_secrets=("test-webhook-secret-" + "s" * 24,),
            storage_keys=(("test1", b"\x01" * 32),),
        )
        return replace(base, **overrides)


def _normalise_database_url(url: str, problems: list[str]) -> str:
    # psycopg 3 is our PostgreSQL driver; accept the plain scheme people copy from docs.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite:///", "postgresql+psycopg://")):
        problems.append("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
    return url


def _retention(text: str, problems: list[str]) -> tuple[tuple[str, int], ...]:
    entries = [
        [part.strip() for part in entry.partition("=")[::2]] for entry in text.split(",") if entry.strip()
    ]
    if not all(re.fullmatch(r"[a-z_]{1,40}", name) and number.isdigit() for name, number in entries):
        problems.append(
            "PORTAL_RETENTION must be rule=number entries separated by commas (README: Retention)"
        )
    return tuple((name, int(number)) for name, number in entries if number.isdigit())


def _retention_years(text: str, problems: list[str]) -> tuple[tuple[str, int | None], ...]:
    """Checked at start-up against the rule codes, so that a misspelt code is an error, not a silent no-op."""
    try:
        found = parse_overrides(text)
    except ValueError:
        found = None
    known = {rule.code for rule in RETENTION_RULES}
    if found is None or not set(found) <= known:
        problems.append(
            "PORTAL_RETENTION_YEARS must be code=years or code=permanent entries separated by commas, "
            f"codes among {', '.join(sorted(known))} (README: Retention)"
        )
        return ()
    return tuple(found.items())


def _bank(env: Mapping[str, str], environment: str, problems: list[str]) -> BankAccount:
    # Demo values in development only: VietinBank's BIN and a made-up account.
    defaults = (
        ("970415", "113366668888", "UBND TINH SON LA") if environment == "development" else ("", "", "")
    )
    bin_ = env.get("VIETQR_BANK_BIN", defaults[0]).strip()
    number = env.get("VIETQR_ACCOUNT_NUMBER", defaults[1]).strip()
    name = env.get("VIETQR_ACCOUNT_NAME", defaults[2]).strip().upper()
    if not re.fullmatch(r"\d{6}", bin_):
        problems.append("VIETQR_BANK_BIN must be the bank's 6-digit BIN (for example 970415)")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", number):
        problems.append("VIETQR_ACCOUNT_NUMBER must be 1-19 letters or digits")
    if not re.fullmatch(r"[A-Z0-9 .,-]{1,50}", name):
        problems.append("VIETQR_ACCOUNT_NAME must be 1-50 ASCII capitals, as the bank prints it")
    return BankAccount(bin_, number, name)


def _smtp(env: Mapping[str, str], problems: list[str]) -> Smtp:
    port_text = env.get("SMTP_PORT", "25").strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        problems.append("SMTP_PORT must be a port number")
        port_text = "25"
    flags = {}
    for name in ("SMTP_STARTTLS", "SMTP_SSL"):
        value = env.get(name, "0").strip().lower()
        if value not in ("0", "1", "true", "false", "yes", "no", ""):
            problems.append(f"{name} must be 0 or 1")
        flags[name] = value in ("1", "true", "yes")
    if flags["SMTP_STARTTLS"] and flags["SMTP_SSL"]:
        problems.append("SMTP_STARTTLS and SMTP_SSL cannot both be on")
    sender = env.get("MAIL_FROM", "portal@localhost").strip()
    if "@" not in sender:
        problems.append("MAIL_FROM must be an e-mail address")
    return Smtp(
        host=env.get("SMTP_HOST", "").strip(),
        port=int(port_text),
        username=env.get("SMTP_USERNAME", ""),
        password=env.get("SMTP_PASSWORD", ""),
        starttls=flags["SMTP_STARTTLS"],
        ssl=flags["SMTP_SSL"],
        sender=sender,
    )


def _networks(text: str | None, default: tuple[str, ...], problems: list[str]) -> tuple[str, ...]:
    """Comma-separated addresses or networks (PORTAL_METRICS_ALLOW); unset means `default`, empty none."""
    if text is None:
        return default
    return parse_networks(text, "PORTAL_METRICS_ALLOW", problems)


def _clock(env: Mapping[str, str], name: str, default: str, problems: list[str]) -> time:
    text = env.get(name, default).strip()
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text)
    if not match:
        problems.append(f"{name} must be a time of day like {default}")
        return time.fromisoformat(default)
    return time(int(match[1]), int(match[2]))
