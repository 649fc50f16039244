"""The scheduler lease: one scheduler process works, a second stays idle."""

from datetime import timedelta

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import SchedulerLease, utcnow


def test_second_holder_waits_until_the_lease_is_stale(app):
    with app.app_context():
        assert jobs.acquire_lease("one") is True
        assert jobs.acquire_lease("two") is False
        assert jobs.acquire_lease("one") is True  # renewal
        session = get_session()
        session.get(SchedulerLease, jobs.LEASE_NAME).expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
        assert jobs.acquire_lease("two") is True
        assert jobs.acquire_lease("one") is False


def test_release_lets_another_take_over(app):
    with app.app_context():
        assert jobs.acquire_lease("one")
        jobs.release_lease("one")
        assert jobs.acquire_lease("two")


def test_job_is_skipped_without_the_lease(app):
    ran = []
    with app.app_context():
        jobs.acquire_lease("someone-else")
    jobs.run_job(app, lambda: ran.append(1), need_lease=True)
    assert ran == []
    jobs.run_job(app, lambda: ran.append(1), need_lease=False)
    assert ran == [1]


def test_the_lease_lasts_as_long_as_the_setting_says(app):
    app.config["SCHEDULER_LEASE_SECONDS"] = 3
    with app.app_context():
        before = utcnow()
        assert jobs.acquire_lease("one")
        expires = get_session().get(SchedulerLease, jobs.LEASE_NAME).expires_at
        assert timedelta(seconds=3) <= expires - before < timedelta(seconds=60)


def test_every_job_runs_at_its_own_interval_unless_one_interval_is_set(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    def intervals() -> dict[str, timedelta]:
        scheduler = BackgroundScheduler(timezone="UTC")
        jobs.add_jobs(scheduler, app, need_lease=True)
        return {job.id: job.trigger.interval for job in scheduler.get_jobs()}

    assert intervals()["refresh-feeds"] == timedelta(minutes=1)
    assert intervals()["prune-sessions"] == timedelta(hours=6)
    app.config["SCHEDULER_EVERY_SECONDS"] = 2
    assert intervals() == {job_id: timedelta(seconds=2) for job_id, _function, _trigger in jobs.JOBS}
