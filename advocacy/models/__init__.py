"""Typed ORM models, one module per area. Importing this registers them all."""

from .base import Base, UTCDateTime, utcnow
from .feeds import Feed, FeedItem, ItemStatus
from .program import (
    DECISIONS, CalendarEvent, CalendarToken, FeedbackAuthor, FeedbackItem, FeedbackKind,
    FeedbackStatus, KitPage, KitRevision, KitSection, NetworkThanks, QuestionType, Survey,
    SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse,
)
from .system import SchedulerLease
from .user import Invitation, Role, User

__all__ = [
    "Base", "Feed", "FeedItem", "ItemStatus", "Invitation", "Role", "SchedulerLease", "User",
    "UTCDateTime", "utcnow",
    "DECISIONS", "CalendarEvent", "CalendarToken", "FeedbackAuthor", "FeedbackItem", "FeedbackKind",
    "FeedbackStatus", "KitPage", "KitRevision", "KitSection", "NetworkThanks", "QuestionType",
    "Survey", "SurveyAnswer", "SurveyParticipation", "SurveyQuestion", "SurveyResponse",
]
