"""What the council chooses about running its cycle: one row, kept in the admin."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from perfmon.cached import Cached


class CouncilSettings(models.Model):
    """The council's choices. There is one row; `current()` reads it (creating it with the
    defaults on a fresh install)."""

    separate_submit_and_approve = models.BooleanField(
        "Whoever submits a return cannot approve it",
        default=True,
        help_text="Separation of duties: a director who submitted a return (as one of its "
        "officers too) leaves its approval to another director.",
    )
    council_name = models.CharField(
        "Council name",
        max_length=200,
        blank=True,
        help_text="As the header, reports and emails print it. Blank: the COUNCIL_NAME setting.",
    )
    short_name = models.CharField(max_length=60, blank=True, help_text="For example, Derbyshire.")
    brand_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour like #1d70b8.")],
        help_text="The header's colour, like #1d70b8. Blank: GOV.UK blue.",
    )
    logo = models.FileField(
        upload_to="council/",
        blank=True,
        validators=[FileExtensionValidator(["png", "svg", "jpg", "jpeg"])],
        help_text="Shown in the header and on printed reports: PNG, SVG or JPEG.",
    )
    dot_improving = models.CharField(
        "Direction of travel: better", max_length=40, default="Improving"
    )
    dot_same = models.CharField("Direction of travel: no change", max_length=40, default="Same")
    dot_deteriorating = models.CharField(
        "Direction of travel: worse", max_length=40, default="Deteriorating"
    )
    actions_heading = models.CharField(
        "Heading for actions in reports", max_length=80, default="Actions"
    )
    measures_heading = models.CharField(
        "Heading for measures in reports", max_length=80, default="Measures"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "council settings"
        verbose_name_plural = "council settings"

    def __str__(self) -> str:
        return "Council settings"

    @property
    def name(self) -> str:
        """The council's name: its own, else the COUNCIL_NAME setting of a fresh install."""
        return self.council_name or django_settings.COUNCIL_NAME

    @property
    def dot_words(self) -> dict[str, str]:
        """The council's words for each direction of travel, by perfmon's own."""
        return {
            "Improving": self.dot_improving,
            "Same": self.dot_same,
            "Deteriorating": self.dot_deteriorating,
        }

    @classmethod
    def current(cls) -> CouncilSettings:
        """The council's settings (created with defaults on first use), from the cache:
        every page's header reads them."""
        return _current.get()


def _load_current() -> CouncilSettings:
    settings, _ = CouncilSettings.objects.get_or_create(pk=1)
    return settings


_current = Cached("council-settings", _load_current, depends_on=[CouncilSettings])
