"""Times and ledger rows as the console shows them to staff."""

from __future__ import annotations

from datetime import datetime

from services.gateway.console.format import day, ledger_row, when, zone

BERLIN = zone("Europe/Berlin")


def test_a_service_timestamp_reads_in_the_business_zone_with_its_summer_time() -> None:
    winter = when("2026-11-27T15:33:45.489000Z", BERLIN)
    summer = when("2026-07-01T15:33:45+00:00", BERLIN)
    assert ">27 Nov 2026, 16:33</time>" in winter
    assert (
        'datetime="2026-11-27T15:33:45Z"' in winter
        and 'title="27 Nov 2026, 16:33:45 CET"' in winter
    )
    assert ">1 Jul 2026, 17:33</time>" in summer


def test_naive_times_are_utc_and_odd_values_pass_through_escaped() -> None:
    assert ">1 Jan 2026, 01:00:00</time>" in when(datetime(2026, 1, 1), BERLIN, seconds=True)
    assert when(None, BERLIN) == "" and when("", BERLIN) == ""
    assert when("<b>soon</b>", BERLIN) == "&lt;b&gt;soon&lt;/b&gt;"
    assert day("1990-03-15") == "15 Mar 1990" and day("--03-15") == "--03-15"


def test_ledger_rows_name_the_purchase_and_the_staff_member_not_the_event() -> None:
    earned = ledger_row(
        {"kind": "accrual", "amount": "5.00", "balance_after": "5.00", "purchase_id": "P-1",
         "store_id": "S7", "cause": "purchase.recorded:8ec09e50", "at": "2026-11-23T10:15:00Z"}
    )  # fmt: skip
    back = ledger_row({"kind": "return_reversal", "amount": "-1.66", "purchase_id": "P-1"})
    refund = ledger_row({"kind": "return_reversal", "amount": "25.00", "purchase_id": "P-2"})
    fixed = ledger_row({"kind": "adjustment", "amount": "3.00", "actor": "ann", "reason": "typo"})
    assert (earned.what, earned.purchase, earned.amount) == ("Bonus earned", "P-1 at S7", "5.00")
    assert "8ec09e50" not in str(earned)
    assert (back.what, back.purchase) == ("Bonus taken back (return)", "P-1")
    assert refund.what == "Redeemed bonus back (return)"
    assert (fixed.what, fixed.note) == ("Manual adjustment", "by ann: typo")
