"""The JSON Schema of ``trainlca estimate --format json``, shipped with the package.

``estimate.schema.json`` (JSON Schema draft 2020-12) describes the document returned by
:meth:`trainlca.api.Estimate.to_dict` and printed by ``estimate --format json``: every key, its
type and unit, the provenance statuses, and ``null`` where an impact is not covered. Its
``schema_version`` is :data:`SCHEMA_VERSION`; 1.x versions only add keys.

:func:`validate_estimate` checks a document against it. It needs the ``jsonschema`` package
(a development dependency, imported only here, on call): the runtime never validates its own
output, the tests do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

from trainlca.errors import TrainLCAError

#: Version of the estimate document that this schema describes.
SCHEMA_VERSION: Final[str] = "1.0"
#: File name of the schema inside the ``trainlca.report`` package.
SCHEMA_FILE: Final[str] = "estimate.schema.json"


class OutputSchemaError(TrainLCAError):
    """A document that does not follow the shipped estimate schema (names the first failing
    key path and why)."""


@cache
def _schema_text() -> str:
    return resources.files("trainlca.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def estimate_schema() -> dict[str, Any]:
    """The shipped JSON Schema (a fresh dict on each call, safe to modify)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def _validator() -> Any:
    try:
        import jsonschema
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "validate_estimate needs the jsonschema package: pip install 'jsonschema>=4.20' "
            "(or the dev extra: pip install -e '.[dev]')"
        ) from exc
    schema = estimate_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(doc: Mapping[str, Any]) -> list[str]:
    """Every way ``doc`` departs from the schema, one line each (``path: message``), in document
    order; empty when it is valid."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}" for e in errors]


def validate_estimate(doc: Mapping[str, Any]) -> None:
    """Check an estimate document (``Estimate.to_dict()`` or the parsed output of
    ``estimate --format json``) against the shipped schema.

    Raises:
        OutputSchemaError: the first problem (key path and message) and how many there are.
        ModuleNotFoundError: ``jsonschema`` is not installed.
    """
    errors = schema_errors(doc)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise OutputSchemaError(
            f"estimate JSON does not follow schema {SCHEMA_VERSION}: {errors[0]}{more}"
        )
