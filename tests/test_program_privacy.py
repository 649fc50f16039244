"""The schema itself keeps anonymous answers anonymous (privacy principles 3 and 5, docs/privacy.md).

Read from the SQLAlchemy metadata, so a future column that could point to a
person, or a time finer than the day, fails here before it ships.
"""

import pytest
from sqlalchemy import Date, DateTime, Integer

from advocacy.models import Base

ANONYMOUS_TABLES = ["feedback_items", "survey_responses", "survey_answers", "survey_pending_responses"]


def _references_users(table, seen=None) -> bool:
    """True if the table points to users, directly or through other tables."""
    seen = seen or set()
    for foreign_key in table.foreign_keys:
        target = foreign_key.column.table
        if target.name == "users":
            return True
        if target.name not in seen:
            seen.add(target.name)
            if _references_users(target, seen):
                return True
    return False


@pytest.mark.parametrize("name", ANONYMOUS_TABLES)
def test_anonymous_tables_have_no_path_to_users(name):
    table = Base.metadata.tables[name]
    assert not _references_users(table)
    assert not any("user" in column.name or "author" in column.name for column in table.columns)


@pytest.mark.parametrize("name", [*ANONYMOUS_TABLES, "survey_participations", "feedback_authors"])
def test_times_are_days_at_most(name):
    for column in Base.metadata.tables[name].columns:
        column_type = column.type
        impl = getattr(column_type, "impl", column_type)
        assert not isinstance(impl, DateTime), f"{name}.{column.name} is finer than a day"
        if "on" in column.name.split("_")[-1:]:
            assert isinstance(column_type, Date)


def test_participations_hold_no_time_and_no_key_to_answers():
    table = Base.metadata.tables["survey_participations"]
    assert {c.name for c in table.columns} == {"survey_id", "user_id"}
    assert not any(isinstance(c.type, (Date, DateTime)) for c in table.columns)


@pytest.mark.parametrize("name", ["survey_responses", "survey_pending_responses", "feedback_items"])
def test_anonymous_rows_have_random_keys_not_counters(name):
    (key,) = Base.metadata.tables[name].primary_key.columns
    assert not isinstance(key.type, Integer)
    assert callable(key.default.arg)


def test_sqlite_stores_answers_in_key_order_not_arrival_order():
    for name in ("survey_participations", "survey_responses", "survey_answers", "survey_pending_responses"):
        assert Base.metadata.tables[name].dialect_options["sqlite"]["with_rowid"] is False


def test_only_named_feedback_has_an_author_row():
    # feedback_authors is the only bridge, and it is keyed by the item: one author at most.
    table = Base.metadata.tables["feedback_authors"]
    assert [c.name for c in table.primary_key.columns] == ["item_id"]
