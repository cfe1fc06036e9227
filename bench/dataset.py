"""A realistic province-sized data set for the benchmarks: N feedback items and N dossiers (issue 17).

Usage (see bench/README.md):
    .venv/bin/python bench/dataset.py --database postgresql --rows 1000000   # bench_pg_1m
    .venv/bin/python bench/dataset.py --database sqlite --rows 100000        # bench/.data/bench_sqlite_100k.db

It creates a fresh database (PostgreSQL: `bench_pg_<rows>` on --server-url, dropped first if it exists;
SQLite: a file under bench/.data/), migrates it with the portal's migrations, loads the reference data
with the portal's own seed functions (units, agencies, feedback categories, announced calendar days and
the procedure catalogue: what `flask seed-demo` loads before its demo rows) and creates staff accounts
with the portal's account operations. Then it bulk-loads the rows: COPY through psycopg on PostgreSQL,
executemany in big transactions on SQLite, with the big tables' secondary indexes and foreign keys
dropped during the load and rebuilt after it (what a restore does), then ANALYZE / VACUUM.

What the rows look like, and why:
- Five years of history ending today, ids in time order. Feedback goes to its category's agency (the
  rule of portal.feedback.operations.submit), dossiers to their procedure's receiving agency
  (portal.dossiers.intake.receiving_agency, called for every procedure x commune pair). About 40% of
  both land in one busy agency (land and environment: land dossiers are most of a province's volume), so
  its officer's queue reaches page 500.
- Statuses: almost everything is closed; about 2% is open (most of the last 60 days, a few stragglers
  that are now overdue). Paused items (information or documents requested, fee requested) have an open
  pause row and a far-future queue key, as the portal keeps them.
- Codes, secret-link tokens and payment references come from the portal's generators (feedback_code,
  dossier_code, link_token + hash_token, secrets.token_hex link salts, new_reference), deadlines and
  appointment dates from its working-day calendar (portal.domain.working_days with the seeded calendar),
  search keys are the portal's fold() of the same fields its write paths use, queue_due follows
  portal.staff.queue_keys.queue_due, and daily_sequences holds the last number issued per scope and day,
  so a new submission during the benchmark gets the next free code.
- A public timeline for every item (2-5 events), payments for a third of the dossiers that carry a fee.

It writes `<database>.json` next to the SQLite file (for PostgreSQL: bench/.data/bench_pg_<rows>.json):
the URL, the SECRET_KEY the server must run with (dossier links are HMACs under it; TOTP secrets are
encrypted with it), tracking samples (private links, code + last phone digits), payment references, an
officer of the busy agency (password and TOTP secret: staff two-step sign-in is switched on in the data
set's sign-in policy, as production has it) and search terms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import secrets
import shutil
import sqlite3
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
BUSY_SHARE = 0.4  # of both kinds, in the busy agency
OPEN_WINDOW_DAYS = 60
OPEN_IN_WINDOW = 0.6  # of the items submitted in the last OPEN_WINDOW_DAYS
STRAGGLERS = 0.0015  # older items still open (overdue)
YEARS = 5
CHUNK = 50_000
SAMPLES = 40


def size_name(rows: int) -> str:
    for unit, div in (("m", 1_000_000), ("k", 1_000)):
        if rows % div == 0:
            return f"{rows // div}{unit}"
    return str(rows)


def default_name(database: str, rows: int) -> str:
    return f"bench_{'pg' if database == 'postgresql' else 'sqlite'}_{size_name(rows)}"


def database_url(database: str, name: str, server: str = DEFAULT_SERVER) -> str:
    if database == "sqlite":
        return f"sqlite:///{DATA_DIR / (name + '.db')}"
    base, _, _ = server.rpartition("/")
    return f"{base}/{name}"


def samples_path(name: str) -> Path:
    return DATA_DIR / f"{name}.json"


# --- content pools (Vietnamese, as citizens write) ---------------------------------------------------

FAMILY = [
    "Nguyễn",
    "Lò",
    "Cầm",
    "Quàng",
    "Tòng",
    "Hoàng",
    "Lường",
    "Vì",
    "Sùng",
    "Giàng",
    "Trần",
    "Lê",
    "Đinh",
]
MIDDLE = ["Văn", "Thị", "Thị Thu", "Văn Minh", "Thị Hồng", "Đức", "Ngọc", "Thanh", "A", "Mai"]
GIVEN = [
    "Hùng",
    "Mai",
    "Páo",
    "Dung",
    "Thắng",
    "Hoa",
    "Sơn",
    "Lan",
    "Tuấn",
    "Phương",
    "Chính",
    "Dế",
    "Thảo",
    "Bình",
]
STREETS = [
    "Tô Hiệu",
    "Chu Văn Thịnh",
    "Trường Chinh",
    "Lò Văn Giá",
    "Nguyễn Lương Bằng",
    "Hai Bà Trưng",
    "bản Hìn",
]
TITLES = [
    "Sạt lở đất ven đường liên bản",
    "Đèn chiếu sáng công cộng không hoạt động",
    "Rác thải sinh hoạt đổ không đúng nơi quy định",
    "Mất nước sinh hoạt nhiều ngày",
    "Lấn chiếm vỉa hè để kinh doanh",
    "Ô nhiễm tiếng ồn từ xưởng cưa",
    "Ổ gà lớn trên mặt đường",
    "Cống thoát nước bị tắc gây ngập úng",
    "Tranh chấp ranh giới đất giữa hai hộ",
    "Chậm cấp giấy chứng nhận quyền sử dụng đất",
    "Khói bụi từ lò đốt gạch",
    "Cây xanh có nguy cơ đổ",
    "Chợ tạm họp trên lòng đường",
    "Nước thải chăn nuôi chảy ra suối",
    "Trường học thiếu nhà vệ sinh",
]
DESCRIPTIONS = [
    "Tình trạng này kéo dài đã lâu, ảnh hưởng đến sinh hoạt của bà con trong khu vực. Đề nghị cơ quan "
    "chức năng kiểm tra và xử lý.",
    "Người dân đã báo với tổ trưởng nhưng chưa được giải quyết. Buổi tối đi lại rất nguy hiểm, nhất là "
    "học sinh đi học về.",
    "Sau mấy trận mưa lớn vừa qua tình hình càng nghiêm trọng hơn. Mong chính quyền sớm có biện pháp "
    "khắc phục.",
    "Đề nghị UBND kiểm tra hiện trường và thông báo kết quả cho người dân được biết.",
]
ANSWERS = [
    "UBND đã cử cán bộ kiểm tra hiện trường và phối hợp với đơn vị liên quan khắc phục xong. Trân trọng "
    "cảm ơn ông/bà đã phản ánh.",
    "Nội dung phản ánh đã được chuyển đơn vị quản lý xử lý theo quy định; kết quả đã được niêm yết tại "
    "trụ sở.",
]
INFO_REQUEST = "Đề nghị cho biết vị trí cụ thể (gần nhà số mấy, cột điện số mấy)."
SUPPLEMENT_REQUEST = "Bổ sung bản sao trích lục giấy khai sinh."


class Folded:
    """fold() of the pools' pieces, computed once: fold(" ".join(parts)) == " ".join(fold(part))."""

    def __init__(self, fold):
        self._fold = fold
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if text.isascii() and text.isprintable():  # codes, phone numbers: fold() is lower() and spaces
            return " ".join(text.lower().split())
        value = self._cache.get(text)
        if value is None:
            value = self._cache[text] = self._fold(text)
        return value

    def join(self, *parts: str) -> str:
        return " ".join(piece for piece in (self(part) for part in parts) if piece)


# --- databases --------------------------------------------------------------------------------------


def create_database(database: str, name: str, server: str) -> str:
    url = database_url(database, name, server)
    if database == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(DATA_DIR / (name + ".db")) + suffix).unlink(missing_ok=True)
        return url
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def drop_database(database: str, name: str, server: str = DEFAULT_SERVER) -> None:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(DATA_DIR / (name + ".db")) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    samples_path(name).unlink(missing_ok=True)
    shutil.rmtree(DATA_DIR / f"{name}-instance", ignore_errors=True)


BIG_TABLES = ("feedback_items", "feedback_pauses", "dossiers", "dossier_pauses", "payments", "events")
SERIAL_TABLES = ("feedback_pauses", "dossier_pauses", "payments", "events")  # ids from the database


class PgLoader:
    def __init__(self, url: str):
        import psycopg

        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.connection = psycopg.connect(self.url)
        self.connection.execute("SET TimeZone = 'UTC'")  # naive datetimes below are UTC
        self.connection.execute("SET maintenance_work_mem = '1GB'")
        self.dropped: list[tuple[str, str]] = []  # (kind, SQL to recreate)

    def drop_secondary(self) -> None:
        cur = self.connection.cursor()
        for table in BIG_TABLES:
            constraints = cur.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                (table,),
            ).fetchall()
            indexes = cur.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                (table,),
            ).fetchall()
            for name, kind, definition in constraints:
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                self.dropped.append(
                    (
                        "fk" if kind == "f" else "unique",
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
                    )
                )
            for name, definition in indexes:
                cur.execute(f'DROP INDEX "{name}"')
                self.dropped.append(("index", definition))
        self.connection.commit()

    def load(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with self.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        self.load(table, columns, rows)

    def commit(self) -> None:
        self.connection.commit()
        self.connection.close()

    def _build(self, definition: str, connection=None) -> None:
        import psycopg

        own = connection is None
        connection = connection or psycopg.connect(self.url)
        started = time.perf_counter()
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.execute(definition)
        connection.commit()
        if own:
            connection.close()
        print(f"    {time.perf_counter() - started:6.1f} s  {definition[:110]}", file=sys.stderr)

    def finish(self, tables: list[str]) -> None:
        self.connection.commit()
        cur = self.connection.cursor()
        # Indexes (unique ones first) two at a time on their own connections, the slow trigram ones first;
        # then the foreign keys one by one (each locks its table).
        indexes = sorted(
            (d for kind, d in self.dropped if kind != "fk"), key=lambda d: ("gin" not in d, "UNIQUE" not in d)
        )
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(self._build, indexes))
        for definition in (d for kind, d in self.dropped if kind == "fk"):
            self._build(definition, self.connection)
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        self.connection.commit()
        self.connection.autocommit = True
        started = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        print(f"    {time.perf_counter() - started:6.1f} s  VACUUM ANALYZE", file=sys.stderr)
        self.connection.close()


def _sqlite_adapters() -> None:
    sqlite3.register_adapter(datetime, lambda value: value.isoformat(" ", "microseconds"))
    sqlite3.register_adapter(date, lambda value: value.isoformat())
    sqlite3.register_adapter(bool, int)


class SqliteLoader:
    def __init__(self, url: str):
        _sqlite_adapters()
        self.connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute("PRAGMA cache_size = -400000")
        self.connection.execute("BEGIN")
        self.dropped: list[str] = []

    def drop_secondary(self) -> None:
        marks = ",".join("?" * len(BIG_TABLES))
        rows = self.connection.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            BIG_TABLES,
        ).fetchall()
        for name, sql in rows:
            self.connection.execute(f'DROP INDEX "{name}"')
            self.dropped.append(sql)

    def load(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join("?" * len(columns))
            self.connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    insert = load

    def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.close()

    def merge(self, scratch: Path) -> None:
        """Copy a worker's scratch file in (SQLite has one writer: the workers fill files of their own)."""
        self.connection.execute("ATTACH DATABASE ? AS scratch", (str(scratch),))
        for table in BIG_TABLES:
            columns = [row[1] for row in self.connection.execute(f"PRAGMA table_info({table})")]
            if table in SERIAL_TABLES:
                columns.remove("id")
            names = ", ".join(columns)
            self.connection.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM scratch.{table}")
        self.connection.execute("COMMIT")
        self.connection.execute("DETACH DATABASE scratch")
        self.connection.execute("BEGIN")
        scratch.unlink()

    def finish(self, tables: list[str]) -> None:
        self.connection.execute("COMMIT")
        for sql in self.dropped:
            started = time.perf_counter()
            self.connection.execute(sql)
            print(f"    {time.perf_counter() - started:6.1f} s  {sql[:110]}", file=sys.stderr)
        started = time.perf_counter()
        self.connection.execute("ANALYZE")
        self.connection.execute("VACUUM")
        print(f"    {time.perf_counter() - started:6.1f} s  ANALYZE + VACUUM", file=sys.stderr)
        self.connection.close()


# --- the generator -----------------------------------------------------------------------------------


def _columns(model) -> list[str]:
    return [column.name for column in model.__table__.columns]


def _defaults(model) -> dict:
    values = {}
    for column in model.__table__.columns:
        default = column.default
        values[column.name] = default.arg if default is not None and default.is_scalar else None
    return values


def _tuples(columns: list[str], defaults: dict, rows: list[dict]) -> list[tuple]:
    get = itemgetter(*columns)
    return [get({**defaults, **row}) for row in rows]


class Generator:
    def __init__(self, app, rows: int, seed: int, worker: int = 0):
        from sqlalchemy import select

        from portal.accounts.models import Account
        from portal.agencies.models import Agency
        from portal.calendar.queries import calendar_for, office_hours
        from portal.catalog.models import Procedure
        from portal.dossiers import intake
        from portal.dossiers.models import Dossier, DossierPause
        from portal.events.models import Event
        from portal.extensions import db
        from portal.feedback.models import Feedback, FeedbackCategory, FeedbackPause
        from portal.payments.models import Payment
        from portal.places.models import AdminUnit

        self.app, self.rows, self.rng, self.worker = app, rows, random.Random(seed * 1000 + worker), worker
        self.models = SimpleNamespace(
            Feedback=Feedback, FeedbackPause=FeedbackPause, Dossier=Dossier, DossierPause=DossierPause,
            Payment=Payment, Event=Event,
        )  # fmt: skip
        self.today = datetime.now(UTC).date()
        self.start = self.today - timedelta(days=365 * YEARS)
        self.cal = calendar_for(range(self.start.year - 1, self.today.year + 3))
        self.hours = office_hours()

        # Plain snapshots: the ORM rows expire at each commit.
        def plain(row, *names):
            return SimpleNamespace(**{name: getattr(row, name) for name in names})

        unit_rows = db.session.scalars(select(AdminUnit).order_by(AdminUnit.code)).all()
        agency_rows = db.session.scalars(select(Agency).order_by(Agency.id)).all()
        category_rows = db.session.scalars(
            select(FeedbackCategory).where(FeedbackCategory.is_active).order_by(FeedbackCategory.position)
        ).all()
        procedure_rows = db.session.scalars(
            select(Procedure).where(Procedure.is_active).order_by(Procedure.code)
        ).all()
        self.units = [plain(u, "code", "name") for u in unit_rows]
        self.agencies = {a.id: plain(a, "id", "code", "slug", "admin_unit_code") for a in agency_rows}
        self.by_unit = {a.admin_unit_code: a for a in self.agencies.values() if a.admin_unit_code}
        self.busy = next(a for a in self.agencies.values() if a.slug == "so-nong-nghiep-moi-truong")
        # Receiving agency of every procedure x commune, by the portal's own rule.
        routes = []
        for row in procedure_rows:
            procedure = plain(row, "id", "code", "name", "processing_days", "same_day")
            # What a dossier of each channel owes, by the portal's own rule (portal/domain/fees.py).
            procedure.fees = {channel: row.fee_for(channel) or 0 for channel in ("online", "counter", "post")}
            for unit in self.units:
                try:
                    agency = intake.receiving_agency(row, unit.code)
                except intake.DossierError:
                    continue
                routes.append((procedure, unit, self.agencies[agency.id]))
        busy_routes = [r for r in routes if r[2].id == self.busy.id]
        if not busy_routes:  # no provincial land procedure in this catalogue: route some there anyway
            busy_routes = [(p, u, self.busy) for p, u, _ in routes[:: max(1, len(routes) // 50)]]
        self.routes, self.busy_routes = routes, busy_routes
        categories = [
            plain(c, "id", "name", "name_en", "response_days", "default_agency_id", "is_urgent")
            for c in category_rows
        ]
        self.categories = categories
        self.busy_categories = [c for c in categories if c.default_agency_id == self.busy.id] or categories[
            :1
        ]
        self.fold = Folded(__import__("portal.domain.text", fromlist=["fold"]).fold)
        self.staff: dict[int, list[int]] = {}
        self.officer_email = ""
        self.account_ids = db.session.scalars(select(Account.id)).all()
        self.due_memo: dict = {}
        self.receipt_memo: dict = {}
        self.sequences: Counter = Counter()
        self.samples: dict[str, list] = {"feedback": [], "dossiers": [], "payments": []}
        self.references: set[str] = set()
        self.fee_requested = False  # an open dossier waits for its fee (status 6) in this worker's rows

    # calendar, memoised: the same (local hour, working days) gives the same answer
    def receipt_day(self, local: datetime) -> date:
        from portal.domain.working_days import receipt_day

        key = (local.date(), local.hour >= self.hours.closing.hour)
        if key not in self.receipt_memo:
            self.receipt_memo[key] = receipt_day(self.cal, local, self.hours.closing)
        return self.receipt_memo[key]

    def due(self, local: datetime, days: int, same_day: bool = False) -> date:
        from portal.domain.working_days import due_date

        key = (local.date(), local.hour, days, same_day)  # cut-offs are on the hour
        if key not in self.due_memo:
            self.due_memo[key] = due_date(self.cal, local, days, self.hours, same_day)
        return self.due_memo[key]

    def moment(self, index: int) -> tuple[datetime, datetime]:
        """(UTC naive, local aware) submission time of the index-th item: ids in time order."""
        from portal.calendar.queries import LOCAL_TZ

        day = self.start + timedelta(days=(index * 365 * YEARS) // self.rows)
        rng = self.rng
        hour = rng.choice((7, 8, 8, 9, 9, 9, 10, 10, 11, 13, 14, 14, 15, 15, 16, 16, 19, 21))
        local = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=LOCAL_TZ
        )
        return local.astimezone(UTC).replace(tzinfo=None), local

    def is_open(self, submitted_local: datetime) -> bool:
        age = (self.today - submitted_local.date()).days
        if age <= OPEN_WINDOW_DAYS:
            return self.rng.random() < OPEN_IN_WINDOW
        return self.rng.random() < STRAGGLERS

    def person(self) -> tuple[str, str]:
        rng = self.rng
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = f"+84{rng.choice('359')}{rng.randrange(10**8):08d}"
        return name, phone

    def actor(self, agency_id: int) -> int | None:
        staff = self.staff.get(agency_id)
        return self.rng.choice(staff) if staff else None


def create_staff(gen: Generator, secret_key: str) -> dict:
    """One processor per agency (the actors of timelines, the assignees), the benchmark's officer in the busy
    agency, and an administrator who switches two-step sign-in on for staff, as production has it."""
    import pyotp

    from portal.accounts import two_factor
    from portal.accounts.models import Account
    from portal.accounts.operations import create_account
    from portal.extensions import db

    password = "Bench-" + secrets.token_urlsafe(12)
    admin = create_account(
        email="admin@bench.sonla.vn", password=password, full_name="Quản trị bench", role="admin"
    )
    db.session.flush()
    two_factor.set_staff_two_factor_required(admin, True)
    # One processor per agency (three in the busy one): real Account rows with the administrator's
    # password hash (hashing 90 passwords would take a minute for nothing).
    for agency in gen.agencies.values():
        ids = []
        for number in range(3 if agency.id == gen.busy.id else 1):
            account = Account(
                email=f"xuly{number}.{agency.slug}@bench.sonla.vn",
                password_hash=admin.password_hash,
                full_name=f"{gen.rng.choice(FAMILY)} Văn {gen.rng.choice(GIVEN)}",
                role="processor",
                agency_id=agency.id,
            )
            db.session.add(account)
            db.session.flush()
            ids.append(account.id)
        gen.staff[agency.id] = ids
    officer = create_account(
        email="canbo@bench.sonla.vn",
        password=password,
        full_name="Cầm Văn Hùng",
        role="processor",
        agency_slug=gen.busy.slug,
    )
    db.session.flush()
    secret = pyotp.random_base32()
    # Confirmed with the previous step's code (within the accepted drift), so that a sign-in right after
    # the build is not refused as a replay of the enrolment's code.
    codes = two_factor.confirm_enrolment(officer, secret, pyotp.TOTP(secret).at(time.time() - 30))
    assert codes, "the officer's authenticator was not accepted"
    gen.staff[gen.busy.id].append(officer.id)
    db.session.commit()
    return {
        "email": officer.email,
        "password": password,
        "totp_secret": secret,
        "agency": gen.busy.slug,
        "account_id": officer.id,
    }


def feedback_chunk(gen: Generator, indexes: range) -> dict[str, list[dict]]:
    from portal.domain import feedback_status
    from portal.domain.codes import feedback_code
    from portal.feedback.models import queue_rank
    from portal.feedback.operations import CONSENT_VERSION, FORM, hash_token, link_token
    from portal.form_nonce import stored
    from portal.staff.queue_keys import (
        FAR_FUTURE,  # the rule below is queue_keys.queue_due's; verify() checks
    )

    rng, fold = gen.rng, gen.fold
    items, events, pauses = [], [], []
    for index in indexes:
        item_id = index + 1  # ids in time order
        submitted, local = gen.moment(index)
        category = (
            rng.choice(gen.busy_categories) if rng.random() < BUSY_SHARE else rng.choice(gen.categories)
        )
        unit = rng.choice(gen.units)
        agency_id = category.default_agency_id or gen.by_unit[unit.code].id
        received_on = gen.receipt_day(local)
        day = local.date()
        gen.sequences["feedback", day] += 1
        code = feedback_code(day, gen.sequences["feedback", day])
        nonce = secrets.token_urlsafe(24)
        token = link_token(nonce)
        name, phone = gen.person()
        title = f"{rng.choice(TITLES)} tại {unit.name}"
        description = rng.choice(DESCRIPTIONS)
        number, street = str(rng.randrange(1, 300)), rng.choice(STREETS)
        address = f"Số {number} đường {street}"
        due_on = gen.due(local, category.response_days)
        if gen.is_open(local):
            status = rng.choices(("new", "accepted", "info_requested"), (35, 50, 15))[0]
        else:
            status = rng.choices(("closed", "answered", "refused"), (80, 14, 6))[0]
        actor = gen.actor(agency_id)
        row = dict(
            id=item_id, code=code, token_hash=hash_token(token), form_nonce=stored(FORM, nonce),
            category_id=category.id, agency_id=agency_id, admin_unit_code=unit.code, title=title,
            description=description, address=address, contact_name=name, phone=phone,
            email="" if rng.random() < 0.7 else f"nguoidan{item_id}@example.vn", show_name=rng.random() < 0.2,
            consent_version=CONSENT_VERSION, consent_at=submitted, locale="vi" if rng.random() < 0.97 else "en",
            status=status, submitted_at=submitted, received_on=received_on, due_on=due_on,
            reopen_count=0, answer="", info_request="", refusal_reason="", rating="", rating_comment="",
            is_published=False, latitude=None, longitude=None,
        )  # fmt: skip
        row["public_search_key"] = public = fold.join(
            code, title, description, category.name, category.name_en, unit.name
        )
        # The staff key also holds the original text (the public one is masked: portal/domain/pii.py).
        row["search_key"] = fold.join(
            public, title, description, "Số", number, "đường", street, name, phone, phone.replace("+84", "0")
        )
        at = submitted
        events.append(dict(occurred_at=at, subject_type="feedback", subject_id=item_id, action="submitted",
                           to_status="new", is_public=True, note=""))  # fmt: skip
        if status != "new":
            at += timedelta(hours=rng.randrange(2, 40))
            action, to = ("refuse", "refused") if status == "refused" else ("accept", "accepted")
            events.append(dict(occurred_at=at, subject_type="feedback", subject_id=item_id, action=action,
                               actor_id=actor, from_status="new", to_status=to, is_public=True, note=""))  # fmt: skip
            row["assignee_id"] = actor if status != "refused" else None
            if status == "refused":
                row["refusal_reason"] = rng.choice(("spam", "out_of_scope", "insufficient"))
                row["closed_at"] = at
        if status == "info_requested":
            # At most 100 hours after the report: inside its 5 working days, so `info_request_late` stays False.
            at += timedelta(hours=rng.randrange(2, 60))
            events.append(dict(occurred_at=at, subject_type="feedback", subject_id=item_id, action="request_info",
                               actor_id=actor, from_status="accepted", to_status="info_requested",
                               is_public=True, note=INFO_REQUEST))  # fmt: skip
            pauses.append(dict(feedback_id=item_id, started_at=at, resumed_at=None))
            row["info_request"], row["due_on"] = INFO_REQUEST, None
        if status in ("answered", "closed"):
            at += timedelta(days=rng.randrange(3, 15), hours=rng.randrange(8))
            answer = rng.choice(ANSWERS)
            events.append(dict(occurred_at=at, subject_type="feedback", subject_id=item_id, action="answer",
                               actor_id=actor, from_status="accepted", to_status="answered",
                               is_public=True, note=answer))  # fmt: skip
            row.update(answer=answer, answered_at=at, answered_by_id=actor, is_published=rng.random() < 0.6)
        if status == "closed":
            at += timedelta(days=rng.randrange(1, 10))
            events.append(dict(occurred_at=at, subject_type="feedback", subject_id=item_id, action="close",
                               actor_id=actor, from_status="answered", to_status="closed", is_public=True,
                               note=""))  # fmt: skip
            row["closed_at"] = at
            if rng.random() < 0.3:
                row.update(rating="satisfied" if rng.random() < 0.85 else "unsatisfied", rated_at=at)
        row["queue_due"] = (row["due_on"] or FAR_FUTURE) if status in feedback_status.OPEN else None
        # Urgent categories first while open (issue 16 item 3); NULL once closed, like queue_due.
        row["queue_rank"] = queue_rank(category.is_urgent) if row["queue_due"] is not None else None
        items.append(row)
        if len(gen.samples["feedback"]) < SAMPLES and index % max(1, gen.rows // (SAMPLES * 3)) == 7:
            gen.samples["feedback"].append(
                {
                    "code": code,
                    "token": token,
                    "digits": phone[-4:],
                    "status": status,
                    "agency_id": agency_id,
                    "url": f"/feedback/t/{token}",
                }  # fmt: skip
            )
    return {"items": items, "events": events, "pauses": pauses}


def dossier_chunk(gen: Generator, indexes: range) -> dict[str, list[dict]]:
    from portal.domain import dossier_status
    from portal.domain.codes import dossier_code
    from portal.domain.payment_reference import new_reference
    from portal.dossiers.intake import CONSENT_VERSION, nonce_key
    from portal.dossiers.operations import secret_token
    from portal.staff.queue_keys import FAR_FUTURE

    rng, fold = gen.rng, gen.fold
    items, events, pauses, payments = [], [], [], []
    for index in indexes:
        item_id = index + 1  # ids in time order
        submitted, local = gen.moment(index)
        procedure, unit, agency = (
            rng.choice(gen.busy_routes) if rng.random() < BUSY_SHARE else rng.choice(gen.routes)
        )
        day = local.date()
        gen.sequences[f"dossier:{agency.id}", day] += 1
        sequence = gen.sequences[f"dossier:{agency.id}", day]
        code = dossier_code(agency.code, day, sequence)
        salt = secrets.token_hex(16)
        name, phone = gen.person()
        channel = rng.choices(("online", "counter", "post"), (45, 52, 3))[0]
        fee = procedure.fees[channel]
        if gen.is_open(local):
            status = rng.choices((1, 2, 4, 5, 6, 9), (10, 15, 50, 10, 5, 10))[0]
            if channel != "online" and status == 1:
                status = 2
            if status == 6 and not fee:
                status = 4
            if status == 4 and fee and not gen.fee_requested:  # one fee waits, whatever the seed data
                status = 6
            gen.fee_requested = gen.fee_requested or status == 6
        else:
            status = rng.choices((10, 3, 7, 8), (92, 3, 2, 3))[0]
        actor = gen.actor(agency.id)
        received = submitted + (timedelta(hours=rng.randrange(1, 30)) if channel == "online" else timedelta())
        received_local = local + (received - submitted)
        appointment = gen.due(received_local, procedure.processing_days, procedure.same_day)
        row = dict(
            id=item_id, code=code, received_day=day, sequence=sequence, link_salt=salt,
            form_nonce=nonce_key("apply" if channel == "online" else "intake", procedure, secrets.token_urlsafe(24)),
            agency_id=agency.id, procedure_id=procedure.id, channel=channel, status=status,
            applicant_name=name, id_number=f"0{rng.randrange(10**11):011d}",
            birth_date=date(rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29)),
            phone=phone, email="" if rng.random() < 0.6 else f"congdan{item_id}@example.vn",
            address=f"Số {rng.randrange(1, 300)} đường {rng.choice(STREETS)}, {unit.name}",
            admin_unit_code=unit.code, consent_version=CONSENT_VERSION, locale="vi", fee_vnd=fee,
            submitted_at=submitted, created_by_id=None if channel == "online" else actor,
            result_proposed=False, closed_reason="", result_note="",
        )  # fmt: skip
        row["search_key"] = fold.join(
            code, name, row["id_number"], phone, phone.replace("+84", "0"), procedure.name
        )
        at = submitted
        if channel == "online":
            events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action="submitted",
                               to_status="1", is_public=True, note=""))  # fmt: skip
        if status != 1:
            at = received
            if status == 3:
                events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action="refuse",
                                   actor_id=actor, from_status="1", to_status="3", is_public=True,
                                   note="Hồ sơ không thuộc thẩm quyền tiếp nhận."))  # fmt: skip
                row["closed_reason"] = "Hồ sơ không thuộc thẩm quyền tiếp nhận."
            else:
                events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action="receive",
                                   actor_id=actor, from_status="1" if channel == "online" else None,
                                   to_status="2", is_public=True,
                                   note="" if channel == "online" else channel))  # fmt: skip
                row.update(received_at=at, appointment_on=appointment, original_appointment_on=appointment)
        if status in (4, 5, 6, 7, 8, 9, 10):
            at += timedelta(hours=rng.randrange(1, 20))
            events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action="start",
                               actor_id=actor, from_status="2", to_status="4", is_public=True, note=""))  # fmt: skip
            row["assignee_id"] = actor
        if status in (5, 6):
            at += timedelta(hours=rng.randrange(4, 60))
            reason, action = ("supplement", "request_supplement") if status == 5 else ("fee", "request_fee")
            note = SUPPLEMENT_REQUEST if status == 5 else ""
            events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action=action,
                               actor_id=actor, from_status="4", to_status=str(status), is_public=True,
                               note=note))  # fmt: skip
            pauses.append(
                dict(dossier_id=item_id, reason=reason, request=note, started_at=at, resumed_at=None)
            )
            row["appointment_on"] = None
        if status in (7, 8):
            at += timedelta(days=rng.randrange(1, 5))
            action = "withdraw" if status == 7 else "stop"
            note = (
                "Công dân xin rút hồ sơ."
                if status == 7
                else "Dừng xử lý theo đề nghị của cơ quan có thẩm quyền."
            )
            events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action=action,
                               actor_id=None if status == 7 else actor, from_status="4", to_status=str(status),
                               is_public=True, note=note))  # fmt: skip
            row["closed_reason"] = note
        paid = None
        if fee and status in (9, 10) and rng.random() < 0.35:
            at += timedelta(hours=rng.randrange(1, 48))
            paid = at
        if status in (9, 10):
            at = max(
                at + timedelta(hours=1),
                datetime.combine(appointment, datetime.min.time())
                - timedelta(days=rng.randrange(0, 3), hours=rng.randrange(0, 8)),
            )
            events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action="finish",
                               actor_id=actor, from_status="4", to_status="9", is_public=True, note=""))  # fmt: skip
            row.update(finished_at=at, result_note="Nhận kết quả tại Bộ phận Một cửa.")
        if status == 10:
            at += timedelta(days=rng.randrange(0, 6), hours=rng.randrange(1, 8))
            events.append(dict(occurred_at=at, subject_type="dossier", subject_id=item_id, action="return_result",
                               actor_id=actor, from_status="9", to_status="10", is_public=True, note=""))  # fmt: skip
            row["returned_at"] = at
        if paid is not None or status == 6:
            # The first random byte is the worker's number: workers never issue the same reference.
            reference = new_reference(bytes([gen.worker]) + secrets.token_bytes(5))
            while reference in gen.references:
                reference = new_reference(bytes([gen.worker]) + secrets.token_bytes(5))
            gen.references.add(reference)
            payments.append(dict(
                reference=reference, dossier_id=item_id, amount_vnd=fee,
                received_vnd=fee if paid else 0, status="paid" if paid else "pending",
                method="transfer" if paid else "", created_at=paid - timedelta(hours=1) if paid else at,
                paid_at=paid, confirmed_by_id=None, note="",
            ))  # fmt: skip
            if paid is not None:
                events.append(dict(occurred_at=paid, subject_type="dossier", subject_id=item_id,
                                   action="confirm_fee", to_status=None, is_public=True,
                                   note=f"{reference} {fee}"))  # fmt: skip
            if len(gen.samples["payments"]) < SAMPLES:
                gen.samples["payments"].append(
                    {"reference": reference, "status": "paid" if paid else "pending"}
                )
        row["queue_due"] = (
            (row.get("appointment_on") or FAR_FUTURE) if status in dossier_status.OPEN else None
        )
        items.append(row)
        if len(gen.samples["dossiers"]) < SAMPLES and index % max(1, gen.rows // (SAMPLES * 3)) == 11:
            token = secret_token(SimpleNamespace(code=code, link_salt=salt))
            gen.samples["dossiers"].append(
                {
                    "code": code,
                    "token": token,
                    "digits": phone[-4:],
                    "status": status,
                    "agency_id": agency.id,
                    "url": f"/dossiers/t/{code}/{token}",
                }  # fmt: skip
            )
    return {"items": items, "events": events, "pauses": pauses, "payments": payments}


def verify(app, samples: dict) -> None:
    """Re-read sample rows through the portal's models and check the derived columns it maintains."""
    from sqlalchemy import select

    from portal.domain.text import fold
    from portal.dossiers import operations as dossier_operations
    from portal.dossiers.models import Dossier
    from portal.extensions import db
    from portal.feedback import operations as feedback_operations
    from portal.feedback.models import Feedback
    from portal.staff.queue_keys import queue_due

    with app.app_context():
        for sample in samples["feedback"][:10]:
            item = db.session.scalar(
                select(Feedback).where(Feedback.token_hash == feedback_operations.hash_token(sample["token"]))
            )
            assert item is not None and item.code == sample["code"], sample
            public, staff = feedback_operations.search_keys(item)
            assert (item.public_search_key, item.search_key) == (public, staff), (item.code, public)
            assert item.queue_due == queue_due(item), item.code
        for sample in samples["dossiers"][:10]:
            dossier = db.session.scalar(select(Dossier).where(Dossier.code == sample["code"]))
            assert dossier is not None and dossier_operations.token_matches(dossier, sample["token"]), sample
            assert dossier.queue_due == queue_due(dossier), dossier.code
            phone = dossier.phone
            parts = [
                dossier.code,
                dossier.applicant_name,
                dossier.id_number,
                phone,
                phone.replace("+84", "0"),
            ]
            assert dossier.search_key == fold(" ".join([*parts, dossier.procedure.name])), dossier.code
        db.session.rollback()


def _day_number(index: int, rows: int) -> int:
    return (index * 365 * YEARS) // rows


def _work(task: dict) -> dict:
    """One worker: its share of days, feedback then dossiers, in one transaction of its own."""
    from portal import create_app
    from portal.dossiers.models import Dossier, DossierPause
    from portal.events.models import Event
    from portal.feedback.models import Feedback, FeedbackPause
    from portal.payments.models import Payment
    from portal.settings import Settings

    app = create_app(Settings.from_env(task["env"]))
    spec = {
        "feedback_items": Feedback, "feedback_pauses": FeedbackPause, "dossiers": Dossier,
        "dossier_pauses": DossierPause, "payments": Payment, "events": Event,
    }  # fmt: skip
    columns = {table: _columns(model) for table, model in spec.items()}
    for table in SERIAL_TABLES:
        columns[table] = [c for c in columns[table] if c != "id"]
    defaults = {table: _defaults(model) for table, model in spec.items()}
    if task["database"] == "postgresql":
        loader: PgLoader | SqliteLoader = PgLoader(task["url"])
    else:
        scratch = Path(task["scratch"])
        scratch.unlink(missing_ok=True)
        loader = SqliteLoader("sqlite:///" + str(scratch))
        for sql in task["schema"]:
            loader.connection.execute(sql)
    totals: Counter = Counter()
    with app.app_context():
        gen = Generator(app, task["rows"], task["seed"], task["worker"])
        gen.staff = task["staff"]
        for kind in ("feedback", "dossiers"):
            for low in range(task["low"], task["high"], CHUNK):
                indexes = range(low, min(task["high"], low + CHUNK))
                if kind == "feedback":
                    chunk = feedback_chunk(gen, indexes)
                    tables = {"feedback_items": "items", "feedback_pauses": "pauses", "events": "events"}
                else:
                    chunk = dossier_chunk(gen, indexes)
                    tables = {"dossiers": "items", "dossier_pauses": "pauses", "payments": "payments",
                              "events": "events"}  # fmt: skip
                for table, part in tables.items():
                    loader.load(table, columns[table], _tuples(columns[table], defaults[table], chunk[part]))
                    totals[table] += len(chunk[part])
                print(f"  worker {task['worker']}: {kind} {indexes.stop - task['low']:,} of "
                      f"{task['high'] - task['low']:,}", file=sys.stderr)  # fmt: skip
        loader.commit()
        db_engine_dispose()
    return {"totals": totals, "sequences": gen.sequences, "samples": gen.samples}


def db_engine_dispose() -> None:
    from portal.extensions import db

    db.engine.dispose()


def upgrade_schema(samples: dict) -> None:
    """Bring a data set built by an older revision to the code's schema (the portal's migrations).

    A reused data set keeps its rows; a migration that adds an index or a search table builds it here,
    once (minutes at 1M rows), before anything is timed.
    """
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.settings import Settings

    env = {
        "DATABASE_URL": samples["url"],
        "SECRET_KEY": samples["secret_key"],
        "PORTAL_INSTANCE_PATH": samples["instance_path"],
    }
    app = create_app(Settings.from_env(env))
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        db.engine.dispose()
    print(f"[{samples['name']}] schema at head, {time.perf_counter() - started:.0f} s", file=sys.stderr)


def build(
    database: str,
    rows: int,
    name: str | None = None,
    server: str = DEFAULT_SERVER,
    seed: int = 17,
    jobs: int = 2,
) -> dict:
    """Create and fill the data set; returns (and writes) its samples file's content."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import seed_reference_data
    from portal.extensions import db
    from portal.settings import Settings

    name = name or default_name(database, rows)
    started = time.perf_counter()
    url = create_database(database, name, server)
    secret_key = "bench-" + secrets.token_hex(24)
    instance = DATA_DIR / f"{name}-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {"DATABASE_URL": url, "SECRET_KEY": secret_key, "PORTAL_INSTANCE_PATH": str(instance)}
    app = create_app(Settings.from_env(env))
    print(f"[{name}] migrate and seed …", file=sys.stderr)
    with app.app_context():
        upgrade()
        counts = seed_reference_data()
        db.session.commit()
        gen = Generator(app, rows, seed)
        officer = create_staff(gen, secret_key)
        db.session.commit()
        db.engine.dispose()
    print(f"[{name}] reference data {counts}, {time.perf_counter() - started:.0f} s", file=sys.stderr)

    loader = PgLoader(url) if database == "postgresql" else SqliteLoader(url)
    loader.drop_secondary()
    if database == "sqlite":
        loader.connection.execute("COMMIT")
        schema = [
            sql
            for (sql,) in loader.connection.execute(
                f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({','.join('?' * len(BIG_TABLES))})",
                BIG_TABLES,
            )
        ]
        loader.connection.execute("BEGIN")
    else:
        loader.connection.commit()
        schema = []
    # Workers take whole days (the per-day code counters stay within one worker).
    cuts = [0]
    for k in range(1, jobs):
        cut = rows * k // jobs
        while cut < rows and _day_number(cut, rows) == _day_number(cut - 1, rows):
            cut += 1
        cuts.append(cut)
    cuts.append(rows)
    tasks = [
        dict(database=database, url=url, env=env, rows=rows, seed=seed, worker=k, low=cuts[k], high=cuts[k + 1],
             staff=gen.staff, schema=schema, scratch=str(DATA_DIR / f"{name}-worker{k}.db"))
        for k in range(jobs)
    ]  # fmt: skip
    load_started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        results = pool.map(_work, tasks)
    totals: Counter = Counter()
    sequences: Counter = Counter()
    samples_found: dict[str, list] = {"feedback": [], "dossiers": [], "payments": []}
    for result in results:
        totals.update(result["totals"])
        sequences.update(result["sequences"])
        for kind, found in result["samples"].items():
            samples_found[kind].extend(found)
    if database == "sqlite":
        for task in tasks:
            loader.merge(Path(task["scratch"]))
    print(
        f"[{name}] rows generated and loaded in {time.perf_counter() - load_started:.0f} s", file=sys.stderr
    )
    loader.insert(
        "daily_sequences",
        ["scope", "day", "last_value"],
        [(scope, day, n) for (scope, day), n in sequences.items()],
    )
    gen.samples = {
        kind: found[:: max(1, len(found) // SAMPLES)][:SAMPLES] for kind, found in samples_found.items()
    }
    print(f"[{name}] rows {dict(totals)}; rebuilding indexes and constraints …", file=sys.stderr)
    loader.finish(["feedback_items", "feedback_pauses", "dossiers", "dossier_pauses", "payments", "events"])
    samples = {
        "name": name,
        "database": database,
        "rows": rows,
        "url": url,
        "secret_key": secret_key,
        "instance_path": str(instance),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": 0.0,
        "officer": officer,
        "busy_agency": gen.busy.slug,
        "feedback": gen.samples["feedback"],
        "dossiers": gen.samples["dossiers"],
        "payments": gen.samples["payments"],
        "catalogue_search": {"match": "khai sinh", "none": "xzqvy"},
        "feed_search": {"match": "đèn chiếu sáng", "none": "xzqvy khong co"},
        "counts": dict(totals),
    }
    verify(app, samples)
    samples["build_seconds"] = round(time.perf_counter() - started, 1)
    samples_path(name).write_text(json.dumps(samples, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"[{name}] built in {samples['build_seconds']:.0f} s ({rows:,} feedback + {rows:,} dossiers); "
        f"samples in {samples_path(name)}",
        file=sys.stderr,
    )
    return samples


def load_samples(name: str) -> dict:
    return json.loads(samples_path(name).read_text(encoding="utf-8"))


def payable_reference(samples: dict) -> str:
    """A payment reference still to pay, whose QR is served (a paid one's is a 404): a pending sample, else
    the data set's oldest pending payment (the samples of a data set may all be paid). Reads only."""
    for sample in samples["payments"]:
        if sample["status"] == "pending":
            return sample["reference"]
    from sqlalchemy import create_engine, text

    engine = create_engine(samples["url"])
    try:
        with engine.connect() as connection:
            reference = connection.execute(
                text("SELECT reference FROM payments WHERE status = 'pending' ORDER BY created_at LIMIT 1")
            ).scalar()
    finally:
        engine.dispose()
    if reference is None:
        raise RuntimeError("the data set has no pending payment")
    return reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--rows", type=int, default=1_000_000, help="feedback items, and as many dossiers")
    parser.add_argument("--name", help="database name (default bench_pg_<rows> / bench_sqlite_<rows>)")
    parser.add_argument(
        "--server-url", default=DEFAULT_SERVER, help="PostgreSQL server (a database is created)"
    )
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--jobs", type=int, default=2, help="generator processes (this machine has 2 cores)")
    parser.add_argument("--drop", action="store_true", help="drop the data set instead of building it")
    args = parser.parse_args()
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    name = args.name or default_name(args.database, args.rows)
    if not name.startswith("bench_"):
        parser.error("the database name must start with bench_")
    if args.drop:
        drop_database(args.database, name, args.server_url)
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    build(args.database, args.rows, name, args.server_url, args.seed, args.jobs)


if __name__ == "__main__":
    main()
