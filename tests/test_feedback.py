"""The feedback loop over HTTP: named and anonymous messages, answers, the public log."""

import pytest

from advocacy.db import get_session
from advocacy.models import FeedbackAuthor, FeedbackItem, Role
from program_helpers import switch_to


def send(client, body="The share button is hard to find on mobile.", kind="irritant", anonymous=False):
    data = {"kind": kind, "body": body}
    if anonymous:
        data["anonymous"] = "y"
    return client.post("/feedback/", data=data)


def only_item(app) -> FeedbackItem:
    with app.app_context():
        return get_session().query(FeedbackItem).one()


def test_named_feedback_gets_a_reply_its_author_can_read(app, client, auth):
    author = auth.login_as(Role.AMBASSADOR, name="Alice Author")
    assert send(client).status_code == 302
    item = only_item(app)
    assert "hard to find" in client.get("/feedback/").get_data(as_text=True)

    switch_to(auth, auth.create_user(Role.CURATOR))
    inbox = client.get("/feedback/inbox").get_data(as_text=True)
    assert "hard to find" in inbox and "Alice" not in inbox
    answer_page = client.get(f"/feedback/inbox/{item.id}").get_data(as_text=True)
    assert "Alice" not in answer_page
    response = client.post(f"/feedback/inbox/{item.id}", data={"status": "answered", "reply": "It moves up next week."})
    assert response.status_code == 302

    switch_to(auth, author)
    page = client.get(f"/feedback/mine/{item.id}").get_data(as_text=True)
    assert "It moves up next week." in page


def test_anonymous_feedback_leaves_no_link_to_its_author(app, client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert send(client, anonymous=True).status_code == 302
    with app.app_context():
        session = get_session()
        item = session.query(FeedbackItem).one()
        assert session.query(FeedbackAuthor).count() == 0
        assert len(item.id) == 32 and item.created_on is not None
    assert "hard to find" not in client.get("/feedback/").get_data(as_text=True)
    assert client.get(f"/feedback/mine/{item.id}").status_code == 404


def test_nobody_reads_someone_elses_feedback_by_guessing(app, client, auth):
    auth.login_as(Role.AMBASSADOR, email="alice@example.org")
    send(client, body="Private worry about my manager")
    item = only_item(app)
    switch_to(auth, auth.create_user(Role.AMBASSADOR, email="bob@example.org"))
    assert client.get(f"/feedback/mine/{item.id}").status_code == 404
    assert client.get("/feedback/mine/1").status_code == 404
    assert "Private worry" not in client.get("/feedback/").get_data(as_text=True)
    assert "Private worry" not in client.get("/feedback/decisions").get_data(as_text=True)


@pytest.mark.parametrize("method,path", [("get", "/feedback/inbox"), ("get", "/feedback/inbox/{id}"),
                                         ("post", "/feedback/inbox/{id}")])
def test_ambassadors_cannot_answer(app, client, auth, method, path):
    auth.login_as(Role.AMBASSADOR)
    send(client)
    url = path.format(id=only_item(app).id)
    response = getattr(client, method)(url, data={"status": "declined", "reply": "no"})
    assert response.status_code == 403
    assert only_item(app).status.value == "new"


def test_public_log_shows_decisions_and_reasons_without_names(app, client, auth):
    auth.login_as(Role.AMBASSADOR, name="Zoé Zeal")
    send(client, body="Idea: a monthly meetup", kind="idea")
    send(client, body="Question: who pays travel?", kind="question")
    send(client, body="Irritant: too many emails", anonymous=True)
    with app.app_context():
        items = {i.body.split(":")[0]: i.id for i in get_session().query(FeedbackItem)}
    switch_to(auth, auth.create_user(Role.CURATOR))
    client.post(f"/feedback/inbox/{items['Idea']}", data={"status": "retained", "reply": "Starting in May."})
    client.post(f"/feedback/inbox/{items['Question']}", data={"status": "answered", "reply": "The team does."})
    client.post(
        f"/feedback/inbox/{items['Irritant']}", data={"status": "declined", "reply": "One digest only already."}
    )
    switch_to(auth, auth.create_user(Role.AMBASSADOR, email="other@example.org"))
    log = client.get("/feedback/decisions").get_data(as_text=True)
    assert "monthly meetup" in log and "Starting in May." in log
    assert "too many emails" in log and "One digest only already." in log
    assert "who pays travel" not in log  # answered, not a decision
    assert "Zoé" not in log


def test_a_decision_needs_its_reason(app, client, auth):
    auth.login_as(Role.AMBASSADOR)
    send(client)
    item = only_item(app)
    switch_to(auth, auth.create_user(Role.CURATOR))
    response = client.post(f"/feedback/inbox/{item.id}", data={"status": "declined", "reply": "  "})
    assert response.status_code == 400 and 'class="error"' in response.get_data(as_text=True)
    assert only_item(app).status.value == "new"


def test_empty_feedback_is_refused_with_the_choice_kept(client, auth):
    auth.login_as(Role.AMBASSADOR)
    response = send(client, body="", kind="idea")
    assert response.status_code == 400
    assert (
        '<input checked id="kind-2" name="kind" required type="radio" value="idea">'
        in response.get_data(as_text=True)
    )
