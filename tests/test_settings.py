"""Settings.from_env: defaults, the development secret, and every refusal, reported together."""

from __future__ import annotations

import stat
import subprocess
import sys
from datetime import time

import pytest

from portal import create_app
from portal.settings import ROOT, Settings, SettingsError

SETTINGS_VARIABLES = (
    "PORTAL_ENV",
    "PORTAL_INSTANCE_PATH",
    "DATABASE_URL",
    "SECRET_KEY",
    "PORTAL_BASE_URL",
    "VIETQR_BANK_BIN",
    "VIETQR_ACCOUNT_NUMBER",
    "VIETQR_ACCOUNT_NAME",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "SMTP_SSL",
    "MAIL_FROM",
    "REDIS_URL",
    "PORTAL_OFFICE_CLOSING",
    "PORTAL_SAME_DAY_CUTOFF",
    "PORTAL_SUPPLEMENT_RULE",
    "PORTAL_TRUSTED_PROXIES",
    "PORTAL_JOBS_QUEUE",
)
GOOD_SECRET = "s" * 40
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "PORTAL_BASE_URL": "https://dichvucong.sonla.gov.vn",
    "VIETQR_BANK_BIN": "970415",
    "VIETQR_ACCOUNT_NUMBER": "113366668888",
    "VIETQR_ACCOUNT_NAME": "UBND TINH SON LA",
    "PORTAL_STORAGE_KEYS": "k1:" + "A" * 43,  # 32 zero bytes in base64
}


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def settings_from(instance):
    def build(**env: str) -> Settings:
        return Settings.from_env({"PORTAL_INSTANCE_PATH": str(instance), **env})

    return build


@pytest.fixture
def problems(settings_from):
    """problems(**env) -> the SettingsError message for an environment that must be refused."""

    def collect(**env: str) -> str:
        with pytest.raises(SettingsError) as caught:
            settings_from(**env)
        return str(caught.value)

    return collect


def test_development_defaults(settings_from, instance):
    settings = settings_from()
    assert settings.environment == "development"
    assert not settings.production
    assert settings.instance_path == instance.resolve()
    assert settings.database_url == f"sqlite:///{instance.resolve() / 'portal.sqlite3'}"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert not settings.secure_cookies
    assert settings.office_closing == time(17, 0)
    assert settings.same_day_cutoff == time(15, 0)
    assert settings.supplement_rule == "exclude"
    assert (settings.bank.bin, settings.bank.number) == ("970415", "113366668888")
    assert settings.smtp.port == 25


def test_development_secret_is_generated_once_and_private(settings_from, instance):
    first = settings_from()
    secret_file = instance / "secret_key"
    assert secret_file.exists()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert secret_file.read_text(encoding="ascii").strip() == first.secret_key
    second = settings_from()
    assert second.secret_key == first.secret_key


def test_development_secret_differs_between_instances(tmp_path):
    one = Settings.from_env({"PORTAL_INSTANCE_PATH": str(tmp_path / "one")})
    two = Settings.from_env({"PORTAL_INSTANCE_PATH": str(tmp_path / "two")})
    assert one.secret_key != two.secret_key


def test_secret_key_is_not_in_repr(settings_from):
    settings = settings_from(SECRET_KEY=GOOD_SECRET)
    assert GOOD_SECRET not in repr(settings)


def test_valid_production_settings(settings_from, instance):
    settings = settings_from(**PRODUCTION)
    assert settings.production
    assert settings.secure_cookies
    assert settings.secret_key == GOOD_SECRET
    assert not (instance / "secret_key").exists()


def test_production_without_secret_key_is_refused(problems, instance):
    message = problems(**{**PRODUCTION, "SECRET_KEY": ""})
    assert "SECRET_KEY" in message
    assert not (instance / "secret_key").exists(), "production must never fall back to a generated secret"


def test_short_secret_key_is_refused(problems):
    assert "SECRET_KEY must be at least 32 characters" in problems(**{"SECRET_KEY": "short-secret"})


@pytest.mark.parametrize("url", ["dichvucong.sonla.gov.vn", "ftp://sonla.gov.vn", "https://", "/relative"])
def test_bad_base_url_is_refused(problems, url):
    assert "PORTAL_BASE_URL must be an absolute http(s) URL" in problems(PORTAL_BASE_URL=url)


def test_base_url_trailing_slash_is_dropped(settings_from):
    assert settings_from(PORTAL_BASE_URL="https://sonla.example/").base_url == "https://sonla.example"


def test_production_needs_https(problems):
    message = problems(**{**PRODUCTION, "PORTAL_BASE_URL": "http://dichvucong.sonla.gov.vn"})
    assert "PORTAL_BASE_URL must use https" in message


def test_production_has_no_demo_bank_account(problems):
    env = {key: value for key, value in PRODUCTION.items() if not key.startswith("VIETQR_")}
    message = problems(**env)
    assert "VIETQR_BANK_BIN" in message
    assert "VIETQR_ACCOUNT_NUMBER" in message


@pytest.mark.parametrize("value", ["97041", "9704150", "97O415", "vietinbank"])
def test_bad_bank_bin_is_refused(problems, value):
    assert "VIETQR_BANK_BIN must be the bank's 6-digit BIN" in problems(VIETQR_BANK_BIN=value)


@pytest.mark.parametrize("value", ["smtp", "0", "65536", "-1", "25.0"])
def test_bad_smtp_port_is_refused(problems, value):
    assert "SMTP_PORT must be a port number" in problems(SMTP_PORT=value)


def test_good_smtp_port_is_read(settings_from):
    assert settings_from(SMTP_PORT="587").smtp.port == 587


@pytest.mark.parametrize("value", ["Portal", "portal jobs", "-portal", "x" * 41, "hàng-đợi"])
def test_bad_jobs_queue_name_is_refused(problems, value):
    assert "PORTAL_JOBS_QUEUE must be 1 to 40 lower-case letters" in problems(PORTAL_JOBS_QUEUE=value)


def test_jobs_queue_name_is_read(settings_from):
    assert settings_from().jobs_queue == "portal-jobs"
    assert settings_from(PORTAL_JOBS_QUEUE="portal-staging").jobs_queue == "portal-staging"


@pytest.mark.parametrize("value", ["0", "501", "-3", "ten", "2.5", "２０"])
def test_bad_pool_size_is_refused(problems, value):
    assert "PORTAL_DB_POOL_SIZE must be a whole number of connections from 1 to 500" in problems(
        PORTAL_DB_POOL_SIZE=value
    )


def test_pool_size_is_read(settings_from):
    assert settings_from().db_pool_size == 20
    assert settings_from(PORTAL_DB_POOL_SIZE="12").db_pool_size == 12


@pytest.mark.parametrize("value", ["5pm", "24:00", "17:60", "17", "17h00", ""])
def test_bad_office_closing_is_refused(problems, value):
    assert "PORTAL_OFFICE_CLOSING must be a time of day like 17:00" in problems(PORTAL_OFFICE_CLOSING=value)


def test_office_closing_is_read(settings_from):
    assert settings_from(PORTAL_OFFICE_CLOSING="16:30").office_closing == time(16, 30)


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_postgres_url_uses_psycopg_3(settings_from, scheme):
    settings = settings_from(DATABASE_URL=f"{scheme}portal:pw@db.internal:5432/portal")
    assert settings.database_url == "postgresql+psycopg://portal:pw@db.internal:5432/portal"


def test_psycopg_url_is_kept(settings_from):
    url = "postgresql+psycopg://portal@localhost/portal"
    assert settings_from(DATABASE_URL=url).database_url == url


@pytest.mark.parametrize(
    "url",
    [
        "mysql://portal@localhost/portal",
        "mysql+pymysql://u:p@h/db",
        "sqlite://",
        "postgresql+psycopg2://u@h/db",
    ],
)
def test_other_databases_are_refused(problems, url):
    assert "DATABASE_URL must be a sqlite:/// or postgresql:// URL" in problems(DATABASE_URL=url)


def test_several_problems_are_reported_together(problems):
    message = problems(
        **{
            "SECRET_KEY": "short",
            "PORTAL_BASE_URL": "sonla",
            "VIETQR_BANK_BIN": "123",
            "SMTP_PORT": "x",
            "PORTAL_OFFICE_CLOSING": "late",
            "DATABASE_URL": "mysql://h/db",
        }
    )
    assert message.startswith("Invalid configuration:")
    for name in (
        "SECRET_KEY",
        "PORTAL_BASE_URL",
        "VIETQR_BANK_BIN",
        "SMTP_PORT",
        "PORTAL_OFFICE_CLOSING",
        "DATABASE_URL",
    ):
        assert name in message
    assert len(message.splitlines()) == 1 + 6, "one line per problem"


@pytest.fixture
def environment(monkeypatch, instance):
    """The process environment, cleared of every portal setting and pointed at a tmp instance."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    return monkeypatch


def test_create_app_with_bad_environment_raises_settings_error(environment):
    environment.setenv("PORTAL_ENV", "production")
    environment.setenv("SMTP_PORT", "not-a-port")
    with pytest.raises(SettingsError) as caught:
        create_app()
    message = str(caught.value)
    assert "SECRET_KEY is required when PORTAL_ENV=production" in message
    assert "SMTP_PORT must be a port number" in message


def test_wsgi_with_bad_environment_stops_with_a_clear_message(environment):
    """`gunicorn wsgi:app` with a bad setting: the problems on stderr, no traceback, exit status != 0."""
    environment.setenv("DATABASE_URL", "mysql://portal@localhost/portal")
    environment.setenv("PORTAL_OFFICE_CLOSING", "5pm")
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must be a sqlite:/// or postgresql:// URL" in result.stderr
    assert "PORTAL_OFFICE_CLOSING must be a time of day like 17:00" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_several_nodes_need_one_secret_key(tmp_path):
    """A shared upload store means several machines; each would otherwise generate its own key into its own
    instance folder, and a session or private link signed on one node would be refused by the other."""
    env = {"PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_STORAGE_URL": "s3://portal-uploads/files"}
    with pytest.raises(SettingsError, match="SECRET_KEY is required with PORTAL_STORAGE_URL"):
        Settings.from_env(env)
    assert not (tmp_path / "secret_key").exists()
    keys = {"PORTAL_STORAGE_KEYS": "k1:" + "A" * 43}  # required there too (see below)
    assert Settings.from_env({**env, **keys, "SECRET_KEY": "k" * 40}).secret_key == "k" * 40


def test_storage_keys_are_generated_once_in_development_and_required_in_production(
    settings_from, problems, instance
):
    first = settings_from()
    assert first.storage_keys[0][0] == "local1" and len(first.storage_keys[0][1]) == 32
    assert settings_from().storage_keys == first.storage_keys  # kept in instance/storage_keys
    assert stat.S_IMODE((instance / "storage_keys").stat().st_mode) == 0o600
    message = problems(**{**PRODUCTION, "PORTAL_STORAGE_KEYS": ""})
    assert "PORTAL_STORAGE_KEYS is required when PORTAL_ENV=production" in message
    message = problems(SECRET_KEY=GOOD_SECRET, PORTAL_STORAGE_URL="s3://portal-uploads")
    assert "PORTAL_STORAGE_KEYS is required with PORTAL_STORAGE_URL" in message


@pytest.mark.parametrize(
    "keys",
    ["k1", "k1:short", "k1:" + "A" * 43 + ",k1:" + "B" * 43, "bad id:" + "A" * 43, ":" + "A" * 43],
)
def test_malformed_storage_keys_are_refused(problems, keys):
    assert "PORTAL_STORAGE_KEYS must be id:key entries" in problems(PORTAL_STORAGE_KEYS=keys)


def test_storage_keys_are_read_newest_first(settings_from):
    settings = settings_from(PORTAL_STORAGE_KEYS=" new:" + "B" * 43 + " , old:" + "A" * 43)
    assert [key_id for key_id, _ in settings.storage_keys] == ["new", "old"]
    assert "storage_keys=" not in repr(settings)  # never in a log line


def test_archive_retention_years_are_settings_checked_at_start(settings_from, problems):
    chosen = settings_from(PORTAL_RETENTION_YEARS="tthc-default=15, land=permanent")
    assert dict(chosen.retention_years) == {"tthc-default": 15, "land": None}
    assert settings_from().retention_years == ()
    for wrong in ("tthc-default=fifteen", "no-such-rule=5", "land=-1", "land"):
        assert "PORTAL_RETENTION_YEARS" in problems(PORTAL_RETENTION_YEARS=wrong), wrong
