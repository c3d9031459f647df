"""The SMS provider's inbound webhook: handed to surveys untouched.

The provider signs the raw body (surveys checks `X-Clientele-Signature`), so the
gateway forwards the exact bytes and the signature header and parses nothing. This
route carries no staff token: the signature is its authentication.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.upstream import UpstreamDown, relay_answer, unavailable, upstreams

router = APIRouter(prefix="/api/v1", tags=["sms"])

SIGNATURE_HEADER = "X-Clientele-Signature"


@router.post("/sms/inbound")
async def sms_inbound(request: Request) -> Response:
    """Form-encoded (`from`, `text`, `id`) or JSON; 401 when the signature is wrong."""
    raw = await request.body()
    headers = {"content-type": request.headers.get("content-type", "application/octet-stream")}
    signature = request.headers.get(SIGNATURE_HEADER)
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    try:
        answer = await upstreams(request).call(
            "surveys", "POST", "/internal/v1/sms/inbound", content=raw, headers=headers
        )
    except UpstreamDown:
        return unavailable("surveys")
    return relay_answer(answer)
