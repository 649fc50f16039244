"""The read-only JSON API: each endpoint, scopes, tokens, the k rule, cursors, problem details, the document.

Every answer is checked against the OpenAPI document the app serves
(tests/api_helpers.py), and the document itself is validated.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy import select

from advocacy.models import ApiToken, Content, Role
from api_helpers import declared, document, get, personal_token, staff_token
from curation_helpers import make_feed
from insights_helpers import add_clicks, add_shares, place_in_department
from program_helpers import people
from test_consent import grant
from test_personal_feed import choose, publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()


@pytest.fixture
def admin(auth):
    return auth.create_user(Role.ADMIN, email="admin@example.org", name="Ada Admin")


def test_the_openapi_document_is_valid_openapi_3_1(client):
    doc = document(client)
    validate_openapi(doc)
    assert doc["openapi"].startswith("3.1")
    assert {"/insights", "/contents", "/contents/{content_id}", "/feeds", "/me/suggestions",
            "/me/data"} <= set(doc["paths"])


def test_the_conformance_check_finds_the_declared_schema_and_catches_a_wrong_answer(client):
    schema = declared(client, "/api/v1/contents/12", 200, "application/json")
    assert schema == {"$ref": "#/components/schemas/Content"}
    assert declared(client, "/api/v1/contents?limit=3", 429, "application/problem+json")
    assert declared(client, "/api/v1/elsewhere", 404, "application/problem+json") is None
    with pytest.raises(AssertionError, match="does not document the status 404"):
        declared(client, "/api/v1/feeds", 404, "application/problem+json")
    validator = Draft202012Validator({**document(client), **schema})
    with pytest.raises(ValidationError):
        validator.validate({"id": "12", "title": "No other field"})
    people = Draft202012Validator({**document(client), "$ref": "#/components/schemas/People"})
    with pytest.raises(ValidationError):  # an exact count of people is not a shape the API has
        people.validate(3)


def test_contents_page_by_cursor_with_no_duplicates_or_gaps_while_rows_are_inserted(app, client, admin):
    token = staff_token(app, admin, ["contents:read"])
    first_ids = [publish(app, f"Post {n}") for n in range(7)]
    seen, cursor, inserted = [], None, []
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = get(client, f"/api/v1/contents?{query}", token, "ContentList").get_json()
        seen += [item["id"] for item in body["items"]]
        if not inserted:  # new contents arrive while the client is paging
            inserted = [publish(app, f"Late {n}") for n in range(2)]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(first_ids + inserted)  # each once, in order, the late ones at the end
    assert len(set(seen)) == len(seen)


def test_one_content_and_a_guessed_id_gets_404(app, client, admin):
    token = staff_token(app, admin, ["contents:read"])
    content_id = publish(app, "Solar roofs")
    body = get(client, f"/api/v1/contents/{content_id}", token, "Content").get_json()
    assert body["title"] == "Solar roofs" and body["status"] == "published"
    assert body["texts"] == [{"network": "x", "text": "Read Solar roofs"}]
    get(client, f"/api/v1/contents/{content_id + 1000}", token, status=404)


def test_feeds_are_listed(app, client, admin, db):
    make_feed(db, "Energy news", "https://example.org/energy.xml")
    make_feed(db, "Jobs news", "https://example.org/jobs.xml")
    db.commit()
    token = staff_token(app, admin, ["feeds:read"])
    body = get(client, "/api/v1/feeds?limit=1", token, "FeedList").get_json()
    assert [feed["title"] for feed in body["items"]] == ["Energy news"] and body["next_cursor"]
    body = get(client, f"/api/v1/feeds?cursor={body['next_cursor']}", token, "FeedList").get_json()
    assert [feed["title"] for feed in body["items"]] == ["Jobs news"] and body["next_cursor"] is None


def test_insights_follow_the_k_rule_and_name_nobody(app, client, auth, admin):
    content_id = publish(app, "Grid post")
    few = people(auth, Role.AMBASSADOR, 3, prefix="few")  # under k = 5
    for person in few:
        grant(app, person, "share_attribution")
        add_shares(app, content_id, "x", TODAY, 2, person.id)
    place_in_department(app, [person.id for person in few], "Tiny department")
    add_clicks(app, content_id, "x", TODAY, 9, 1)
    token = staff_token(app, admin, ["insights:read"])
    response = get(client, f"/api/v1/insights?start={TODAY}&end={TODAY}", token, "Insights")
    body = response.get_json()
    assert body["k"] == 5
    assert body["totals"] == {"shares": 6, "clicks": 9, "previews": 1}  # events, not people: as they are
    participation = body["participation"]
    assert participation["active"] == {"hidden": True, "fewer_than": 5}
    assert participation["sharers"] == {"hidden": True, "fewer_than": 5}
    assert participation["percent"] == {"hidden": True, "fewer_than": 5}
    assert body["departments"] == []  # a group under k is suppressed, not shown
    text = response.get_data(as_text=True)
    for person in few:
        assert person.name not in text and person.email not in text
    assert "Tiny department" not in text


def test_insights_at_k_show_bands_never_exact_counts(app, client, auth, admin):
    content_id = publish(app, "Grid post")
    many = people(auth, Role.AMBASSADOR, 7, prefix="many")
    for person in many:
        grant(app, person, "share_attribution")
        add_shares(app, content_id, "x", TODAY, 1, person.id)
    token = staff_token(app, admin, ["insights:read"])
    body = get(client, f"/api/v1/insights?start={TODAY}&end={TODAY}", token, "Insights").get_json()
    assert body["participation"]["active"] == {"low": 5, "high": 9}
    assert body["participation"]["sharers"] == {"low": 5, "high": 9}


@pytest.mark.parametrize("query", ["start=yesterday", f"start={TODAY}&end={TODAY - timedelta(days=3)}"])
def test_a_bad_date_range_is_a_400_problem(app, client, admin, query):
    get(client, f"/api/v1/insights?{query}", staff_token(app, admin, ["insights:read"]), status=400)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "limit=-1", "cursor=forged", "cursor=",
                                   # a superscript two and Arabic-Indic digits: str.isdigit() says yes to both
                                   "limit=%C2%B2", "limit=%D9%A1%D9%A2"])
def test_bad_paging_parameters_are_400_problems_and_change_nothing(app, client, admin, query):
    token = staff_token(app, admin, ["contents:read"])
    publish(app, "Kept")
    if query == "cursor=":  # an empty cursor is the first page
        get(client, f"/api/v1/contents?{query}", token, "ContentList")
        return
    body = get(client, f"/api/v1/contents?{query}", token, status=400).get_json()
    assert body["code"] in ("bad_limit", "bad_cursor")
    assert len(get(client, "/api/v1/contents", token, "ContentList").get_json()["items"]) == 1


def test_a_cursor_of_one_list_is_refused_by_another(app, client, admin, db):
    for n in range(3):
        make_feed(db, f"Feed {n}", f"https://example.org/{n}.xml")
    db.commit()
    token = staff_token(app, admin)
    cursor = get(client, "/api/v1/feeds?limit=1", token, "FeedList").get_json()["next_cursor"]
    get(client, f"/api/v1/contents?cursor={cursor}", token, status=400)


def test_scopes_are_enforced_with_403(app, client, auth, admin):
    contents_only = staff_token(app, admin, ["contents:read"])
    get(client, "/api/v1/insights", contents_only, status=403)
    get(client, "/api/v1/feeds", contents_only, status=403)
    get(client, "/api/v1/me/data", contents_only, status=403)
    ambassador = auth.create_user(Role.AMBASSADOR)
    mine = personal_token(app, ambassador)
    for path in ("/api/v1/insights", "/api/v1/contents", "/api/v1/feeds"):
        body = get(client, path, mine, status=403).get_json()
        assert body["code"] == "insufficient_scope"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer relais_not-a-token", "Bearer not-even-ours",
                                    "Basic YWRtaW46cGFzcw=="])
def test_no_or_a_bad_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = get(client, "/api/v1/contents", None, status=401, **headers)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401(app, client, admin):
    token = staff_token(app, admin, lifetime=timedelta(seconds=-1))
    assert get(client, "/api/v1/contents", token, status=401).get_json()["code"] == "invalid_token"


def test_a_signed_in_browser_opens_nothing_without_a_token(client, auth):
    auth.login_as(Role.ADMIN)
    get(client, "/api/v1/contents", None, status=401)


def test_the_day_of_last_use_is_recorded_once_a_day(app, client, admin, db):
    token = staff_token(app, admin)
    assert db.scalar(select(ApiToken.last_used_on)) is None
    get(client, "/api/v1/feeds", token, "FeedList")
    db.expire_all()
    [row] = db.scalars(select(ApiToken)).all()
    assert row.last_used_on == TODAY
    assert token not in (row.token_hash, row.name)  # hashed at rest


def test_my_suggestions_and_my_data(app, client, auth, world):
    needs, _topics = world
    me = auth.create_user(Role.AMBASSADOR, email="me@example.org", name="Mia Me", language="en")
    other = auth.create_user(Role.AMBASSADOR, email="other@example.org", name="Otto Other")
    choose(app, me, needs=[needs["career"]])
    fits = publish(app, "Career post", needs=[needs["career"]])
    publish(app, "Other post", hours_ago=24 * 40)
    token = personal_token(app, me)
    body = get(client, "/api/v1/me/suggestions?limit=5", token, "Suggestions").get_json()
    assert body["items"][0]["id"] == fits and body["items"][0]["why"]["needs"] == ["career"]
    get(client, "/api/v1/me/suggestions?limit=51", token, status=400)
    data = get(client, "/api/v1/me/data", token, "PersonalData").get_json()
    assert data["account"]["email"] == "me@example.org"
    assert data["api_tokens"][0]["name"] == "My reader" and token not in str(data)
    assert "other@example.org" not in str(data) and other.name not in str(data)


def test_no_suggestions_while_the_mandate_has_lapsed_but_my_data_stays_readable(app, client, auth, world):
    """A lapsed ambassador is inactive until they renew (no feed, no digest, no Atom entries):
    the API suggests nothing to them either, and says why; their own data is a right, still open."""
    from advocacy.db import get_session
    from advocacy.services import ambassadors

    me = auth.create_user(Role.AMBASSADOR, email="me@example.org", language="en")
    publish(app, "Post")
    token = personal_token(app, me)
    with app.app_context():
        session = get_session()
        ambassadors.profile_of(session, me.id).mandate_ends_on = TODAY - timedelta(days=2)
        session.commit()
    body = get(client, "/api/v1/me/suggestions", token, status=403, **{"Accept-Language": "en"}).get_json()
    assert body["code"] == "not_an_active_member" and "renew" in body["detail"].lower()
    assert get(client, "/api/v1/me/data", token, "PersonalData").get_json()["account"]["email"] == "me@example.org"


def test_unknown_api_paths_and_methods_answer_with_problems(app, client, admin):
    get(client, "/api/v1/nothing-here", None, status=404)
    response = client.post("/api/v1/contents", headers={"Authorization": f"Bearer {staff_token(app, admin)}"})
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_problem_details_follow_the_reader_language(client):
    body = get(client, "/api/v1/contents", None, status=401, **{"Accept-Language": "fr"}).get_json()
    assert body["detail"].startswith("Envoyez")
    body = get(client, "/api/v1/contents", None, status=401, **{"Accept-Language": "en-US,fr;q=0.9"}).get_json()
    assert body["detail"].startswith("Send")  # the reader's first language, though written en-US


def test_contents_hold_no_person(app, client, admin, db):
    token = staff_token(app, admin, ["contents:read"])
    content_id = publish(app, "Neutral")
    db.get(Content, content_id).created_by_id = admin.id
    db.commit()
    text = get(client, f"/api/v1/contents/{content_id}", token, "Content").get_data(as_text=True)
    assert admin.name not in text and admin.email not in text
