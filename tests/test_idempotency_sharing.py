"""A share is recorded once per intent: repeats of "I shared it" and reloads of its thank-you page count nothing."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from advocacy import intents
from advocacy.db import get_engine, get_session
from advocacy.models import Purpose, Role, ShareEvent, UsedIntent
from advocacy.services import clock, sharing
from advocacy.services import intents as used_intents
from idempotency_helpers import count, form_data, fresh, replay
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401


def test_i_shared_it_three_times_is_one_share_and_the_thank_you_page_is_a_get(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    content_id = publish(app, "Post")
    panel, action = f"/content/{content_id}/share", f"/content/{content_id}/shared"
    data = fresh(client, panel, action, network="x")

    answers = replay(client, action, data)

    assert count(app, ShareEvent) == 1
    assert {a.status_code for a in answers} == {302}
    thanks_page = answers[0].headers["Location"]
    assert all(a.headers["Location"] == thanks_page for a in answers)  # repeats land where the first led
    for _reload in range(3):
        page = client.get(thanks_page, headers={"Accept-Language": "en"})
        assert page.status_code == 200 and b"added to your own history" in page.data
    assert count(app, ShareEvent) == 1
    with app.app_context():  # "My shares" counts it once
        assert sharing.my_shares_by_month(get_session(), user.id)[0][1:] == ("x", 1)


def test_a_new_intent_is_a_new_share(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    panel, action = f"/content/{content_id}/share", f"/content/{content_id}/shared"
    replay(client, action, fresh(client, panel, action, network="x"))
    replay(client, action, fresh(client, panel, action, network="bluesky"))
    # Shared again later, on the same network: the panel opened again is a new intent.
    replay(client, action, fresh(client, panel, action, network="x"))
    with app.app_context():
        networks = sorted(get_session().scalars(select(ShareEvent.network)))
    assert networks == ["bluesky", "x", "x"]


def test_each_network_form_carries_its_own_key(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    page = client.get(f"/content/{content_id}/share").get_data(as_text=True)
    keys = [part.split('"')[0] for part in page.split('name="intent" value="')[1:]]
    assert len(keys) >= 2 and len(set(keys)) == len(keys)


def test_undo_still_works_and_the_thank_you_page_goes_with_it(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    panel, action = f"/content/{content_id}/share", f"/content/{content_id}/shared"
    data = fresh(client, panel, action, network="x")
    thanks_page = replay(client, action, data)[0].headers["Location"]
    undo_action = thanks_page.replace("/thanks", "/undo")
    undo = form_data(client.get(thanks_page).get_data(as_text=True), undo_action)
    for _again in range(3):
        client.post(undo_action, data=undo)
    assert count(app, ShareEvent) == 0
    assert client.get(thanks_page).status_code == 302  # nothing left to thank for or undo
    # Sending the original form again after the undo does not bring the share back.
    replay(client, action, data)
    assert count(app, ShareEvent) == 0


def test_the_key_stored_links_to_no_one(app, client, auth, world):
    """An anonymous share stays anonymous: the used key is a digest and a day, tied to no person or row."""
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    panel, action = f"/content/{content_id}/share", f"/content/{content_id}/shared"
    data = fresh(client, panel, action, network="x")
    replay(client, action, data, times=1)
    with app.app_context():
        columns = {c["name"] for c in inspect(get_session().get_bind()).get_columns("used_intents")}
        stored = get_session().scalars(select(UsedIntent.digest)).all()
        assert get_session().scalar(select(ShareEvent.user_id)) is None
    assert columns == {"digest", "day"}
    assert len(stored) == 1 and data["intent"] not in stored[0] and data["intent"].split(".")[0] not in stored[0]


def test_a_forged_key_is_refused_and_an_expired_one_records_nothing(app, client, auth, world, monkeypatch):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post")
    panel, action = f"/content/{content_id}/share", f"/content/{content_id}/shared"
    data = fresh(client, panel, action, network="x")
    assert client.post(action, data=data | {"intent": data["intent"] + "x"}).status_code == 400
    # A key older than the database keeps used keys for: it could have been used already.
    long_ago = datetime.now(UTC) - intents.used.KEEP - timedelta(hours=1)
    monkeypatch.setattr(intents.TimestampSigner, "get_timestamp", lambda self: int(long_ago.timestamp()))
    with app.test_request_context():
        old = intents.issue()
    monkeypatch.undo()
    answer = client.post(action, data=data | {"intent": old}, follow_redirects=True,
                         headers={"Accept-Language": "en"})
    assert b"opened too long ago" in answer.data
    assert count(app, ShareEvent) == 0


def test_a_repeat_sent_while_the_first_is_still_running_waits_for_it_and_creates_nothing(app):
    """The double click: the second request claims the key before the first has committed."""
    with app.app_context():
        engine = get_engine()
    day = clock.utc_today()
    with Session(engine) as first, Session(engine) as second:
        assert used_intents.claim(first, "double-click", day)  # claimed, not committed yet
        outcome: dict[str, bool] = {}
        repeat = threading.Thread(target=lambda: outcome.update(second=used_intents.claim(second, "double-click", day)))
        repeat.start()
        repeat.join(0.5)
        assert repeat.is_alive(), "the repeat waits on the key the first one holds"
        first.commit()
        repeat.join(10)
        second.commit()
    assert outcome == {"second": False}


def test_used_keys_are_forgotten_once_no_form_can_bring_them_back(app):
    from advocacy import jobs

    today = clock.utc_today()
    with app.app_context():
        session = get_session()
        used_intents.claim(session, "old", today - used_intents.KEEP - timedelta(days=1))
        used_intents.claim(session, "recent", today - used_intents.KEEP)
        session.commit()
        jobs.forget_used_intents()
        assert get_session().scalars(select(UsedIntent.digest)).all() == [used_intents.digest("recent")]
