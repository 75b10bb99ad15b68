"""The JSON Schema (2020-12) documents of the wire contracts, generated from the models.

``python -m custodes.events.schema_export`` writes ``schemas/<name>/<version>.json`` for
every entry of :data:`custodes.events.registry.SCHEMAS` and removes documents no model
produces; ``--check`` writes nothing and exits 1 when the files differ from the models.
The documents describe what a consumer accepts (pydantic's validation mode).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from custodes.events.registry import SCHEMAS, SchemaEntry
from custodes.events.vocabulary import PROHIBITED_KEY_PATTERN
from custodes.settings import PROJECT_ROOT

__all__ = ["DEFAULT_ROOT", "check_schemas", "render", "schema_document", "schema_files", "write_schemas"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_ROOT = PROJECT_ROOT / "schemas"


ANY_JSON = "JsonWithoutProhibitedKeys"
ALLOWED_KEY = "KeyWithoutProhibitedLabel"
_NO_PROHIBITED_NAMES = {"$ref": f"#/$defs/{ALLOWED_KEY}"}
_ANNOTATIONS = {"title", "description", "examples", "default"}
_SCHEMA_MAPS = {"properties", "$defs", "patternProperties", "dependentSchemas"}


def schema_document(entry: SchemaEntry) -> dict[str, Any]:
    """The JSON Schema document of one contract version.

    Consumers refuse a key naming a prohibited label (race, emotion, …) at any depth
    (``find_prohibited_field``); the document says so too: every open map gets
    ``propertyNames: {not: {pattern: PROHIBITED_KEY_PATTERN}}`` and every free-form value refers
    to ``$defs/JsonWithoutProhibitedKeys``, which applies the same rule at every depth.
    """
    document = {"$schema": DIALECT, **entry.model.model_json_schema(mode="validation")}
    document = _refuse_prohibited_keys(document)
    if _uses(document, ALLOWED_KEY) or _uses(document, ANY_JSON):
        document.setdefault("$defs", {})[ALLOWED_KEY] = {
            "description": "a key naming no prohibited label (race, ethnicity, emotion, …: EU-11, EU-12)",
            "type": "string", "not": {"pattern": PROHIBITED_KEY_PATTERN},
        }
    if _uses(document, ANY_JSON):
        document["$defs"][ANY_JSON] = {
            "description": "any JSON value whose objects, at any depth, have no key naming a prohibited label",
            "propertyNames": _NO_PROHIBITED_NAMES,
            "additionalProperties": {"$ref": f"#/$defs/{ANY_JSON}"},
            "items": {"$ref": f"#/$defs/{ANY_JSON}"},
        }
    return document


def _refuse_prohibited_keys(node: Any) -> Any:
    if isinstance(node, list):
        return [_refuse_prohibited_keys(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.keys() <= _ANNOTATIONS:  # a free-form value (pydantic's ``Any``)
        return {**node, "$ref": f"#/$defs/{ANY_JSON}"}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS:  # name -> schema: the names are not keywords
            out[key] = {name: _refuse_prohibited_keys(sub) for name, sub in value.items()}
        elif key in _ANNOTATIONS or not isinstance(value, dict | list):
            out[key] = value
        else:
            out[key] = _refuse_prohibited_keys(value)
    if out.get("type") == "object" and "properties" not in node:
        out["propertyNames"] = _NO_PROHIBITED_NAMES
        if node.get("additionalProperties", True) is True:
            out["additionalProperties"] = {"$ref": f"#/$defs/{ANY_JSON}"}
    return out


def _uses(node: Any, definition: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == f"#/$defs/{definition}" or any(_uses(v, definition) for v in node.values())
    return isinstance(node, list) and any(_uses(v, definition) for v in node)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def schema_files() -> dict[Path, str]:
    """Relative path -> text of every document the models define."""
    return {Path(entry.name, f"{entry.version}.json"): render(schema_document(entry)) for entry in SCHEMAS}


def _existing(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.glob("*/*.json")}


def check_schemas(root: Path = DEFAULT_ROOT) -> list[str]:
    """What differs between ``root`` and the models; empty when they agree."""
    expected = schema_files()
    problems = [f"{path}: stale (no model defines it)" for path in sorted(_existing(root) - set(expected))]
    for path, text in sorted(expected.items()):
        target = root / path
        if not target.exists():
            problems.append(f"{path}: missing")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs from {_model_of(path).__name__}")
    return problems


def _model_of(path: Path) -> type:
    return next(e.model for e in SCHEMAS if Path(e.name, f"{e.version}.json") == path)


def write_schemas(root: Path = DEFAULT_ROOT) -> list[Path]:
    """Bring ``root`` in line with the models; returns the relative paths written or removed."""
    expected = schema_files()
    changed = []
    for path in sorted(_existing(root) - set(expected)):
        (root / path).unlink()
        changed.append(path)
    for path, text in sorted(expected.items()):
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m custodes.events.schema_export",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the schemas/ folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files differ")
    args = parser.parse_args(argv)
    if args.check:
        problems = check_schemas(args.root)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("regenerate with: python -m custodes.events.schema_export", file=sys.stderr)
        return 1 if problems else 0
    for path in write_schemas(args.root):
        print(args.root / path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
