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
