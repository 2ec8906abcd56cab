"""Who a person is at the council's OpenID provider: the provider's subject for them.

A subject never changes and is never reused, unlike an email address, so a person is
found by it at every sign-in after the first (perfmon.oidc.people)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProviderIdentity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_identities"
    )
    issuer = models.CharField(max_length=255, help_text="The provider's issuer URL.")
    subject = models.CharField(max_length=255, help_text="The provider's 'sub' for this person.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "council account link"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_subject_unique"),
            models.UniqueConstraint(fields=["issuer", "user"], name="identity_one_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
