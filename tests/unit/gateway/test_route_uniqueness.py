"""No public route is defined twice: a second definition would be silently shadowed."""

from collections import Counter

from fastapi.routing import APIRoute

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
