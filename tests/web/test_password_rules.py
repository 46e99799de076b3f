"""Issue 10 item 8: weak passwords are refused, with the reason in Chinese on the field, everywhere one is set.

Accepted before the fix: ``qwertyuiop``, ``abcdefgh``, the README's demo password on an ordinary account and the
account's own e-mail address.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tasktrack import passwords
from tasktrack.extensions import db
from tasktrack.models import User
from tasktrack.passwords import password_problem
from tasktrack.services import ServiceError, seeding
from tests.conftest import PASSWORD, csrf_token, login

DEMO = "Demo-2024-zj"  # the README's demo password (seed/demo.yaml)
ERROR_RE = re.compile(r'<p class="error">([^<]*)</p>')


def field_errors(html: str, marker: str, after: str = "") -> list[str]:
    """Return the error messages shown under the form field whose input contains ``marker``."""
    start = html.index(marker, html.index(after) if after else 0)
    return ERROR_RE.findall(html[start:html.index("</div>", start)])


@pytest.mark.parametrize(("password", "reason"), [
    ("qwertyuiop", "过于常见"),
    ("abcdefgh", "至少需要 10 个字符"),
    ("short-pw", "至少需要 10 个字符"),
    ("woaini1314", "过于常见"),
    ("5201314520", "过于常见"),
    ("QQ123456789", "过于常见"),           # case does not matter
    ("a123456789", "过于常见"),
    ("1qaz2wsx3edc", "过于常见"),           # keyboard walk
    ("iloveyou1314", "过于常见"),
    ("Password2024!", "过于常见"),          # a common word with the usual ending
    ("zhangwei1988", "过于常见"),
    ("abcdefghijkl", "过于常见"),           # a run
    ("9876543210", "过于常见"),
    ("abcabcabcabc", "过于常见"),           # a short unit repeated
    ("xxxxxxxxxxxx", "过于常见"),
    ("tasktrack2024", "过于常见"),          # this system's own name
    (DEMO, "演示账号"),
    ("li.ming@example.org", "邮箱"),        # the whole e-mail address
    ("my-li.ming-secret", "邮箱"),          # its local part
    ("李明的办公室密码2024", "姓名"),
    ("x" * 129, "不能超过 128 个字符"),
])
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    problem = password_problem(password, email="li.ming@example.org", name="李明")
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize("password", ["correct-horse-battery", "春天的杭州西湖边散步", "Lake-West-Bridge-7",
                                      "another-long-one", "my phone is not this"])
def test_reasonable_passwords_are_accepted(password):
    assert password_problem(password, email="li.ming@example.org", name="李明") is None


def test_the_list_is_shipped_and_holds_the_common_chinese_ones():
    common = passwords.common_passwords()
    assert len(common) > 3000
    for word in ("123456", "a123456", "woaini1314", "5201314", "qq123456", "iloveyou", "1qaz2wsx", "qwertyuiop"):
        assert word in common


def test_the_unknown_account_hash_costs_what_a_real_one_does():
    """Logging in as nobody verifies against DUMMY_HASH: it must be a valid hash at the default hasher's cost."""
    hasher = passwords.hasher()
    assert not hasher.check_needs_rehash(passwords.DUMMY_HASH)
    assert passwords.verify_password(passwords.DUMMY_HASH, "not-a-real-account-password") == (True, None)
    assert passwords.verify_password(passwords.DUMMY_HASH, PASSWORD) == (False, None)


def test_short_local_parts_and_latin_names_are_not_over_matched():
    assert password_problem("the-li-family-tree", email="li@example.org", name="Li") is None
    assert "姓名" in (password_problem("ann-marie-secret-9", email="x@example.org", name="Ann Marie") or "")


def test_only_the_demo_seed_may_set_the_demo_password(app, seeded, now, make_user):
    assert passwords.demo_password() == DEMO
    with pytest.raises(ServiceError, match="演示账号"):
        make_user("viewer", password=DEMO)
    seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    assert login(app.test_client(), "office@example.org", DEMO).status_code == 302
    # a demo account changing its password may not choose the demo password again either
    assert password_problem(DEMO, email="office@example.org") is not None


def test_the_new_account_page_says_why_on_the_password_field(client, seeded, login_as):
    login_as("secretariat")
    token = csrf_token(client, "/admin/users/new")
    for password, reason in [("qwertyuiop", "过于常见"), ("abcdefgh", "至少需要 10 个字符"),
                             ("wang.fang@example.org", "邮箱"), (DEMO, "演示账号")]:
        response = client.post("/admin/users/new", data={"csrf_token": token, "email": "wang.fang@example.org",
                                                          "name": "王芳", "role": "viewer", "unit_id": "0",
                                                          "password": password})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert any(reason in e for e in field_errors(html, 'name="password"')), password
    assert db.session.scalar(sa.select(User).where(User.email == "wang.fang@example.org")) is None


def test_the_reset_form_says_why_on_its_field(client, seeded, login_as, make_user):
    login_as("secretariat")
    target = make_user("viewer", email="zhao.lei@example.org", name="赵磊")
    before = db.session.get(User, target.id).password_hash
    token = csrf_token(client, f"/admin/users/{target.id}/edit")
    response = client.post(f"/admin/users/{target.id}/password", data={"csrf_token": token, "password": "zhao.lei2024"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert any("邮箱" in e for e in field_errors(html, 'id="password"', after="<h2>重置密码</h2>"))
    db.session.rollback()
    assert db.session.get(User, target.id).password_hash == before


def test_changing_ones_own_password_refuses_a_weak_one(client, make_user):
    user = make_user("viewer", email="chen.jing@example.org", name="陈静")
    login(client, user.email)
    token = csrf_token(client, "/account/password")
    for new, reason in [("qwertyuiop", "过于常见"), ("chen.jing-2024", "邮箱"), (DEMO, "演示账号")]:
        response = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": new,
                                                          "confirm": new})
        assert response.status_code == 400
        assert any(reason in e for e in field_errors(response.get_data(as_text=True), 'name="new"')), new
    assert login(client.application.test_client(), user.email, PASSWORD).status_code == 302


def test_the_cli_refuses_a_weak_password(runner, seeded):
    for password, reason in [("qwertyuiop", "过于常见"), ("abcdefgh", "至少需要 10 个字符"), (DEMO, "演示账号"),
                             ("ops-person@example.org", "邮箱")]:
        result = runner.invoke(args=["users", "create", "--email", "ops-person@example.org", "--role", "viewer",
                                     "--password", password])
        assert result.exit_code == 1, password
        assert reason in result.output, password
    assert db.session.scalar(sa.select(User).where(User.email == "ops-person@example.org")) is None
