"""Requests and results of background operations as JSON: the same frozen dataclasses on both
sides of the child process, turned into plain data and back by pydantic."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def to_json(value: Any, cls: type) -> Any:
    """A dataclass value as plain JSON data."""
    return _adapter(cls).dump_python(value, mode="json")


def from_json(data: Any, cls: type) -> Any:
    """The dataclass value back from :func:`to_json`'s output."""
    return _adapter(cls).validate_python(data)
