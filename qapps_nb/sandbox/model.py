"""The rules of the Q Apps service, read from botocore's ``qapps`` service model.

Operation names, paths and methods, where each input member travels (header,
querystring or JSON body), required members, string lengths and patterns, enums, list
sizes, integer ranges, unions and error codes all come from the model botocore ships,
so the sandbox checks what the service checks (botocore itself skips patterns, maximums
and enums) without a hand-made copy. Messages follow AWS's wording::

    1 validation error detected: Value 'x' at 'appId' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\da-f]{8}-...
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

SERVICE = "qapps"
SHOWN_VALUE = 80
"""Longest value echoed in a message (AWS echoes it whole; a 50,000-character prompt would
not fit on one line)."""


@functools.cache
def service_model() -> dict[str, Any]:
    """The ``service-2`` JSON of the newest qapps API version botocore has."""
    from botocore.loaders import Loader

    return dict(Loader().load_service_model(SERVICE, "service-2"))


def shape(name: str) -> dict[str, Any]:
    return dict(service_model()["shapes"][name])


@dataclass(frozen=True)
class OperationSpec:
    """One operation as the model defines it."""

    name: str
    method: str
    uri: str
    input_shape: str | None
    output_shape: str | None
    errors: tuple[str, ...]

    def members(self, location: str | None) -> dict[str, dict[str, Any]]:
        """Input members at a location: "header", "querystring" or None (JSON body)."""
        if self.input_shape is None:
            return {}
        return {name: member for name, member in shape(self.input_shape)["members"].items()
                if member.get("location") == location}


@functools.cache
def operations() -> dict[str, OperationSpec]:
    out: dict[str, OperationSpec] = {}
    for name, op in service_model()["operations"].items():
        out[name] = OperationSpec(
            name=name, method=op["http"]["method"], uri=op["http"]["requestUri"],
            input_shape=op.get("input", {}).get("shape"),
            output_shape=op.get("output", {}).get("shape"),
            errors=tuple(e["shape"] for e in op.get("errors", ())))
    return out


@functools.cache
def _by_path() -> dict[str, OperationSpec]:
    return {spec.uri: spec for spec in operations().values()}


def operation_at(method: str, path: str) -> OperationSpec:
    """The operation served at ``path``, or the error AWS gives for an unknown one."""
    spec = _by_path().get(path)
    if spec is None:
        raise ApiError(404, "UnknownOperationException",
                       f"The sandbox does not implement {method} {path}.")
    if spec.method != method:
        raise ApiError(405, "UnknownOperationException",
                       f"{path} ({spec.name}) accepts {spec.method} only.")
    return spec


def error_status(code: str) -> int:
    """The HTTP status the model gives an error shape (ResourceNotFoundException: 404)."""
    return int(shape(code)["error"]["httpStatusCode"])


def model_error(code: str, message: str, **members: Any) -> ApiError:
    """An error answer whose status and required members come from the model."""
    required = shape(code).get("required", [])
    missing = [m for m in required if m != "message" and m not in members]
    if missing:
        raise ValueError(f"{code} needs {', '.join(missing)}")
    return ApiError(error_status(code), code, message, extra=members)


def not_found(resource_type: str, resource_id: str, message: str | None = None) -> ApiError:
    return model_error("ResourceNotFoundException",
                       message or f"{resource_type} {resource_id} was not found.",
                       resourceId=resource_id, resourceType=resource_type)


# -- reading a request -------------------------------------------------------------------
def read_input(spec: OperationSpec, headers: Mapping[str, str] | Any,
               query: Mapping[str, list[str]], body: Mapping[str, Any]) -> dict[str, Any]:
    """The operation's input as member name → value, from header, querystring and body.

    Querystring integers are converted here; a value that is not one is a problem for
    :func:`validate` (kept as the raw string so the message can quote it).
    """
    params: dict[str, Any] = {}
    for name, member in spec.members("header").items():
        value = headers.get(member["locationName"])
        if value is not None:
            params[name] = value
    for name, member in spec.members("querystring").items():
        values = query.get(member["locationName"])
        if not values:
            continue
        raw = values[-1]
        kind = shape(member["shape"])["type"]
        if kind in ("integer", "long"):
            params[name] = int(raw) if re.fullmatch(r"-?\d{1,18}", raw, re.ASCII) else raw
        else:
            params[name] = raw
    for name in spec.members(None):
        if name in body:
            params[name] = body[name]
    return params


# -- validation --------------------------------------------------------------------------
_CONTROL = {i: f"\\x{i:02x}" for i in (*range(32), 127)} | {
    0x2028: "\\u2028", 0x2029: "\\u2029", 10: "\\n", 13: "\\r", 9: "\\t"}


def shown(value: Any) -> str:
    """A value as AWS quotes it in a message, on one line and cut to fit."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.translate(_CONTROL)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE - 3] + "..."


def _fail(value: Any, path: str, constraint: str) -> str:
    return (f"Value '{shown(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must {constraint}")


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.ASCII)  # the service's \d is [0-9], as in Java


def _length(value: Any, spec: Mapping[str, Any], path: str) -> list[str]:
    size = len(value)
    if "min" in spec and size < spec["min"]:
        return [_fail(value, path, f"have length greater than or equal to {spec['min']}")]
    if "max" in spec and size > spec["max"]:
        return [_fail(value, path, f"have length less than or equal to {spec['max']}")]
    return []


_TYPE_NAMES = {"string": "a string", "integer": "an integer", "long": "an integer",
               "boolean": "a boolean", "list": "a list", "map": "a map",
               "structure": "an object", "timestamp": "a timestamp", "double": "a number",
               "float": "a number", "blob": "a string"}


def _type_ok(kind: str, value: Any) -> bool:
    if kind in ("string", "blob"):
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("double", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind in ("map", "structure"):
        return isinstance(value, dict)
    if kind == "timestamp":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    return True


def validate(shape_name: str, value: Any, path: str = "") -> list[str]:
    """Every way ``value`` breaks the model's ``shape_name``, one AWS-worded line each.

    Unknown members of a structure are ignored, as rest-json services do; a union must
    have exactly one known member set.
    """
    spec = shape(shape_name)
    kind = spec["type"]
    where = path or shape_name
    if kind == "structure" and spec.get("document"):
        return []  # any JSON document
    if not _type_ok(kind, value):
        return [_fail(value, where, f"be {_TYPE_NAMES.get(kind, kind)}")]
    if kind == "string":
        if "enum" in spec and value not in spec["enum"]:
            return [_fail(value, where,
                          f"satisfy enum value set: [{', '.join(spec['enum'])}]")]
        problems = _length(value, spec, where)
        if not problems and "pattern" in spec and not _pattern(spec["pattern"]).fullmatch(value):
            problems.append(_fail(value, where, "satisfy regular expression pattern: "
                                  + spec["pattern"]))
        return problems
    if kind in ("integer", "long"):
        if "min" in spec and value < spec["min"]:
            return [_fail(value, where, f"have value greater than or equal to {spec['min']}")]
        if "max" in spec and value > spec["max"]:
            return [_fail(value, where, f"have value less than or equal to {spec['max']}")]
        return []
    if kind == "list":
        problems = _length(value, spec, where)
        for i, item in enumerate(value, 1):
            problems += validate(spec["member"]["shape"], item, f"{where}.{i}.member")
        return problems
    if kind == "map":
        problems = []
        for key, item in value.items():
            at = f"{where}.{shown(key)}"
            problems += validate(spec["key"]["shape"], key, f"{at}.key")
            problems += validate(spec["value"]["shape"], item, f"{at}.value")
        return problems
    if kind == "structure":
        return _validate_structure(spec, value, path)
    return []


def _validate_structure(spec: Mapping[str, Any], value: Mapping[str, Any],
                        path: str) -> list[str]:
    members: dict[str, Any] = spec.get("members", {})
    prefix = f"{path}." if path else ""
    problems: list[str] = []
    if spec.get("union"):
        present = [name for name in members if value.get(name) is not None]
        if len(present) != 1:
            return [f"Value at '{path or 'union'}' failed to satisfy constraint: Member must "
                    f"have exactly one of [{', '.join(members)}] set"]
    for name in spec.get("required", []):
        if value.get(name) is None:
            problems.append(f"Value null at '{prefix}{name}' failed to satisfy constraint: "
                            "Member must not be null")
    for name, member in members.items():
        item = value.get(name)
        if item is not None:
            problems += validate(member["shape"], item, prefix + name)
    return problems


def validate_input(spec: OperationSpec, params: Mapping[str, Any]) -> list[str]:
    """The model's problems with an operation's input (header, query and body members)."""
    if spec.input_shape is None:
        return []
    return validate(spec.input_shape, params)
