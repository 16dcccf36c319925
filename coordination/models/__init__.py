"""Models of the coordination app, one module per topic; import them from here."""

from .cadence import CadenceRule
from .calendar import CalendarDay
from .jobs import ExportJob
from .meetings import (
    ActionItem,
    ActionItemEvent,
    ActionItemStatus,
    Decision,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingKind,
    MeetingState,
)
from .notifications import Notification
from .org import (
    MemberUnit,
    OrgUnit,
    OrgUnitNameChange,
    Role,
    Town,
    TownStatus,
    TownStatusChange,
    UserProfile,
    WorkingGroup,
)
from .plans import Plan, PlanAttachment, PlanKind, PlanStatus, PlanSubItem, PlanVersion
from .structure import JointConference, SubmissionKind, SubmissionRoute, SupportPolicy

__all__ = [
    "ActionItem",
    "ActionItemEvent",
    "ActionItemStatus",
    "CadenceRule",
    "CalendarDay",
    "Decision",
    "ExportJob",
    "JointConference",
    "Meeting",
    "MeetingAttachment",
    "MeetingEvent",
    "MeetingKind",
    "MeetingState",
    "MemberUnit",
    "Notification",
    "OrgUnit",
    "OrgUnitNameChange",
    "Plan",
    "PlanAttachment",
    "PlanKind",
    "PlanStatus",
    "PlanSubItem",
    "PlanVersion",
    "Role",
    "SubmissionKind",
    "SubmissionRoute",
    "SupportPolicy",
    "Town",
    "TownStatus",
    "TownStatusChange",
    "UserProfile",
    "WorkingGroup",
]
