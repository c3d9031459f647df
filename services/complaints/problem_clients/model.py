"""Evidence that a client may be a "problem client" (a manager decides)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class ProblemPolicy:
    unfounded_claims: int
    returns: int
    tags: frozenset[str]


class ProblemEvidence(BaseModel):
    unfounded_claims: list[str] = Field(default_factory=list, description="case ids")
    returns: list[str] = Field(default_factory=list, description="return ids")
    tags: list[str] = Field(default_factory=list)

    def reasons(self, policy: ProblemPolicy) -> list[str]:
        found = []
        if len(self.unfounded_claims) >= policy.unfounded_claims:
            found.append(f"{len(self.unfounded_claims)} unfounded claims")
        if len(self.returns) >= policy.returns:
            found.append(f"{len(self.returns)} returns")
        found.extend(f"tag:{t}" for t in self.tags if t in policy.tags)
        return found


def should_propose(evidence: ProblemEvidence, category: str, policy: ProblemPolicy) -> bool:
    return category != "problem" and bool(evidence.reasons(policy))
