"""OpenAPI and its Swagger UI, behind the guard like everything else (staff only).

The Swagger UI's files are vendored from the npm registry under static/vendor (no CDN).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

router = APIRouter(include_in_schema=False)


def add_security_schemes(app: FastAPI) -> None:
    """Declare bearer tokens (staff) and X-API-Key (POS) so clients and tools can log in."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = FastAPI.openapi(app)
        components = schema.setdefault("components", {})
        components["securitySchemes"] = {
            "staff": {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": "/api/v1/auth/token", "scopes": {}}},
            },
            "pos": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if path == "/api/v1/auth/token" or path == "/api/v1/sms/inbound":
                    operation["security"] = []
                elif path.startswith("/api/v1/pos/"):
                    operation["security"] = [{"pos": []}]
                elif path.startswith("/api/"):
                    operation["security"] = [{"staff": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


@router.get("/openapi.json")
async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Clientele gateway API",
        swagger_js_url="/static/vendor/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui.css",
        swagger_favicon_url="/static/console.css",
    )
