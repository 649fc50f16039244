"""The personal feed: ranked by fit and freshness, explained, dismissable, paginated."""

from datetime import timedelta

import pytest

from advocacy.db import get_session
from advocacy.models import Role, User, utcnow
from advocacy.services import ambassadors, contents, personal_feed, taxonomy


@pytest.fixture
def world(app):
    """Needs and two topics; returns their ids by key/name."""
    with app.app_context():
        session = get_session()
        needs = {need.key: need.id for need in taxonomy.ensure_needs(session)}
        topics = {name: taxonomy.add_topic(session, name_en=name).id for name in ("Energy", "Jobs")}
        session.commit()
        return needs, topics


def publish(app, title, *, needs=(), topics=(), hours_ago=1, highlighted=False, expires_in=None):
    now = utcnow()
    with app.app_context():
        session = get_session()
        draft = contents.ContentDraft(
            title=title, summary=f"About {title}", target_url=f"https://example.org/{title.replace(' ', '-')}",
            publish_at=now - timedelta(hours=hours_ago), highlighted=highlighted,
            expires_at=now + expires_in if expires_in else None,
            need_ids=list(needs), topic_ids=list(topics), texts={"x": [f"Read {title}"]})
        content = contents.create_content(session, draft, None, now)
        session.commit()
        return content.id


def choose(app, user, needs=(), topics=()):
    with app.app_context():
        session = get_session()
        ambassadors.update_profile(session, session.get(User, user.id), ambassadors.ProfileChanges(
            networks=["x"], mastodon_instance=None, department_id=None, language="en", paused_until=None,
            need_ids=list(needs), topic_ids=list(topics)), utcnow().date())
        session.commit()


def ranked_titles(app, user):
    with app.app_context():
        feed = personal_feed.page(get_session(), user.id, utcnow(), size=50)
        return [s.content.title for s in feed.suggestions]


def test_ranking_follows_the_documented_score(app, auth, world):
    needs, topics = world
    user = auth.create_user(Role.AMBASSADOR)
    choose(app, user, needs=[needs["career"]], topics=[topics["Energy"]])
    publish(app, "Old but my need", needs=[needs["career"]], hours_ago=24 * 40)  # 3 + 0
    publish(app, "Fresh, nothing for me", hours_ago=1)  # 3 (freshness only)
    publish(app, "My topic, this week", topics=[topics["Energy"]], hours_ago=24 * 5)  # 2 + 2
    publish(app, "Need and topic", needs=[needs["career"]], topics=[topics["Energy"]], hours_ago=24 * 20)  # 3+2+1
    publish(app, "Highlight", highlighted=True, hours_ago=24 * 3)  # 2 + 2
    titles = ranked_titles(app, user)
    assert titles[0] == "Need and topic"
    assert titles.index("My topic, this week") < titles.index("Old but my need")
    with app.app_context():
        scores = {s.content.title: s.score
                  for s in personal_feed.page(get_session(), user.id, utcnow(), size=50).suggestions}
    assert scores == {"Need and topic": 6, "My topic, this week": 4, "Highlight": 4,
                      "Old but my need": 3, "Fresh, nothing for me": 3}


def test_feed_page_explains_why(app, client, auth, world):
    needs, topics = world
    user = auth.login_as(Role.AMBASSADOR, language="en")
    choose(app, user, needs=[needs["career"]], topics=[topics["Jobs"]])
    publish(app, "Lyon site opens", needs=[needs["career"], needs["learning"]], topics=[topics["Jobs"]])
    html = client.get("/").get_data(as_text=True)
    assert "Lyon site opens" in html
    assert "Why you see this:" in html and "it serves Career" in html and "it is about Jobs" in html
    assert "Learning" not in html.split("Why you see this:")[1].split("</p>")[0]  # only their own needs


def test_only_visible_content_and_not_what_was_dismissed(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    shown = publish(app, "Live post")
    publish(app, "Scheduled post", hours_ago=-5)
    publish(app, "Expired post", hours_ago=48, expires_in=timedelta(hours=-1))
    assert ranked_titles(app, user) == ["Live post"]
    assert client.post(f"/me/feed/{shown}/dismiss").status_code == 302
    assert ranked_titles(app, user) == []
    html = client.get("/").get_data(as_text=True)
    assert "No suggestions right now." in html and "/me/profile" in html  # the empty state says what to do
    data = client.get("/me/data/export.json").get_json()
    assert [d["title"] for d in data["dismissed_contents"]] == ["Live post"]


def test_not_for_me_can_be_undone(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    shown = publish(app, "Live post")
    dismissed = client.post(f"/me/feed/{shown}/dismiss")
    assert dismissed.headers["Location"] == f"/?hidden={shown}"
    page = client.get(dismissed.headers["Location"]).get_data(as_text=True)
    assert "Hidden from your suggestions." in page and f'action="/me/feed/{shown}/restore"' in page
    for _again in range(2):  # a repeat changes nothing
        assert client.post(f"/me/feed/{shown}/restore").status_code == 302
    assert ranked_titles(app, user) == ["Live post"]
    assert "Back in your suggestions." in client.get("/").get_data(as_text=True)


def test_dismissing_an_unknown_or_invisible_content_is_404(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    scheduled = publish(app, "Later", hours_ago=-5)
    assert client.post(f"/me/feed/{scheduled}/dismiss").status_code == 404
    assert client.post("/me/feed/999999/dismiss").status_code == 404


def test_one_person_dismissing_hides_nothing_for_another(app, auth, world):
    one = auth.create_user(Role.AMBASSADOR, email="one@example.org")
    two = auth.create_user(Role.AMBASSADOR, email="two@example.org")
    content_id = publish(app, "Shared by all")
    with app.app_context():
        personal_feed.dismiss(get_session(), one.id, content_id, utcnow())
        get_session().commit()
    assert ranked_titles(app, one) == [] and ranked_titles(app, two) == ["Shared by all"]


def test_pagination(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, language="en")
    for n in range(personal_feed.PAGE_SIZE + 3):
        publish(app, f"Post {n:02d}", hours_ago=n + 1)
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)
    assert "Post 00" in first and "Post 12" not in first and "?page=2" in first
    assert "Post 12" in second and "Post 00" not in second
    assert client.get("/?page=-4").status_code == 200  # a silly page number is not an error
