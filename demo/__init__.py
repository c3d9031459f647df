"""A living demo and a POS simulator: tools that drive Clientele from the outside.

Not a service: it owns no data and imports no service's repository and no database
driver. It speaks to the product only through its public doors: the gateway's HTTP
API (staff, and the SMS provider's signed webhook) and Kafka (POS events, the
published `purchase.recorded` / `purchase.returned` v1 contract). Mounted in the
`clientele` command as `clientele demo` and `clientele pos simulate`.
"""
