"""The registry's internal HTTP routes (called by the gateway)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from services.registry import handlers
from services.registry.config import RegistrySettings
from services.registry.model import ClientNotFound, DuplicateClient, InvalidPhone
from services.registry.repository import ClientRepository
from services.registry.schemas import ClientResponse, RegisterClientRequest
from shared.service import ServiceRuntime

router = APIRouter(prefix="/internal/v1", tags=["clients"])


def _repo(request: Request) -> tuple[ClientRepository, RegistrySettings]:
    runtime: ServiceRuntime = request.app.state.runtime
    settings = runtime.settings
    assert isinstance(settings, RegistrySettings)
    return ClientRepository(runtime.db, runtime.outbox), settings


@router.post("/clients", status_code=201, response_model=ClientResponse)
async def register(body: RegisterClientRequest, request: Request) -> ClientResponse | JSONResponse:
    repo, settings = _repo(request)
    try:
        client = await handlers.register_client(
            repo, body.name, body.phone, settings.default_region
        )
    except InvalidPhone as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    except DuplicateClient as exc:
        return JSONResponse(
            {"detail": str(exc), "field": exc.field, "existing_client_id": exc.existing_client_id},
            status_code=409,
        )
    return ClientResponse(**client.model_dump())


@router.get("/clients/{client_id}", response_model=ClientResponse)
async def get_client(client_id: str, request: Request) -> ClientResponse:
    repo, _ = _repo(request)
    try:
        client = await handlers.get_client(repo, client_id)
    except ClientNotFound as exc:
        raise HTTPException(404, detail=f"no client {client_id}") from exc
    return ClientResponse(**client.model_dump())
