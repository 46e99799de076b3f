"""Instants are read in UTC: PostgreSQL sessions run in UTC whatever the server's TimeZone, and UTCDateTime passes
UTC values through (db_engine.prepare_engine_options, models/base.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.db_engine import prepare_engine_options
from tasktrack.extensions import db
from tasktrack.models.base import UTCDateTime

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _options(uri: str, **given: object) -> dict[str, object]:
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=uri, SQLALCHEMY_ENGINE_OPTIONS=given)
    prepare_engine_options(app)
    return dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])


def test_postgresql_sessions_are_asked_for_utc_keeping_the_operators_options() -> None:
    plain = _options("postgresql+psycopg://u@h/d")
    assert plain["connect_args"] == {"options": "-c TimeZone=UTC"}
    kept = _options("postgresql+psycopg://u@h/d", connect_args={"options": "-c statement_timeout=5000", "sslmode": "x"})
    assert kept["connect_args"] == {"options": "-c statement_timeout=5000 -c TimeZone=UTC", "sslmode": "x"}


@pytest.mark.parametrize("value", [
    dt.datetime(2024, 7, 18, 9, 30, tzinfo=SHANGHAI),
    dt.datetime(2024, 7, 18, 1, 30, tzinfo=ZoneInfo("Etc/UTC")),
    dt.datetime(2024, 7, 18, 1, 30),  # SQLite's naive value is UTC
    dt.datetime(2024, 7, 18, 1, 30, tzinfo=dt.UTC),
])
def test_every_value_read_is_the_same_instant_in_utc(value: dt.datetime) -> None:
    read = UTCDateTime().process_result_value(value, sa.create_engine("sqlite://").dialect)
    assert read == dt.datetime(2024, 7, 18, 1, 30, tzinfo=dt.UTC)
    assert read is not None
    assert read.tzinfo is dt.UTC
    if value.tzinfo is dt.UTC:
        assert read is value  # passed through, not converted


@pytest.mark.postgresql_only
def test_the_session_runs_in_utc_and_instants_round_trip(app: Flask) -> None:
    with app.app_context():
        assert db.session.scalar(sa.text("SHOW TimeZone")) == "UTC"
        instant = dt.datetime(2024, 7, 18, 23, 59, 59, tzinfo=SHANGHAI)
        read = db.session.scalar(sa.select(sa.cast(sa.literal(instant, UTCDateTime()), UTCDateTime())))
        assert read == instant
        assert read.tzinfo is dt.UTC
        created = db.session.scalar(sa.select(sa.type_coerce(sa.func.now(), UTCDateTime())))  # the server's clock
        assert created is not None
        assert created.tzinfo is dt.UTC
