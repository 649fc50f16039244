"""The state changes that need no key: what they write makes a repeat a no-op. Each sent three times.

(The forms with a key: test_idempotency_forms and test_idempotency_sharing.)
"""

from datetime import timedelta

from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import (
    AmbassadorProfile,
    ConsentRecord,
    Content,
    Dismissal,
    Feed,
    Purpose,
    Role,
    SurveyParticipation,
    SurveyPendingResponse,
)
from advocacy.services import ambassadors, clock, sample_feeds, surveys
from curation_helpers import curator, editor_form, make_feed, make_item, needs, store  # noqa: F401
from digest_helpers import set_profile
from idempotency_helpers import count
from test_personal_feed import publish, world  # noqa: F401

TODAY = clock.program_today("Europe/Paris")


def test_a_survey_is_answered_once(app, client, auth):
    with app.app_context():
        session = get_session()
        found = surveys.create_survey(session, surveys.SurveyDraft("Pulse", "", TODAY, TODAY + timedelta(days=7)))
        surveys.add_question(session, found, surveys.QuestionType.TEXT, "Why?", [], required=True)
        session.commit()
        survey_id, question_id = found.id, found.questions[0].id
    auth.login_as(Role.AMBASSADOR)
    for _again in range(3):
        client.post(f"/surveys/{survey_id}", data={f"q-{question_id}": "Because."})
    # The answer waits, sealed, until the survey's answers are counted in one batch (survey_pool).
    assert count(app, SurveyPendingResponse) == 1 and count(app, SurveyParticipation) == 1


def test_an_item_is_approved_into_one_content(app, client, store, curator):
    with store.session() as session:
        item = make_item(session, make_feed(session), 1)
    answers = [client.post(f"/curation/queue/{item.id}/approve", data=editor_form(target_url=item.link))
               for _again in range(3)]
    assert count(app, Content, Content.feed_item_id == item.id) == 1
    with app.app_context():
        content_id = get_session().scalar(select(Content.id))
    assert [a.headers["Location"] for a in answers[1:]] == [f"/curation/contents/{content_id}"] * 2


def test_a_feed_is_added_once(app, client, curator):
    sample = sample_feeds.sample_feeds()[0][0]  # served from the package: no network
    answers = [client.post("/feeds/", data={"url": sample}) for _again in range(3)]
    assert count(app, Feed) == 1
    assert "already in the list" in answers[-1].get_data(as_text=True)


def test_dismissing_a_suggestion_three_times_is_one_dismissal(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    for _again in range(3):
        client.post(f"/me/feed/{content_id}/dismiss")
    assert count(app, Dismissal) == 1


def test_renewing_three_times_renews_once(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    ends = TODAY + timedelta(days=20)
    set_profile(app, user, mandate_ends_on=ends)
    for _again in range(3):
        client.post("/me/renew")
    with app.app_context():
        renewed = get_session().get(AmbassadorProfile, user.id).mandate_ends_on
    assert renewed == ambassadors.add_months(ends, 12)


def test_leaving_three_times_leaves_once(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    client.post("/me/leave")
    with app.app_context():
        left_at = get_session().get(AmbassadorProfile, user.id).left_at
    for _again in range(2):
        client.post("/me/leave")
    assert count(app, ConsentRecord, ConsentRecord.user_id == user.id, ConsentRecord.purpose == Purpose.MEMBERSHIP,
                 ConsentRecord.granted.is_(False)) == 1
    with app.app_context():
        assert get_session().get(AmbassadorProfile, user.id).left_at == left_at
