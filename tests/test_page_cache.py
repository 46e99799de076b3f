"""The declarative page cache (web/page_cache.py): the reader's role, unit and work group are in every key by
construction, the declared request arguments too, and templates' csrf_token() is the reader's own token on a
cached fragment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, render_template_string
from flask_login import login_user

from tasktrack import cache
from tasktrack.web.page_cache import cached


def test_the_key_holds_the_reader_and_the_declared_arguments(app: Flask, seeded: None,
                                                             make_user: Callable[..., Any]) -> None:
    builds: list[str] = []

    @cached(vary=("args:light",))
    def body(plan_id: int) -> str:
        builds.append("built")
        return render_template_string("<form><input name=csrf_token value='{{ csrf_token() }}'></form>")

    readers = [make_user("liaison", unit="省民政厅"), make_user("liaison", unit="省教育厅"),
               make_user("secretariat"), make_user("liaison", unit="省民政厅")]
    seen = []
    for reader, query in [(readers[0], "light=red"), (readers[0], "light=red"), (readers[0], "light=red&x=1"),
                          (readers[1], "light=red"), (readers[2], "light=red"), (readers[3], "light=red"),
                          (readers[0], "light=green")]:
        with app.test_request_context(f"/x?{query}"):
            login_user(reader)
            html = body(1)
            assert cache.CSRF_PLACEHOLDER not in html  # the reader's own token, put in after the cache
            seen.append(html)
    # Same reader and arguments (an undeclared argument aside): one build. Another unit, another role, another
    # declared argument value: built again. A colleague of the same unit and role shares the entry.
    assert len(builds) == 4


def test_the_key_holds_the_readers_work_group(app: Flask, seeded: None, make_user: Callable[..., Any],
                                              now: Any) -> None:
    """Two secretariats of different work groups (same role, no unit) never share a cached page: each reads its
    own part of the tree (permissions.visible_group_ids)."""
    from tasktrack.extensions import db
    from tasktrack.models import WorkGroup, WorkGroupLevel
    from tasktrack.services.work_groups import default_work_group

    city = WorkGroup(name="杭州市清廉社会组织建设工作专班", level=WorkGroupLevel.CITY,
                     parent_id=default_work_group().id, created_at=now)
    db.session.add(city)
    db.session.commit()
    province_office = make_user("secretariat")
    city_office = make_user("secretariat")
    city_office.work_group_id = city.id
    db.session.commit()
    builds: list[int] = []

    @cached()
    def body() -> str:
        builds.append(1)
        return "page"

    for reader in (province_office, city_office, province_office, city_office):
        with app.test_request_context("/x"):
            login_user(reader)
            body()
    assert len(builds) == 2
