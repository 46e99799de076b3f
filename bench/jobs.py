"""Time the background jobs on a generated data set: the reminder sweep, the weekly digests, and the delivery
of 1,000 messages to a real SMTP server (aiosmtpd) on loopback. Prints one JSON object.

    DATABASE_URL=… TASKTRACK_TODAY=2024-07-18 python -m bench.jobs
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tasktrack import settings as app_settings
from tasktrack.clock import SHANGHAI
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind

MESSAGES = 1000
#: No control socket: gunicorn's default is one path per user ($HOME/.gunicorn/gunicorn.ctl), which every gunicorn
#: started at the same time (CI's two passes, two hosts) would take from the others.
CONTROL = ("--no-control-socket",)


class _Inbox:
    """An aiosmtpd handler that counts what arrives."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """Return the ids of a process's children (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def kill_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop a gunicorn whose measurements are over: the master, then its workers, at once (SIGKILL).

    A graceful stop costs each worker the tear-down of an interpreter that loaded the whole app (seconds of CPU
    on a busy machine) and buys nothing here: no request is in flight, every answer was read, and everything a
    worker logged is already in its log. The master first, so that it cannot replace the workers.
    """
    if proc.poll() is not None:
        return
    workers = children(proc.pid)
    proc.kill()
    proc.wait()
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _timed(body: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = body()
    db.session.commit()
    return time.perf_counter() - started, result


def run() -> dict[str, Any]:
    """Run each job once against the database of DATABASE_URL and return the timings."""
    from tasktrack import context, create_app
    from tasktrack.mail import SmtpSettings
    from tasktrack.services import digests, outbox, reminders

    app = create_app()
    results: dict[str, Any] = {}
    with app.app_context(), app.test_request_context():
        today = context.today()
        now = dt.datetime.combine(today, dt.time(8, 0), tzinfo=SHANGHAI).astimezone(dt.UTC)
        settings = app_settings.of(app).reminders
        seconds, report = _timed(lambda: reminders.run_sweep(today, settings, base_url=app_settings.of(app).base_url,
                                                             now=now))
        results["sweep"] = {"seconds": round(seconds, 3), "messages": len(report.queued), "items": report.items}
        seconds, report = _timed(lambda: reminders.run_sweep(today, settings, base_url=app_settings.of(app).base_url,
                                                             now=now))
        results["sweep_again"] = {"seconds": round(seconds, 3), "messages": len(report.queued)}
        seconds, report = _timed(lambda: digests.send_all(today, now=now, base_url=app_settings.of(app).base_url,
                                                          weekday=app_settings.of(app).digest_weekday))
        results["digests"] = {"seconds": round(seconds, 3), "messages": len(report.queued),
                              "empty": report.skipped_empty}

        ids = []
        for n in range(MESSAGES):
            ids.append(outbox.enqueue(key=f"bench:{n}", kind=NotificationKind.REMINDER, local_date=today,
                                      to=[f"bench{n}@example.org"], subject=f"压测邮件 {n}",
                                      text="压测正文\n" * 20, html=None, now=now))
        db.session.commit()
        inbox = _Inbox()
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            smtp = SmtpSettings(host="127.0.0.1", port=port, timeout=10, local_hostname="localhost")
            started = time.perf_counter()
            delivered = outbox.deliver_due(smtp, now=lambda: now, only=[i for i in ids if i is not None])
            seconds = time.perf_counter() - started
        finally:
            controller.stop()
        sent = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                 .where(Notification.key.like("bench:%"), Notification.status == "sent"))
        results["delivery"] = {"seconds": round(seconds, 3), "messages": MESSAGES, "received": inbox.count,
                               "marked_sent": sent, "failed": len(delivered.retried) + len(delivered.dead)}
    return results


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
