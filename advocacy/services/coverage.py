"""Department coverage: where the program has no ambassador, and staff per ambassador.

The usual guide is one ambassador per 50 to 150 staff. Counts of
ambassadors follow the k rule of ``anonymity`` (zero shown: listing the
departments without any ambassador is what this page is for), as bands of
k (rule 4: read beside insights, or again after a department was deleted or
merged, they never differ by fewer than k people); a hidden count also
hides the staff-per-ambassador ratio, from which it could be worked back,
and a shown one gives the ratio for the whole band, never for an exact count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AmbassadorProfile, Department
from . import ambassadors, anonymity
from .anonymity import Band, Hidden
from .errors import ServiceError

GUIDE_LOW, GUIDE_HIGH = 50, 150


class DepartmentExists(ServiceError):
    area = "coverage"


def add_department(session: Session, name: str, headcount: int | None) -> Department:
    """A new department, unless one has the same name whatever its case
    ("Marketing" and "marketing" would split its ambassadors in two, and
    each half may fall under k). Compared in Python, as for topics: SQLite's
    lower() ignores accents, and departments are a few dozen at most."""
    name = " ".join(name.split())
    wanted = name.casefold()
    if any(existing.casefold() == wanted for existing in session.scalars(select(Department.name))):
        raise DepartmentExists("exists", name=name)
    department = Department(name=name, headcount=headcount)
    session.add(department)
    session.flush()
    return department


@dataclass(frozen=True)
class StaffPerAmbassador:
    """Staff per ambassador over the band of ambassadors: staff ÷ high to staff ÷ low."""

    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.low}" if self.low == self.high else f"{self.low}\u2013{self.high}"


def staff_per_ambassador(headcount: int, ambassadors: Band) -> tuple[StaffPerAmbassador, str]:
    """The ratio's range, and how it compares with the guide, judged at the middle of the band."""
    ratio = StaffPerAmbassador(round(headcount / ambassadors.high), round(headcount / ambassadors.low))
    middle = headcount / ((ambassadors.low + ambassadors.high) / 2)
    return ratio, "under" if middle > GUIDE_HIGH else "over" if middle < GUIDE_LOW else "within"


@dataclass
class DepartmentCoverage:
    name: str
    headcount: int | None
    ambassadors: int | Hidden | Band
    staff_per_ambassador: StaffPerAmbassador | None
    assessment: str  # "none", "hidden", "under" (>150), "within", "over" (<50), "unknown"


def active_ambassadors_by_department(session: Session, today: date) -> dict[int, int]:
    rows = session.execute(
        ambassadors.active_members(session, today, AmbassadorProfile.department_id, func.count())
        .where(AmbassadorProfile.department_id.is_not(None))
        .group_by(AmbassadorProfile.department_id)
    )
    return dict(rows.all())


def coverage(session: Session, k: int, today: date) -> list[DepartmentCoverage]:
    counts = active_ambassadors_by_department(session, today)
    result = []
    for department in session.scalars(select(Department).order_by(Department.name)):
        shown = anonymity.band(counts.get(department.id, 0), k)
        if isinstance(shown, Hidden):
            result.append(DepartmentCoverage(department.name, department.headcount, shown, None, "hidden"))
        elif not isinstance(shown, Band):
            result.append(DepartmentCoverage(department.name, department.headcount, 0, None, "none"))
        elif not department.headcount:
            result.append(DepartmentCoverage(department.name, department.headcount, shown, None, "unknown"))
        else:
            ratio, assessment = staff_per_ambassador(department.headcount, shown)
            result.append(DepartmentCoverage(department.name, department.headcount, shown, ratio, assessment))
    return result
