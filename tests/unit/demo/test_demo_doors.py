"""The demo uses only the product's public doors, and its trade is valid and repeatable."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from demo.kafka import RemoteBrokerRefused, check_loopback
from demo.pos import anonymous_trade, client_trade
from demo.world import make_clients
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from tests.support.infra import ROOT

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def test_the_demo_imports_no_database_driver_and_no_service_repository() -> None:
    probe = (
        "import json, sys, demo.cli, demo.story, demo.simulate; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    drivers = [m for m in loaded if m.startswith(("pymongo", "motor", "bson"))]
    repositories = [m for m in loaded if m.startswith("services.") and "repository" in m]
    assert (drivers, repositories) == ([], [])


def test_a_seed_makes_the_same_valid_month_of_trade() -> None:
    first, again = make_clients(1, 40), make_clients(1, 40)
    for n, client in enumerate(first):
        client.card_number = again[n].card_number = f"4000{n:08d}"
    trade = [e for c in first for e in client_trade(c, 30, NOW, seed=1)]
    trade_again = [e for c in again for e in client_trade(c, 30, NOW, seed=1)]
    assert [e.model_dump(exclude={"event_id"}) for e in trade] == [
        e.model_dump(exclude={"event_id"}) for e in trade_again
    ]
    sales = [e for e in trade if isinstance(e, PurchaseRecorded)]
    assert len({s.purchase_id for s in sales}) == len(sales) > 40
    assert all(s.occurred_at < NOW for s in trade)  # back-dated, never in the future
    assert min(s.occurred_at for s in sales).date() < datetime(2026, 11, 5).date()
    for event in trade:  # what a consumer reads off Kafka is valid v1
        type(event).model_validate_json(event.model_dump_json())
    assert any(isinstance(e, PurchaseReturned) for e in trade)
    assert any(s.bonus_redeemed > 0 for s in sales)
    assert all(s.client is None for s in anonymous_trade(30, NOW, seed=1))


def test_a_remote_broker_is_refused_unless_allowed() -> None:
    check_loopback("127.0.0.1:9092,localhost:9093", allow_remote=False)
    with pytest.raises(RemoteBrokerRefused, match=r"10\.1\.2\.3 is not this machine"):
        check_loopback("127.0.0.1:9092,10.1.2.3:9092", allow_remote=False)
    check_loopback("10.1.2.3:9092", allow_remote=True)
