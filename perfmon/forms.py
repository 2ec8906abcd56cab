"""Forms of the frame: they parse and validate, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from perfmon import logo, quarters
from perfmon.models import CouncilPlan, CouncilSettings, ReportingYear
from perfmon.models.returns import TEXT_LIMIT

TEXT_LIMIT_HINT = f"You can enter up to {TEXT_LIMIT:,} characters."


def long_text_field(
    label: str, *, rows: int = 3, required: bool = False, help_text: str = "", **kwargs: Any
) -> forms.CharField:
    """A free text of a return (commentary, a reason, a comment): at most TEXT_LIMIT
    characters, which its hint says (the GOV.UK character count, without script) and the
    textarea's maxlength keeps to; a longer one posted anyway is refused at the field."""
    error_messages = {
        "max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer",
        **kwargs.pop("error_messages", {}),
    }
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=f"{help_text} {TEXT_LIMIT_HINT}".strip(),
        error_messages=error_messages,
        **kwargs,
    )


class SignInForm(AuthenticationForm):
    """Email or username and password. A failure never says which part was wrong."""

    username = forms.CharField(
        label="Email address or username",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    error_messages = {
        "invalid_login": "Enter a correct email address or username and password.",
        "inactive": "Enter a correct email address or username and password.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your email address or username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self) -> dict[str, Any]:
        # A failed sign-in is the username field's error, so the error summary links to
        # the field and the field shows the message (GOV.UK's error pattern).
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code not in {"invalid_login", "inactive"}:
                raise
            self.add_error("username", error)
            return self.cleaned_data


class ResetRequestForm(PasswordResetForm):
    """The email address to send a reset link to. Whether anyone has it is never said."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The email address you sign in with.",
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )


def new_password_hint() -> str:
    """What a new password must be, in one plain sentence (Django's own help is HTML)."""
    length = next(
        (
            validator.min_length
            for validator in password_validation.get_default_password_validators()
            if isinstance(validator, password_validation.MinimumLengthValidator)
        ),
        None,
    )
    start = f"At least {length} characters" if length else "A password"
    return f"{start}, not only numbers, not a common password and not like your name."


def _describe_new_passwords(fields: dict[str, forms.Field]) -> None:
    first, second = fields["new_password1"], fields["new_password2"]
    first.label, first.help_text = "New password", new_password_hint()
    first.error_messages["required"] = "Enter a new password"
    second.label, second.help_text = "Confirm new password", ""
    second.error_messages["required"] = "Enter the new password again"


class NewPasswordForm(SetPasswordForm):
    """A new password, twice, from a reset link."""

    error_messages = {"password_mismatch": "The passwords do not match"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _describe_new_passwords(self.fields)


class ChangePasswordForm(PasswordChangeForm):
    """The current password, then a new one twice."""

    error_messages = {
        "password_mismatch": "The passwords do not match",
        "password_incorrect": "Your current password is not right: enter it again",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.fields["old_password"]
        current.label = "Current password"
        current.error_messages["required"] = "Enter your current password"
        current.widget.attrs.pop("autofocus", None)  # GOV.UK: focus stays at the top
        _describe_new_passwords(self.fields)


class FinancialYearField(forms.Field):
    """A financial year typed as 2024/25 (or 2024), cleaned to its start year."""

    widget = forms.TextInput(attrs={"size": 9, "inputmode": "text"})

    def prepare_value(self, value: Any) -> Any:
        return quarters.year_label(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return quarters.parse_year_label(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class ReportingYearForm(forms.ModelForm):
    start_year = FinancialYearField(
        label="Financial year", help_text="For example 2024/25 (1 April 2024 to 31 March 2025)."
    )

    class Meta:
        model = ReportingYear
        fields = ["start_year"]


class CouncilPlanForm(forms.ModelForm):
    first_year = FinancialYearField(label="First year covered", help_text="For example 2024/25.")
    last_year = FinancialYearField(label="Last year covered", help_text="For example 2027/28.")

    class Meta:
        model = CouncilPlan
        fields = ["name", "first_year", "last_year"]


class CouncilSettingsForm(forms.ModelForm):
    """The council's settings, with its logo as a file to upload: `logo_file` cleans to
    the file's bytes, checked by perfmon.logo."""

    logo_file = forms.FileField(
        label="Logo",
        required=False,
        help_text="Shown in every page's header and on printed reports: a PNG, JPEG or SVG "
        f"of up to {logo.MAX_BYTES // 1024} KB, about 40 pixels tall as the header shows it.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = CouncilSettings
        fields = [
            "separate_submit_and_approve",
            "council_name",
            "short_name",
            "brand_colour",
            "dot_improving",
            "dot_same",
            "dot_deteriorating",
            "actions_heading",
            "measures_heading",
        ]

    def clean_logo_file(self) -> bytes | None:
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        try:
            logo.check_size(upload.size or 0)  # before reading it
            data: bytes = upload.read()
            logo.logo_type(data)
        except logo.LogoRefused as error:
            raise forms.ValidationError(str(error)) from error
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("logo_file") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", "Upload a new logo or remove the logo, not both")
        return cleaned

    def logo_change(self) -> tuple[bool, bytes | None]:
        """Whether the logo changes, and to what (None: no logo)."""
        if self.cleaned_data.get("logo_file"):
            return True, self.cleaned_data["logo_file"]
        return bool(self.cleaned_data.get("remove_logo")), None


class DecisionForm(forms.Form):
    """A director's decision on a submitted return."""

    APPROVE, RETURN = "approve", "return"
    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (RETURN, "Return to officers")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or return the return"},
    )
    comment = long_text_field(
        "Comment",
        rows=4,
        help_text="Required when you return it: say what the officers need to change.",
    )
    # The latest step on the return's trail when the director's page was loaded: the
    # decision is on that version of the return.
    seen = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": "This page is out of date: reload it, then decide"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A comment refused already (too long) needs no second message.
        given = cleaned.get("comment", "").strip() or "comment" in self.errors
        if cleaned.get("decision") == self.RETURN and not given:
            self.add_error("comment", "Say what the officers need to change")
        return cleaned


class ReopenForm(forms.Form):
    reason = long_text_field(
        "Why does this approved return need reopening?",
        required=True,
        error_messages={"required": "Give the reason for reopening this return"},
    )


class CheckAnswersForm(forms.Form):
    """The officer's declaration before a return goes to its directors."""

    declaration = forms.BooleanField(
        label="I have checked these answers: they are right to the best of my knowledge",
        error_messages={"required": "Confirm you have checked the answers before submitting"},
    )
