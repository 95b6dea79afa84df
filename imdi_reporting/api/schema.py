"""Schema post-processing: the error responses every operation can give, and the bounds of
the year parameters, so that the published schema says exactly what the server accepts."""

YEAR_SCHEMA = {"type": "integer", "minimum": 1990, "maximum": 2200}
PERIOD_KEY_PATTERN = r"^[0-9]{4}(-(T1|H1|T2))?$"
# Django refuses NUL characters in form and query input (400); the schema says so.
NO_NUL_PATTERN = "^[^\\x00]*$"

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` with the reason, or the invalid fields with their messages.",
    "additionalProperties": True,
}

ERRORS = {
    "400": "Invalid query or body; the fields at fault with their messages.",
    "401": "Not authenticated: send `Authorization: Token <key>` or a session cookie.",
    "403": "Authenticated but not allowed; `detail` gives the reason.",
    "404": "Not found, or not visible to the caller.",
    "429": "Too many unknown, expired or revoked keys from this address; try again later.",
}

WRITE_ERRORS = {
    "409": "Conflict: the `version` sent is stale. `detail` explains; `current` is the "
    "newer version as stored.",
    "423": "The reporting period is submitted or locked; `detail` says since when and by whom.",
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }


def add_error_responses(result, generator, request, public):
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            errors = dict(ERRORS)
            if method in ("post", "put", "patch", "delete"):
                errors.update(WRITE_ERRORS)
            for status, description in errors.items():
                responses.setdefault(status, _error(description))
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                if parameter["name"] == "year":
                    parameter["schema"] = dict(YEAR_SCHEMA)
                if parameter["name"] == "period":
                    parameter["schema"] = {"type": "string", "pattern": PERIOD_KEY_PATTERN}
                schema = parameter["schema"]
                # `ordering` is DRF's: it skips fields it does not know rather than refusing.
                if parameter["name"] == "ordering":
                    continue
                if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(
                    schema
                ):
                    schema["pattern"] = NO_NUL_PATTERN
    return result
