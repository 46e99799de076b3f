"""The one form pipeline (web/forms.py): a forged CSRF token changes nothing, whatever a form view does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g, redirect
from flask_wtf.csrf import CSRFError

from tasktrack.extensions import db
from tasktrack.models import Category
from tasktrack.web.forms import form_view, is_form_view


def _count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(Category)) or 0)


def test_no_flush_under_a_forged_token(app: Flask, seeded: None) -> None:
    """A form view that wrote before (or without) validating its form still writes nothing."""
    before = _count()
    with app.test_request_context("/x", method="POST"):
        g.csrf_refused = True
        db.session.add(Category(name="伪造令牌写入", code="forged", work_group_id=1))
        with pytest.raises(CSRFError):
            db.session.flush()
        db.session.rollback()
    assert _count() == before


@pytest.mark.parametrize("answer", [lambda: redirect("/"), lambda: ("done", 200)])
def test_a_form_view_cannot_succeed_under_a_forged_token(app: Flask, answer: Callable[[], Any]) -> None:
    view = form_view(lambda: answer())
    assert is_form_view(view)
    with app.test_request_context("/x", method="POST"):
        g.csrf_refused = True
        with pytest.raises(CSRFError):
            view()
        g.csrf_refused = False
        assert view() is not None  # with a good token the view answers as it likes


def test_every_form_view_is_exempt_only_from_the_global_check(app: Flask) -> None:
    """Form views check the token through their form; every other write keeps CSRFProtect's hook."""
    from tasktrack.extensions import csrf

    exempt = set(csrf._exempt_views)  # Flask-WTF keeps no public list
    for endpoint, view in app.view_functions.items():
        name = f"{view.__module__}.{view.__name__}"
        if name in exempt and not endpoint.startswith("api."):
            assert is_form_view(view), f"{endpoint} is exempt from CSRF but checks no form"
