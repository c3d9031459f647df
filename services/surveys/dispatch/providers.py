"""The SMS provider port and its two adapters.

- `DevelopmentProvider` (SURVEYS_SMS_PROVIDER=development, used by `make run`): sends
  nothing; the message is logged and its document in the store says it was "sent".
- `HttpProvider` (SURVEYS_SMS_PROVIDER=http): the common shape of commercial SMS
  APIs: a form POST (`to`, `from`, `text`, `reference`) with HTTP basic auth to
  SURVEYS_SMS_HTTP_URL, a timeout per attempt, retries (tenacity) with exponential
  backoff on network errors, 429 and 5xx; any other 4xx fails at once. Every failed
  attempt is returned so the caller records it on the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import httpx
from prometheus_client import Counter
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from shared.logging import get_logger

log = get_logger(__name__)

SMS_OUTCOMES = Counter(
    "clientele_sms_messages_total",
    "Outbound SMS by kind and outcome (sent, skipped, failed) with the skip reason",
    ["kind", "outcome", "reason"],
)
SMS_REPLIES = Counter("clientele_sms_replies_total", "Inbound SMS by what they did", ["status"])


@dataclass
class SendResult:
    ok: bool
    provider_id: str | None = None
    failures: list[str] = field(default_factory=list)


class SendFailed(Exception):
    """One attempt failed; `retryable` when trying again may help (network, 429, 5xx)."""

    def __init__(self, failure: str, retryable: bool) -> None:
        super().__init__(failure)
        self.failure = failure
        self.retryable = retryable


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, SendFailed) and exc.retryable


class SmsProvider(Protocol):
    name: str

    async def send(self, to: str, text: str, reference: str) -> SendResult: ...

    async def close(self) -> None: ...


class DevelopmentProvider:
    name = "development"

    async def send(self, to: str, text: str, reference: str) -> SendResult:
        log.info("sms_recorded", provider=self.name, to=to, text=text, reference=reference)
        return SendResult(ok=True, provider_id=f"dev-{reference}")

    async def close(self) -> None:
        return None


class HttpProvider:
    name = "http"

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        sender: str,
        timeout_s: float,
        retries: int,
        backoff_s: float,
    ) -> None:
        self.url = url
        self.sender = sender
        self.retries = retries
        self.backoff_s = backoff_s
        auth = httpx.BasicAuth(user, password) if user else None
        self.client = httpx.AsyncClient(timeout=timeout_s, auth=auth)

    async def _attempt(self, form: dict[str, str]) -> SendResult:
        """One POST: the result, or SendFailed saying what went wrong."""
        try:
            response = await self.client.post(self.url, data=form)
        except httpx.HTTPError as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}", retryable=True) from exc
        if not response.is_success:
            failure = f"HTTP {response.status_code}: {response.text[:200]}"
            raise SendFailed(failure, response.status_code == 429 or response.status_code >= 500)
        try:
            body = response.json()
        except ValueError:
            body = {}
        provider_id = body.get("id") if isinstance(body, dict) else None
        return SendResult(ok=True, provider_id=str(provider_id or ""))

    async def send(self, to: str, text: str, reference: str) -> SendResult:
        form = {"to": to, "from": self.sender, "text": text, "reference": reference}
        failures: list[str] = []

        async def attempt() -> SendResult:
            try:
                return await self._attempt(form)
            except SendFailed as exc:  # every failed attempt is kept, retried or not
                failures.append(exc.failure)
                log.warning(
                    "sms_send_failed", reference=reference, attempt=len(failures), error=exc.failure
                )
                raise

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            # backoff_s, then twice that, four times that... until the retries run out
            wait=wait_exponential(multiplier=self.backoff_s, min=0),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        try:
            result: SendResult = await retrying(attempt)
        except SendFailed:
            return SendResult(ok=False, failures=failures)
        result.failures = failures
        return result

    async def close(self) -> None:
        await self.client.aclose()
