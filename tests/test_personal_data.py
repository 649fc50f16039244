"""Export and erasure of a person's data, and isolation between ambassadors."""

import json
from datetime import date
from pathlib import Path

import jsonschema
from sqlalchemy import JSON, String, Text, cast, func, select

from advocacy.db import get_session
from advocacy.models import Base, Department, Invitation, Purpose, Role, User, utcnow
from advocacy.services import accounts, ambassadors, consent, contents, personal_feed, reader_feeds, taxonomy
from test_consent import grant

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "personal-data-export.schema.json").read_text())


def fill_everything(app, user):
    """Give the person a value in every personal field the schema describes."""
    with app.app_context():
        session = get_session()
        department = Department(name="Research")
        session.add(department)
        session.flush()

        needs = taxonomy.ensure_needs(session)
        topic = taxonomy.add_topic(session, name_en="Energy")
        ambassadors.update_profile(session, session.get(User, user.id), ambassadors.ProfileChanges(
            networks=["mastodon", "x"], mastodon_instance="mastodon.social", department_id=department.id,
            language="en", paused_until=None, need_ids=[needs[0].id], topic_ids=[topic.id]), date.today())
        content = contents.create_content(session, contents.ContentDraft(
            title="A post", target_url="https://example.org/post", publish_at=utcnow()), None, utcnow())
        personal_feed.dismiss(session, user.id, content.id, utcnow())
        reader_feeds.new_link(session, session.get(User, user.id))
        session.commit()
    for purpose in (Purpose.DIGEST, Purpose.DIRECTORY):
        grant(app, user, purpose)


def walk_required(schema, data, path="$"):
    """Every property the schema names is present in the data (recursively)."""
    missing = []
    if schema.get("type") == "object" or "properties" in schema:
        if not isinstance(data, dict):
            return [path]
        for name, sub in schema.get("properties", {}).items():
            if name not in data:
                missing.append(f"{path}.{name}")
            elif data[name] is not None:
                missing += walk_required(sub, data[name], f"{path}.{name}")
    elif schema.get("type") == "array" and "items" in schema and isinstance(data, list):
        for index, item in enumerate(data):
            missing += walk_required(schema["items"], item, f"{path}[{index}]")
    return missing


def test_export_follows_the_schema_and_holds_every_field(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, email="camille@example.org", name="Camille Martin", language="en")
    fill_everything(app, user)
    response = client.get("/me/data/export.json")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    jsonschema.validate(data, SCHEMA)
    assert walk_required(SCHEMA, data) == []
    assert data["account"]["email"] == "camille@example.org"
    assert data["profile"]["department"] == "Research" and data["profile"]["mastodon_instance"] == "mastodon.social"
    assert data["profile"]["needs"] and data["profile"]["topics"] == ["Energy"]
    assert data["dismissed_contents"][0]["title"] == "A post"
    assert [device["kept_signed_in"] for device in data["devices"]] == [False]  # this browser
    assert data["reader_feed_link"]["created_at"]  # when it was made; the token itself is not kept
    purposes = [entry["purpose"] for entry in data["consents"]["history"]]
    assert set(purposes) >= {"membership", "digest", "directory"}


def mentions(session, needles):
    """(table, column) pairs where any needle still appears, in any text or JSON column."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                expression = cast(column, Text)
            elif isinstance(column.type, (String, Text)):
                expression = column
            else:
                continue
            for needle in needles:
                where = func.lower(expression).contains(needle.lower())
                if session.scalar(select(func.count()).select_from(table).where(where)):
                    found.append((table.name, column.name, needle))
    return found


def test_erasure_leaves_no_email_or_name_anywhere(app, client, auth):
    admin = auth.create_user(Role.ADMIN, email="boss@example.org")
    with app.app_context():
        session = get_session()
        accounts.invite(session, email="camille@example.org", role=Role.AMBASSADOR,
                        invited_by=session.get(User, admin.id), ttl_days=7)
        session.commit()
    user = auth.login_as(Role.AMBASSADOR, email="camille@example.org", name="Camille Martin", language="en")
    fill_everything(app, user)
    with app.app_context():
        assert mentions(get_session(), ["camille@example.org", "Camille Martin"])  # the scan finds them

    wrong = client.post("/me/data/erase", data={"password": "not mine", "confirm": "y"})
    assert wrong.status_code == 400 and b"Wrong password." in wrong.data
    with app.app_context():
        assert get_session().get(User, user.id) is not None  # nothing lost

    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.headers["Location"] == "/login"
    with app.app_context():
        session = get_session()
        assert mentions(session, ["camille@example.org", "Camille Martin"]) == []
        assert session.get(User, user.id) is None
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0
        assert consent.history(session, user.id) == []
        assert session.get(User, admin.id) is not None
    assert client.get("/").status_code == 302  # signed out
    assert auth.login("camille@example.org", "ambassador-password").status_code == 200  # no such account


def test_erasure_needs_the_confirmation_box(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    response = client.post("/me/data/erase", data={"password": "ambassador-password"})
    assert response.status_code == 400
    with app.app_context():
        assert get_session().get(User, user.id) is not None


def test_last_admin_cannot_erase_themselves(app, client, auth):
    admin = auth.login_as(Role.ADMIN)
    client.post("/me/data/erase", data={"password": "admin-password", "confirm": "y"})
    with app.app_context():
        assert get_session().get(User, admin.id) is not None


def test_one_ambassador_never_reaches_another(app, client, auth):
    other = auth.create_user(Role.AMBASSADOR, email="other@example.org", name="Other Person")
    grant(app, other, Purpose.DIRECTORY)
    me = auth.login_as(Role.AMBASSADOR, email="me@example.org", name="Me Myself", language="en")
    # Every personal page is "mine": IDs in the query or the path change nothing.
    for path in [f"/me/data/export.json?user_id={other.id}", f"/me/data/export.json?id={other.id}"]:
        data = client.get(path).get_json()
        assert data["account"]["email"] == "me@example.org"
        assert "other@example.org" not in json.dumps(data)
    for path in [f"/me/profile/{other.id}", f"/me/consents/{other.id}", f"/me/data/{other.id}"]:
        assert client.get(path).status_code == 404
    client.post(f"/me/consents/directory/withdraw?user_id={other.id}", data={"user_id": other.id})
    with app.app_context():
        assert consent.has_consent(get_session(), other.id, Purpose.DIRECTORY)
    # Staff pages that take IDs are closed to ambassadors.
    assert client.post(f"/admin/users/{other.id}/deactivate").status_code == 403
    assert client.post(f"/admin/users/{other.id}/role", data={"role": "admin"}).status_code == 403
    client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y", "user_id": other.id})
    with app.app_context():
        assert get_session().get(User, other.id) is not None
        assert get_session().get(User, me.id) is None
