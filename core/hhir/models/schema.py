"""One-line messages from pydantic validation errors, in the words the rest of the checks use."""

from __future__ import annotations

from pydantic import ConfigDict, ValidationError

# Strict types (no "3" for 3, no 3.0 for an int), unknown fields refused, no NaN or infinity.
STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


def first_problem(exc: ValidationError, root: str) -> str:
    """``<root>.<field path>: <problem>`` for the first error pydantic found."""
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    where = root + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc[:-1] if p)
    name = loc[-1] if loc else ""
    if err["type"] in ("missing", "missing_argument"):
        return f"{where}: missing field '{name}'"
    if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"{where}: unknown field(s) {name}"
    if err["type"] == "json_invalid":
        return f"not valid JSON ({err['msg'].removeprefix('Invalid JSON: ')})"
    full = where + (f"[{name}]" if name.isdigit() else f".{name}" if name else "")
    shown = err.get("input")
    value = "" if isinstance(shown, (dict, list, tuple)) else f", got {type(shown).__name__} {str(shown)[:40]!r}"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{full}: {msg[:1].lower()}{msg[1:]}{value}"
