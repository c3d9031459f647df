"""What a service's export shows of a stored document, and which documents it asks for."""

from __future__ import annotations

from bson import ObjectId

from shared.privacy_export import about_client, readable


def test_a_stored_document_is_shown_without_plumbing_and_with_money_as_decimals() -> None:
    oid = ObjectId()
    doc = {
        "_id": "c1:000000001",
        "balance_cents": 1250,
        "refund_cents": -5,
        "_outbox": [{"topic": "bonus.accrued"}],
        "_last_applied": ["e1"],
        "lines": [{"amount_cents": 700, "ref": oid}],
        "flag_cents": True,
    }
    assert readable(doc) == {
        "id": "c1:000000001",
        "balance": "12.50",
        "refund": "-0.05",
        "lines": [{"amount": "7.00", "ref": str(oid)}],
        "flag_cents": True,
    }


def test_documents_naming_the_client_by_id_field_or_id_made_of_it_are_asked_for() -> None:
    plain = about_client("3f2a-c_1")["$or"]
    assert {"_id": "3f2a-c_1"} in plain and {"client_id": "3f2a-c_1"} in plain
    assert {"client_ids": "3f2a-c_1"} in plain
    assert {"_id": {"$regex": "(^|:)3f2a-c_1(:|$)"}} in plain
    # an id with other characters is never turned into a pattern
    odd = about_client("a.*b")["$or"]
    assert all("$regex" not in str(clause) for clause in odd) and {"_id": "a.*b"} in odd
