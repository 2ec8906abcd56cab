"""The matrices are data: created after migrate (and after a test flush), editable and
relabelled in the admin, and editing them never re-rates an assessment already made."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from perfmon.models import Portfolio, Quarter, User
from risks import rules
from risks.models import AxisPoint, MatrixCell, MatrixLevel, RiskAssessment, RiskMatrix
from risks.services import ensure_risk_matrices, matrices_in_use
from tests.risks.conftest import approved_return, as_client
from tests.risks.factories import RiskFactory, assess


def test_it_creates_both_matrices_of_the_guidance_after_migrate(db: None) -> None:
    matrices = matrices_in_use()
    assert matrices == {
        rules.Side.THREAT: rules.THREATS,
        rules.Side.OPPORTUNITY: rules.OPPORTUNITIES,
    }
    assert MatrixCell.objects.count() == 32
    assert AxisPoint.objects.count() == 16


def test_it_leaves_a_councils_own_matrix_alone(db: None) -> None:
    RiskMatrix.objects.filter(side="threat").update(title="Our threats")
    MatrixLevel.objects.filter(matrix__side="threat", key="low").update(label="Tolerable")
    ensure_risk_matrices()
    ensure_risk_matrices()
    assert RiskMatrix.objects.count() == 2
    assert matrices_in_use()[rules.Side.THREAT].level_at(1, 1).label == "Tolerable"


def test_it_adds_a_missing_side_only(db: None) -> None:
    MatrixCell.objects.filter(matrix__side="opportunity").delete()
    RiskMatrix.objects.filter(side="opportunity").delete()
    ensure_risk_matrices()
    assert matrices_in_use()[rules.Side.OPPORTUNITY] == rules.OPPORTUNITIES


def test_it_refuses_a_cell_levelled_from_another_matrix(db: None) -> None:
    cell = MatrixCell.objects.get(matrix__side="threat", likelihood=1, impact=1)
    cell.level = MatrixLevel.objects.get(matrix__side="opportunity", key="high")
    with pytest.raises(ValidationError, match="this matrix's own levels"):
        cell.full_clean()


@pytest.fixture
def team(admin_user: User) -> Client:
    return as_client(admin_user)


def _matrix_form(team: Client, matrix: RiskMatrix) -> tuple[str, dict[str, str]]:
    url = reverse("admin:risks_riskmatrix_change", args=[matrix.pk])
    response = team.get(url)
    assert response.status_code == 200
    data: dict[str, str] = {}
    for name, value in response.context["adminform"].form.initial.items():
        data[name] = str(value)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management[name].value())
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                data[f"{form.prefix}-{name}"] = "" if value is None else str(value)
    return url, data


def test_it_relabels_a_matrix_in_the_admin_without_re_rating_assessments(
    team: Client, admin_user: User, portfolio: Portfolio, quarter: Quarter, theme: Any
) -> None:
    risk = RiskFactory(portfolio=portfolio, year=quarter.year, theme=theme)
    assessment = assess(risk, approved_return(portfolio, quarter), threat=(3, 3))
    assert (assessment.threat_level, assessment.threat_level_colour) == ("High", "orange")

    matrix = RiskMatrix.objects.get(side="threat")
    url, data = _matrix_form(team, matrix)
    high = MatrixLevel.objects.get(matrix=matrix, key="high")
    very_high = MatrixLevel.objects.get(matrix=matrix, key="very_high")
    cell = MatrixCell.objects.get(matrix=matrix, likelihood=3, impact=3)
    for key, value in list(data.items()):
        if key.endswith("-id") and value == str(high.pk) and key.startswith("levels"):
            data[key.replace("-id", "-label")] = "Significant"
        if key.endswith("-id") and value == str(cell.pk) and key.startswith("cells"):
            data[key.replace("-id", "-level")] = str(very_high.pk)
        if key.startswith("points") and key.endswith("-label") and data[key] == "Remote":
            data[key] = "Rare"
    response = team.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    relabelled = matrices_in_use()[rules.Side.THREAT]
    assert relabelled.level_at(3, 3).label == "Very high"
    assert relabelled.level_at(2, 4).label == "Significant"
    assert relabelled.likelihood[1].label == "Rare"
    assessment.refresh_from_db()
    assert (assessment.threat_score, assessment.threat_level, assessment.threat_level_colour) == (
        9,
        "High",
        "orange",
    )
    assert assessment.history.count() == 1  # not touched
    assert MatrixLevel.history.filter(label="Significant").first().history_user == admin_user
    # New assessments take the new labels.
    other = RiskFactory(portfolio=portfolio, year=quarter.year, theme=theme)
    assert assess(other, assessment.ret, threat=(3, 3)).threat_level == "Very high"


def test_it_stores_the_level_and_keeps_it_when_a_level_is_renamed_in_the_database(
    portfolio: Portfolio, quarter: Quarter, theme: Any
) -> None:
    risk = RiskFactory(portfolio=portfolio, year=quarter.year, theme=theme)
    assessment = assess(risk, approved_return(portfolio, quarter), threat=(4, 4))
    MatrixLevel.objects.filter(matrix__side="threat", key="very_high").update(
        label="Critical", colour="purple"
    )
    stored = RiskAssessment.objects.get(pk=assessment.pk)
    assert (stored.threat_level, stored.threat_level_colour) == ("Very high", "red")


def test_it_shows_the_matrix_with_its_history_in_the_admin(team: Client) -> None:
    matrix = RiskMatrix.objects.get(side="opportunity")
    assert team.get(reverse("admin:risks_riskmatrix_changelist")).status_code == 200
    assert team.get(reverse("admin:risks_riskmatrix_history", args=[matrix.pk])).status_code == 200
    assert team.get(reverse("admin:risks_riskmatrix_add")).status_code == 403
    # Both matrices always exist, with all 16 cells.
    assert team.get(reverse("admin:risks_riskmatrix_delete", args=[matrix.pk])).status_code == 403
    cells = team.get(reverse("admin:risks_riskmatrix_change", args=[matrix.pk])).context[
        "inline_admin_formsets"
    ][2]
    assert cells.formset.total_form_count() == 16
    assert not cells.has_add_permission and not cells.formset.can_delete
