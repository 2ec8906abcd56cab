"""What the council chooses about running its cycle: one row, kept in the admin."""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings as django_settings
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from perfmon import logo
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
    # The logo's bytes (see perfmon.logo), kept here so every web process and worker has
    # it; pages read only its digest, which names it in its address.
    logo_image = models.BinaryField(blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    logo_digest = models.CharField(max_length=64, blank=True, editable=False)
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
    history = HistoricalRecords(excluded_fields=["logo_image"])  # the digest is kept

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

    def use_logo(self, data: bytes | None) -> None:
        """Take `data` as the logo (None: no logo), checked by perfmon.logo.logo_type,
        which raises LogoRefused. The caller saves."""
        if not data:
            self.logo_image, self.logo_type, self.logo_digest = b"", "", ""
            return
        self.logo_type = logo.logo_type(data)
        self.logo_image = data
        self.logo_digest = hashlib.sha256(data).hexdigest()

    @classmethod
    def logo_data_uri(cls) -> str:
        """The logo as a data: URI, for a document that carries it inside (a PDF), or ""."""
        found = cls.objects.filter(pk=1).exclude(logo_digest="")
        row = found.values_list("logo_type", "logo_image").first()
        if row is None:
            return ""
        media_type, data = row
        return f"data:{media_type};base64,{base64.b64encode(bytes(data)).decode()}"

    @classmethod
    def current(cls) -> CouncilSettings:
        """The council's settings (created with defaults on first use), from the cache:
        every page's header reads them."""
        return _current.get()


def _load_current() -> CouncilSettings:
    # Without the logo's bytes: every page reads these settings, and only the logo's
    # own address serves them.
    settings, _ = CouncilSettings.objects.defer("logo_image").get_or_create(pk=1)
    return settings


_current = Cached("council-settings", _load_current, depends_on=[CouncilSettings])
