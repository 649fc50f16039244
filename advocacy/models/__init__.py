"""Typed ORM models, one module per area. Importing this registers them all."""

from .ambassador import AmbassadorProfile, Department, Dismissal, ambassador_needs, ambassador_topics
from .api_tokens import ApiToken
from .base import Base, UTCDateTime, utcnow
from .calendar import CalendarEvent, CalendarToken
from .chat_webhooks import ChatDelivery, ChatDeliveryStatus, ChatPlatform, ChatWebhook
from .consent import ConsentChannel, ConsentRecord, ConsentText, Purpose
from .content import CategoryTopic, Content, ContentRevision, Need, ShareText, Topic, topic_label
from .digest import DeliveryStatus, DigestDelivery, DigestSchedule, RenewalNotice
from .feedback import DECISIONS, FeedbackAuthor, FeedbackItem, FeedbackKind, FeedbackStatus
from .feeds import Feed, FeedItem, ItemStatus
from .images import StoredImage
from .insights import InsightContentDay, InsightNetworkDay, InsightWatermark
from .intents import UsedIntent
from .kit import KitPage, KitRevision, KitSection
from .mail import MailKind, MailStatus, OutboxMail
from .notifications import EmailFrequency, Notification, NotificationChannel, NotificationKind, NotificationSetting
from .reader_feeds import ReaderFeedToken
from .sharing import ClickCount, ShareEvent, TrackedLink
from .surveys import (
    QuestionType,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyPendingResponse,
    SurveyQuestion,
    SurveyResponse,
)
from .system import SchedulerLease, SharedFigure
from .thanks import NetworkThanks
from .user import Invitation, Role, SignInLink, User, UserSession

__all__ = [
    "DECISIONS",
    "AmbassadorProfile",
    "ApiToken",
    "Base",
    "CalendarEvent",
    "CalendarToken",
    "CategoryTopic",
    "ChatDelivery",
    "ChatDeliveryStatus",
    "ChatPlatform",
    "ChatWebhook",
    "ClickCount",
    "ConsentChannel",
    "ConsentRecord",
    "ConsentText",
    "Content",
    "ContentRevision",
    "DeliveryStatus",
    "Department",
    "DigestDelivery",
    "DigestSchedule",
    "Dismissal",
    "EmailFrequency",
    "Feed",
    "FeedItem",
    "FeedbackAuthor",
    "FeedbackItem",
    "FeedbackKind",
    "FeedbackStatus",
    "InsightContentDay",
    "InsightNetworkDay",
    "InsightWatermark",
    "Invitation",
    "ItemStatus",
    "KitPage",
    "KitRevision",
    "KitSection",
    "MailKind",
    "MailStatus",
    "Need",
    "NetworkThanks",
    "Notification",
    "NotificationChannel",
    "NotificationKind",
    "NotificationSetting",
    "OutboxMail",
    "Purpose",
    "QuestionType",
    "ReaderFeedToken",
    "RenewalNotice",
    "Role",
    "SchedulerLease",
    "ShareEvent",
    "ShareText",
    "SharedFigure",
    "SignInLink",
    "StoredImage",
    "Survey",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyPendingResponse",
    "SurveyQuestion",
    "SurveyResponse",
    "Topic",
    "TrackedLink",
    "UTCDateTime",
    "UsedIntent",
    "User",
    "UserSession",
    "ambassador_needs",
    "ambassador_topics",
    "topic_label",
    "utcnow",
]
