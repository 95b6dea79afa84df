"""Which app APIs the API root lists, as (URL prefix, namespace)."""

API_SECTIONS: list[tuple[str, str]] = [
    ("goals", "goals-api"),
    ("budget", "budget-api"),
    ("settlement", "settlement-api"),
]
