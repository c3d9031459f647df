"""Priority from the client's live value and the kind of case; who escalates at once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.complaints.cases.model import KnownClient
from shared.contracts.complaints import CaseKind, Priority

PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "critical")
KIND_PRIORITY: dict[str, Priority] = {"suggestion": "low", "complaint": "normal", "claim": "high"}


@dataclass(frozen=True)
class ValuePolicy:
    vip_categories: frozenset[str]
    top_tiers: frozenset[str]
    high_value_spend: Decimal


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    reasons: tuple[str, ...]
    escalate: bool
    notes: tuple[str, ...]


def raise_priority(priority: Priority, steps: int = 1) -> Priority:
    return PRIORITIES[min(len(PRIORITIES) - 1, PRIORITIES.index(priority) + steps)]


def valuable_because(client: KnownClient, policy: ValuePolicy) -> list[str]:
    """Why this client is one the business must not lose (empty: a regular client)."""
    reasons = []
    if client.category in policy.vip_categories:
        reasons.append(f"category:{client.category}")
    if client.tier is not None and client.tier in policy.top_tiers:
        reasons.append(f"tier:{client.tier}")
    if client.lifetime_spend >= policy.high_value_spend > 0:
        reasons.append(f"lifetime_spend:{client.lifetime_spend:.2f}")
    return reasons


def decide_priority(kind: CaseKind, client: KnownClient, policy: ValuePolicy) -> PriorityDecision:
    """A complaint or claim from a valuable client is critical and escalates at once;
    a suggestion from one is raised a step but is not urgent."""
    priority = KIND_PRIORITY[kind]
    reasons = [f"kind:{kind}"]
    valuable = valuable_because(client, policy)
    escalate = False
    if valuable:
        reasons.extend(valuable)
        if kind == "suggestion":
            priority = raise_priority(priority)
        else:
            priority, escalate = "critical", True
    notes = ("problem_client",) if client.category == "problem" else ()
    return PriorityDecision(priority, tuple(reasons), escalate, notes)
