"""Cases: filing a complaint, claim or suggestion (by staff or from a low survey score),
its workflow, the open-case board and each client's cases."""
