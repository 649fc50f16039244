"""Known share and click data for the insights tests, written straight into the tables."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from advocacy.db import get_session
from advocacy.models import AmbassadorProfile, ClickCount, Department, ShareEvent, TrackedLink


def add_shares(app, content_id: int, network: str, day: date, count: int, user_id: int | None = None) -> None:
    with app.app_context():
        session = get_session()
        session.execute(insert(ShareEvent), [
            {"content_id": content_id, "network": network, "day": day, "user_id": user_id}] * count)
        session.commit()


def add_clicks(app, content_id: int, network: str, day: date, clicks: int, previews: int = 0) -> None:
    with app.app_context():
        session = get_session()
        link_id = session.scalar(select(TrackedLink.id).where(TrackedLink.content_id == content_id,
                                                              TrackedLink.network == network))
        session.add(ClickCount(link_id=link_id, day=day, clicks=clicks, previews=previews))
        session.commit()


def place_in_department(app, user_ids, name: str) -> None:
    with app.app_context():
        session = get_session()
        department = session.scalar(select(Department).where(Department.name == name))
        if department is None:
            department = Department(name=name, headcount=100)
            session.add(department)
            session.flush()
        for user_id in user_ids:
            session.get(AmbassadorProfile, user_id).department_id = department.id
        session.commit()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
