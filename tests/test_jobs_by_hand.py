"""`advocacy jobs list|run` and `advocacy digest preview`: the scheduled work by hand, under the lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy import jobs, jobs_by_hand
from advocacy.db import get_session
from advocacy.models import DigestDelivery, Feed, Purpose, Role, SchedulerLease, utcnow
from advocacy.services import consent, digest
from digest_helpers import BASE_URL, ZONE, grant, publish, set_profile, smtp  # noqa: F401
from test_feed_refresh import RSS


@pytest.fixture
def app_config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL,
            "FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}  # the test feed server


def lease_row(app):
    with app.app_context():
        row = get_session().get(SchedulerLease, jobs.LEASE_NAME)
        return (row.holder, row.expires_at) if row else None


def delivery_count(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(DigestDelivery))


def subscriber(app, auth, email="camille@example.org", language="en"):
    user = auth.create_user(Role.AMBASSADOR, email=email, name="Camille", language=language)
    grant(app, user, Purpose.DIGEST, language)
    return user


# --- jobs list / run ------------------------------------------------------------------

def test_list_names_every_job_with_its_schedule_and_purpose(app, runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0, result.output
    for name, _function, _trigger in jobs.JOBS:
        assert name in result.output
    assert "send-digests           every 15 minutes" in result.output
    assert "the weekly digest, once the admins' slot has passed" in result.output
    assert "Scheduler lease: free" in result.output


def test_list_says_who_holds_the_lease(app, runner):
    with app.app_context():
        jobs.acquire_lease("worker-1:42")
    result = runner.invoke(args=["jobs", "list"])
    assert "Scheduler lease: held by worker-1:42 until" in result.output


def test_run_sends_the_digest_through_the_schedulers_function_and_says_so(app, runner, auth, smtp):
    subscriber(app, auth)
    with app.app_context():  # a slot that has always passed this week: Monday 00:00
        session = get_session()
        digest.set_schedule(session, 0, 0)
        session.commit()
        slot = digest.week_of(utcnow(), ZONE.key, digest.schedule(session)).slot
    publish(app, "Highlight for all", slot - timedelta(hours=1), highlighted=True)
    result = runner.invoke(args=["jobs", "run", "send-digests"])
    assert result.exit_code == 0, result.output
    assert result.output == "send-digests: digests: 1 due, 1 queued, 0 skipped\n"
    assert smtp.messages == []  # queued: the send-mail job sends it
    sent = runner.invoke(args=["jobs", "run", "send-mail"])
    assert sent.output == "send-mail: mail: 1 sent, 0 to retry, 0 failed, 0 interrupted, 0 old rows purged\n"
    assert [m["To"] for m in smtp.messages] == ["camille@example.org"]
    assert lease_row(app) is None  # released after the run: the scheduler takes it back
    again = runner.invoke(args=["jobs", "run", "send-digests"])
    assert again.output == "send-digests: digests: 0 due, 0 queued, 0 skipped\n"


def test_run_refuses_while_a_scheduler_holds_the_lease_and_runs_nothing(app, runner, auth, smtp):
    with app.app_context():
        assert jobs.acquire_lease("scheduler-host:7")
    held = lease_row(app)
    result = runner.invoke(args=["jobs", "run", "forget-used-intents"])
    assert result.exit_code == 1
    assert "forget-used-intents not run: scheduler-host:7 holds the scheduler lease until" in result.output
    assert "stop the scheduler" in result.output
    assert lease_row(app) == held  # the scheduler's lease is untouched


def test_a_stale_lease_does_not_stop_a_run(app, runner):
    with app.app_context():
        jobs.acquire_lease("crashed-scheduler:9")
        session = get_session()
        session.get(SchedulerLease, jobs.LEASE_NAME).expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    result = runner.invoke(args=["jobs", "run", "prune-sessions"])
    assert result.exit_code == 0, result.output
    assert "prune-sessions: 0 idle sessions and 0 expired sign-in links deleted" in result.output


def test_each_run_says_what_it_did(app, runner):
    assert runner.invoke(args=["jobs", "run", "refresh-feeds"]).output == "refresh-feeds: no feed due\n"
    rollup = runner.invoke(args=["jobs", "run", "rollup-insights"])
    assert rollup.exit_code == 0 and rollup.output.startswith("rollup-insights: ")
    assert runner.invoke(args=["jobs", "run", "rollup-insights"]).output == "rollup-insights: no new closed day\n"
    assert runner.invoke(args=["jobs", "run", "send-renewal-notices"]).output == (
        "send-renewal-notices: renewal notices: 0 due, 0 queued, 0 skipped\n")


def test_a_refresh_by_hand_counts_the_feeds_refreshed_and_failed(app, runner, feed_server):
    def serve(status: int, body: bytes = b""):
        def handler(request):
            request.send_response(status)
            request.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        return handler

    good = feed_server.route("/good.xml", serve(200, RSS))
    gone = feed_server.route("/gone.xml", serve(404))
    with app.app_context():
        session = get_session()
        session.add_all([Feed(url=good, interval_minutes=30), Feed(url=gone, interval_minutes=30)])
        session.commit()
    result = runner.invoke(args=["jobs", "run", "refresh-feeds"])
    assert result.exit_code == 0, result.output
    assert result.output == "refresh-feeds: 2 feeds refreshed, 1 failed, 2 new items\n"


def test_while_run_by_hand_the_lease_keeps_schedulers_and_other_runs_out(app):
    """The job runs holding the lease: a scheduler's run_job skips, a second run by hand is refused."""
    seen = {}

    def probe() -> str:
        seen["scheduler got the lease"] = jobs.acquire_lease("scheduler-host:7")
        with pytest.raises(jobs_by_hand.LeaseTaken) as refused:
            jobs_by_hand.run(app, "probe", table=[("probe", lambda: "inner", {})], holder="by-hand:other")
        seen["second run told"] = refused.value.lease.holder
        return "probed"

    table = [("probe", probe, {"trigger": "interval", "minutes": 5})]
    assert jobs_by_hand.run(app, "probe", table=table, holder="by-hand:me") == "probed"
    assert seen == {"scheduler got the lease": False, "second run told": "by-hand:me"}
    assert lease_row(app) is None


def test_an_unknown_job_lists_the_names_with_exit_code_2(app, runner):
    result = runner.invoke(args=["jobs", "run", "digest-now"])
    assert result.exit_code == 2
    assert "'digest-now' is not one of" in result.output and "'send-digests'" in result.output
    assert lease_row(app) is None


def test_there_is_no_force(app, runner):
    with app.app_context():
        jobs.acquire_lease("scheduler-host:7")
    result = runner.invoke(args=["jobs", "run", "send-digests", "--force"])
    assert result.exit_code == 2 and "No such option" in result.output


# --- digest preview ----------------------------------------------------------------------

def test_preview_renders_the_persons_digest_and_sends_and_records_nothing(app, runner, auth, smtp):
    subscriber(app, auth)
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True, summary="Big <news>")
    result = runner.invoke(args=["digest", "preview", "--to", "Camille@example.org"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "To: camille@example.org" in out and "Subject: Your week on Relais" in out
    assert "--- text ---" in out and "--- HTML ---" in out
    assert "Fresh highlight" in out and "Big &lt;news&gt;" in out  # the HTML part, escaped
    assert f"{BASE_URL}/unsubscribe/" in out
    assert smtp.messages == [] and delivery_count(app) == 0
    # In another language on request (the person's own is the default).
    french = runner.invoke(args=["digest", "preview", "--to", "camille@example.org", "--language", "fr"])
    assert "Subject: Votre semaine sur Relais" in french.output


def test_preview_to_a_file(app, runner, auth, smtp, tmp_path):
    subscriber(app, auth)
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    target = tmp_path / "digest.txt"
    result = runner.invoke(args=["digest", "preview", "--to", "camille@example.org", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "nothing sent" in result.output and "Fresh highlight" not in result.output
    assert "Fresh highlight" in target.read_text(encoding="utf-8")
    assert smtp.messages == []


def test_no_preview_without_an_account_or_the_consent(app, runner, auth, smtp):
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    unknown = runner.invoke(args=["digest", "preview", "--to", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no account with the address nobody@example.org" in unknown.output

    auth.create_user(Role.AMBASSADOR, email="dominique@example.org", language="en")
    refused = runner.invoke(args=["digest", "preview", "--to", "dominique@example.org"])
    assert refused.exit_code == 1
    assert "has not consented to the digest" in refused.output and "Fresh highlight" not in refused.output

    user = subscriber(app, auth)
    with app.app_context():
        session = get_session()
        consent.withdraw(session, user.id, Purpose.DIGEST, now=utcnow())
        session.commit()
    withdrawn = runner.invoke(args=["digest", "preview", "--to", "camille@example.org"])
    assert withdrawn.exit_code == 1 and "has not consented" in withdrawn.output
    assert smtp.messages == []


def test_no_preview_while_paused_or_with_nothing_new(app, runner, auth, smtp):
    user = subscriber(app, auth)
    nothing = runner.invoke(args=["digest", "preview", "--to", "camille@example.org"])
    assert nothing.exit_code == 1 and "nothing new this week" in nothing.output
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    set_profile(app, user, paused_until=(utcnow() + timedelta(days=30)).date())
    paused = runner.invoke(args=["digest", "preview", "--to", "camille@example.org"])
    assert paused.exit_code == 1 and "is not sent the digest now" in paused.output
