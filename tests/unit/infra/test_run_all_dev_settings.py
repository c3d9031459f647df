"""`make run` (infra/run_all.py) makes the survey loop visible: a short delay, no quiet hours."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from services.complaints.config import ComplaintsSettings
from services.surveys.config import SurveysSettings
from services.surveys.outreach.model import Policy, in_quiet_hours

ROOT = Path(__file__).resolve().parents[3]


def run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "infra/run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def surveys_settings_in(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> SurveysSettings:
    for name in [n for n in env if n.startswith("SURVEYS_")]:
        monkeypatch.setenv(name, env[name])
    return SurveysSettings()


def test_make_run_sends_surveys_30_s_after_the_visit_at_any_hour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("SURVEYS_SEND_DELAY_S", "SURVEYS_QUIET_HOURS_START", "SURVEYS_QUIET_HOURS_END"):
        monkeypatch.delenv(name, raising=False)
    launcher = run_all()
    env = launcher.service_env({"surveys": 8003, "gateway": 8000})
    settings = surveys_settings_in(env, monkeypatch)
    assert settings.send_delay_s == 30
    policy = Policy(4, settings.quiet_hours_start, settings.quiet_hours_end, settings.timezone)
    midnight = datetime(2026, 11, 27, tzinfo=UTC)
    assert not any(in_quiet_hours(midnight + timedelta(hours=h), policy) for h in range(24))
    assert "30 s after a visit, no quiet hours" in launcher.dev_settings_note(env)


def test_a_developer_may_still_set_the_production_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEYS_SEND_DELAY_S", "7200")
    env = run_all().service_env({"surveys": 8003})
    assert env["SURVEYS_SEND_DELAY_S"] == "7200"


def test_make_run_gives_complaints_slas_of_minutes_so_a_breach_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = run_all().service_env({"complaints": 8004})
    for name in [n for n in env if n.startswith("COMPLAINTS_")]:
        monkeypatch.setenv(name, env[name])
    settings = ComplaintsSettings()
    assert max(settings.sla_first_response_hours.values()) * 60 <= 30
    assert max(settings.sla_resolution_hours.values()) * 60 <= 120
    assert settings.sla_check_interval_s <= 30
