"""E-mail delivery speed (issue 16): 1,000 queued messages to a real SMTP server (aiosmtpd) on loopback, through
the outbox's batched delivery (one connection and two transactions per batch). Target: ≤ 3 s.

    python -m bench.delivery                        # SQLite and PostgreSQL (BENCH_PG_URL), fresh databases
    python -m bench.delivery --databases sqlite
    python -m bench.run --only delivery             # the same section inside `make bench`
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.write_load import PG_ADMIN, PYTHON, ROOT, drop_database, fresh_database, scratch_name, server_env

MESSAGES = 1000
#: The target of the issue: 1,000 messages delivered in at most 3 seconds.
TARGET_S = 3.0


def measure(messages: int = MESSAGES) -> dict[str, Any]:
    """Queue ``messages`` on the database of DATABASE_URL (schema created here), deliver them, return the figures."""
    import sqlalchemy as sa
    from aiosmtpd.controller import Controller

    from bench.jobs import _Inbox, free_port
    from tasktrack import create_app
    from tasktrack import settings as app_settings
    from tasktrack.extensions import db
    from tasktrack.mail import SmtpSettings
    from tasktrack.models import Notification, NotificationKind, NotificationStatus
    from tasktrack.services import outbox

    app = create_app()
    with app.app_context():
        db.create_all()
        now = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)
        outbox.enqueue_many([outbox.Outgoing(key=f"bench-delivery:{n}", kind=NotificationKind.REMINDER,
                                             local_date=now.date(), to=[f"bench{n}@example.org"],
                                             subject=f"压测邮件 {n}", text="压测正文\n" * 20, html=None)
                             for n in range(messages)], now=now)
        db.session.commit()
        inbox = _Inbox()
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            smtp = SmtpSettings(host="127.0.0.1", port=port, timeout=10, local_hostname="localhost")
            started = time.perf_counter()
            report = outbox.deliver_due(smtp, now=lambda: now, policy=app_settings.of(app).delivery)
            seconds = time.perf_counter() - started
        finally:
            controller.stop()
        sent = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                 .where(Notification.status == NotificationStatus.SENT))
        return {"messages": messages, "seconds": round(seconds, 3), "received": inbox.count, "marked_sent": sent,
                "connections": report.connections, "failed": len(report.retried) + len(report.dead),
                "batch_size": app_settings.of(app).delivery.batch_size}


def run(kind: str, *, where: Path, pg_admin: str = PG_ADMIN) -> dict[str, Any]:
    """Measure on a fresh database of ``kind`` in a subprocess (production config); drop it after."""
    where.mkdir(parents=True, exist_ok=True)
    url = fresh_database(kind, where, pg_admin, scratch_name("delivery"))
    try:
        load = round(os.getloadavg()[0], 1)
        done = subprocess.run([PYTHON, "-m", "bench.delivery", "--measure"], env=server_env(url, where / "uploads"),
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the delivery measurement failed on {kind}:\n{done.stderr[-3000:]}")
        return {"database": kind, **json.loads(done.stdout.strip().splitlines()[-1]), "load": load}
    finally:
        drop_database(url, pg_admin)


def met(result: dict[str, Any]) -> bool:
    """Whether a run meets the target, with every message received once and marked sent."""
    return (result["seconds"] <= TARGET_S and result["received"] == result["messages"] == result["marked_sent"])


def line(result: dict[str, Any]) -> str:
    """One line of figures for the console."""
    return (f"   delivery {result['database']:10} {result['messages']} messages in {result['seconds']} s "
            f"({result['received']} received, {result['marked_sent']} marked sent, {result['connections']} SMTP "
            f"connections, batches of {result['batch_size']}); load average {result['load']} — "
            f"{'target met' if met(result) else 'MISSED'} (≤ {TARGET_S:g} s)")


def markdown(runs: dict[str, dict[str, Any]]) -> list[str]:
    """The delivery section of the benchmark report."""
    if not runs:
        return []
    lines = ["## E-mail delivery (issue 16)", "",
             f"{MESSAGES} queued messages delivered to aiosmtpd on loopback by `outbox.deliver_due` (one SMTP "
             f"connection, one claim and one result transaction per batch). Target ≤ {TARGET_S:g} s.", "",
             "| database | messages | seconds | received | marked sent | connections | load | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in runs.values():
        lines.append(f"| {r['database']} | {r['messages']} | {r['seconds']} | {r['received']} | {r['marked_sent']} "
                     f"| {r['connections']} | {r['load']} | {'met' if met(r) else 'MISSED'} |")
    return [*lines, ""]


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["postgresql", "sqlite"])
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases:
            print(line(run(kind, where=Path(tmp))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
