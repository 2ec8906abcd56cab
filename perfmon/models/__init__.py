from perfmon.models.council import CouncilSettings
from perfmon.models.frame import (
    PERFORMANCE_TEAM_GROUP,
    CouncilPlan,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReportingYear,
    Theme,
    User,
)
from perfmon.models.identity import ProviderIdentity
from perfmon.models.reminders import Reminder, ReminderEmail, ReminderRule
from perfmon.models.returns import Return, ReturnEvent
from perfmon.models.steering import Deputy, Extension

__all__ = [
    "PERFORMANCE_TEAM_GROUP",
    "CouncilPlan",
    "CouncilSettings",
    "Deputy",
    "Extension",
    "Portfolio",
    "ProviderIdentity",
    "PortfolioRole",
    "Quarter",
    "Reminder",
    "ReminderEmail",
    "ReminderRule",
    "ReportingYear",
    "Return",
    "ReturnEvent",
    "Theme",
    "User",
]
