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
from perfmon.models.returns import Return, ReturnEvent

__all__ = [
    "PERFORMANCE_TEAM_GROUP",
    "CouncilPlan",
    "Portfolio",
    "PortfolioRole",
    "Quarter",
    "ReportingYear",
    "Return",
    "ReturnEvent",
    "Theme",
    "User",
]
