"""No public route is defined twice, and none takes another's requests: either would
be silently shadowed."""

import re
from collections import Counter

from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from starlette.routing import BaseRoute, Match

from services.gateway.main import create_app
from services.gateway.routes import all_routers


def test_every_method_and_path_of_the_public_api_is_defined_once() -> None:
    seen = Counter(
        (method, route.path)
        for router in all_routers()
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    )
    assert len(seen) > 20
    assert [key for key, count in seen.items() if count > 1] == []


def _first_match(app: FastAPI, method: str, path: str) -> BaseRoute | None:
    """The route the gateway's router dispatches `method path` to (FastAPI's included
    routers resolve to the route inside)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "app": app}
    scope |= {"query_string": b"", "headers": []}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            if isinstance(route, _IncludedRouter):
                return route._match(scope)[2]
            return route
    return None


def test_every_mounted_route_is_reached_by_its_own_paths() -> None:
    # The API routers are matched before the console's and the docs' (the card lookup
    # walked every other router first: 70 of the gateway's ~700 us); whatever the order,
    # no route may take another's requests.
    app = create_app()
    routes = [
        ctx.original_route
        for top in app.router.routes
        if isinstance(top, _IncludedRouter)
        for ctx in top.effective_route_contexts()
        if isinstance(ctx.original_route, APIRoute)
    ]
    assert len(routes) > 40
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "x1", route.path_format)
        for method in route.methods:
            found = _first_match(app, method, path)
            assert getattr(found, "endpoint", None) is route.endpoint, (method, route.path)
