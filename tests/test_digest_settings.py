"""The digest without an SMTP server (outbox files), and the admins' weekly slot."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from advocacy.db import get_session
from advocacy.models import DigestSchedule, Role
from advocacy.services import digest
from digest_helpers import BASE_URL, camille_is_sent_a_digest


@pytest.fixture
def app_config():
    return {"BASE_URL": BASE_URL}  # no SMTP_HOST: the outbox folder


def test_without_smtp_the_digest_lands_in_the_outbox(app, auth):
    camille_is_sent_a_digest(app, auth)
    [eml] = (Path(app.instance_path) / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "camille@example.org"
    assert message["List-Unsubscribe"].startswith(f"<{BASE_URL}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}


def stored_slot(app):
    with app.app_context():
        slot = digest.schedule(get_session())
        return slot.weekday, slot.hour


def test_admins_set_the_day_and_hour(app, client, auth):
    auth.login_as(Role.ADMIN, language="en")
    page = client.get("/admin/program/digest").get_data(as_text=True)
    assert "Monday" in page and "09:00" in page and "Europe/Paris" in page
    assert stored_slot(app) == (0, 9)  # the default until changed
    response = client.post("/admin/program/digest", data={"weekday": "4", "hour": "7"})
    assert response.status_code == 302
    assert stored_slot(app) == (4, 7)
    client.post("/admin/program/digest", data={"weekday": "2", "hour": "18"})  # updates the one row
    with app.app_context():
        assert get_session().query(DigestSchedule).count() == 1
    assert stored_slot(app) == (2, 18)


@pytest.mark.parametrize("data", [{"weekday": "7", "hour": "9"}, {"weekday": "1", "hour": "24"},
                                  {"weekday": "monday", "hour": "9"}, {"hour": "9"}])
def test_a_bad_slot_is_refused_and_the_old_one_kept(app, client, auth, data):
    auth.login_as(Role.ADMIN, language="en")
    client.post("/admin/program/digest", data={"weekday": "3", "hour": "8"})
    response = client.post("/admin/program/digest", data=data)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert stored_slot(app) == (3, 8)


def test_only_admins_change_the_slot(app, client, auth):
    auth.login_as(Role.CURATOR)
    assert client.get("/admin/program/digest").status_code == 403
    assert client.post("/admin/program/digest", data={"weekday": "4", "hour": "7"}).status_code == 403
    assert stored_slot(app) == (0, 9)


def test_the_service_refuses_out_of_range_values(app):
    with app.app_context(), pytest.raises(digest.ScheduleError):
        digest.set_schedule(get_session(), 0, 24)
