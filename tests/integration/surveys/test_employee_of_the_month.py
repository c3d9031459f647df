"""The employee-of-the-month report over generated answers and complaints, recomputed here."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from services.surveys.main import create_app
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.surveys import SurveyAnswered
from tests.conftest import Slate, running
from tests.integration.surveys.support import ManualClock, publish_all, surveys_settings
from tests.support.kafka import eventually

EMPLOYEES = ["E1", "E2", "E3", "E4", "E5"]
NOVEMBER = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def generated() -> tuple[list[SurveyAnswered], list[ComplaintFiled], list[ComplaintResolved]]:
    rng = random.Random(2026)
    answers = []
    for n in range(60):
        employee = rng.choice(EMPLOYEES[:4]) if n < 58 else "E5"  # E5: too few answers
        skill = {"E1": 8, "E2": 6, "E3": 9, "E4": 7, "E5": 10}[employee]
        score = max(0, min(10, skill + rng.randint(-3, 2)))
        at = NOVEMBER + timedelta(days=rng.randint(0, 25), minutes=n)
        answers.append(
            SurveyAnswered(
                survey_id=f"s-{n}", client_id=f"c-{n % 7}", employee_id=employee,
                store_id="S1", category="regular", score=score, occurred_at=at,
            )
        )  # fmt: skip
    october = SurveyAnswered(
        survey_id="s-oct", client_id="c-1", employee_id="E2", score=10,
        occurred_at=datetime(2026, 10, 20, tzinfo=UTC),
    )  # fmt: skip
    filed = [
        ComplaintFiled(
            complaint_id=f"k-{n}", client_id=f"c-{n}", kind="complaint", channel="phone",
            topic="rudeness", priority="normal", employee_id=employee, occurred_at=NOVEMBER,
        )
        for n, employee in enumerate(["E3", "E3", "E1"])
    ]  # fmt: skip
    resolved = [
        ComplaintResolved(complaint_id="k-0", client_id="c-0", resolution="ok", founded=True),
        ComplaintResolved(complaint_id="k-2", client_id="c-2", resolution="ok", founded=False),
    ]
    return [october, *answers], filed, resolved  # one partition: October is counted first


def recompute(
    answers: list[SurveyAnswered], filed: list[ComplaintFiled], founded: set[str]
) -> dict[str, float | None]:
    """The formula as docs/surveys.md states it, computed from the raw events."""
    scores: dict[str, list[int]] = defaultdict(list)
    for a in answers:
        if a.occurred_at.strftime("%Y-%m") == "2026-11" and a.employee_id:
            scores[a.employee_id].append(a.score)
    complaints: dict[str, list[bool]] = defaultdict(list)
    for f in filed:
        complaints[str(f.employee_id)].append(f.complaint_id in founded)
    result: dict[str, float | None] = {}
    for employee in set(scores) | set(complaints):
        given = scores[employee]
        if len(given) < 3:
            result[employee] = None
            continue
        nps = (sum(s >= 9 for s in given) - sum(s <= 6 for s in given)) * 100 / len(given)
        n_founded = sum(complaints[employee])
        other = len(complaints[employee]) - n_founded
        index = 5 * sum(given) / len(given) + (nps + 100) / 4 - 10 * n_founded - 2 * other
        result[employee] = round(index, 2)
    return result


async def test_employee_of_the_month_is_the_best_quality_index_as_recomputed(
    slate: Slate,
) -> None:
    answers, filed, resolved = generated()
    clock = ManualClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    async with running(create_app(surveys_settings(slate), clock)) as api:
        await publish_all(slate, [*answers, *filed, *resolved])

        async def report() -> Any:
            got = (await api.get("/internal/v1/reports/employees")).json()
            rows = {r["employee_id"]: r for r in got["employees"]}
            complete = sum(r["answers"] for r in rows.values()) == 60
            founded = rows.get("E3", {}).get("complaints_founded") == 1
            return got if complete and founded else None

        found = await eventually(report, timeout_s=120)
        breakdown = (
            await api.get("/internal/v1/reports/nps/breakdown?kind=employee&period=2026-11")
        ).json()
        weekly = (await api.get("/internal/v1/reports/nps/weekly?subject=all&weeks=8")).json()
        refused = [
            (await api.get(path)).status_code
            for path in (
                "/internal/v1/reports/nps?subject=planet:mars",
                "/internal/v1/reports/nps?period=last-week",
                "/internal/v1/reports/employees?month=2026-13",
                "/internal/v1/reports/nps/weekly?weeks=0",
            )
        ]

    expected = recompute(answers, filed, founded={"k-0"})
    assert {r["employee_id"]: r["quality_index"] for r in found["employees"]} == expected
    best = max((e for e in expected if expected[e] is not None), key=lambda e: expected[e] or 0)
    assert found["best_employee"] == best
    assert found["month"] == "2026-11"
    assert "founded complaint" in found["formula"]
    assert [r["rank"] for r in found["employees"]] == [1, 2, 3, 4, None]
    assert sorted(r["subject"] for r in breakdown) == [f"employee:{e}" for e in EMPLOYEES]
    assert sum(r["count"] for r in breakdown) == 60
    assert [w["period"] for w in weekly["weeks"]][-1] == "2026-W49"
    assert sum(w["count"] for w in weekly["weeks"]) == 61  # October's answer too
    assert refused == [422, 422, 422, 422]


async def test_early_in_a_month_the_report_shows_the_latest_month_with_enough_answers(
    slate: Slate,
) -> None:
    """On 1 December only one answer is in: without a month the report is November's
    (the latest month an employee has enough answers in); December's on request."""
    november = [
        SurveyAnswered(
            survey_id=f"n-{n}", client_id=f"c-{n}", employee_id=employee, score=9,
            occurred_at=NOVEMBER + timedelta(days=n),
        )
        for n, employee in enumerate(["E1", "E1", "E1", "E2", "E2", "E2"])
    ]  # fmt: skip
    december = SurveyAnswered(
        survey_id="d-1", client_id="c-9", employee_id="E3", score=10,
        occurred_at=datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
    )  # fmt: skip
    clock = ManualClock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    async with running(create_app(surveys_settings(slate), clock)) as api:
        await publish_all(slate, [*november, december])

        async def report() -> Any:
            got = (await api.get("/internal/v1/reports/employees?month=2026-12")).json()
            return got if got["employees"] else None

        asked = await eventually(report, timeout_s=60)
        latest = (await api.get("/internal/v1/reports/employees")).json()
    assert (asked["month"], asked["best_employee"]) == ("2026-12", None)
    assert latest["month"] == "2026-11"
    assert sorted(r["employee_id"] for r in latest["employees"]) == ["E1", "E2"]
    assert latest["best_employee"] in {"E1", "E2"}
