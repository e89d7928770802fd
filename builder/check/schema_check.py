"""JSON Schema validation with messages in the contributor's words.

Valid files, almost all of them, take jsonschema-rs' fast path (about 4 µs a file).
Only a file that fails is validated again by the reference `jsonschema` package,
whose structured errors we turn into one short sentence each, located by path.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import jsonschema
import jsonschema_rs

from builder.check.model_args import refusal
from builder.check.text_rules import MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN, control_character_problem
from builder.load.schemas_dir import schemas_dir
from builder.load.strict_yaml import Document, Path

SCHEMA_NAMES = ("model", "run", "benchmarks", "organisations", "verification", "signers")

END = "(?!\\n)"
"""Every pattern in the schemas ends in `$(?!\\n)`: the end of the text in every engine (text_rules.py)."""

# What each pattern in the schemas means, said the way a contributor reads it; written
# here without the END that each pattern carries in the schemas.
_MEANINGS = {
    "^[0-9a-f]{40}$": "is not a 40-hex commit sha (lower-case)",
    "^[0-9a-f]{64}$": "is not a sha256 (64 lower-case hex digits)",
    "^[0-9a-f]{7,40}$": "is not a git commit (7 to 40 lower-case hex digits)",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "is not a date written YYYY-MM-DD",
    "^https?://[!-~]+$": "is not an http(s) address",
    "^[A-Za-z0-9_][A-Za-z0-9._-]{0,95}/[A-Za-z0-9_][A-Za-z0-9._-]{0,95}$":
        "is not a model id of the form org/name (letters, digits, '.', '_', '-')",
    "^[a-z0-9][a-z0-9_-]{0,63}$": "is not an id (lower-case letters, digits, '_' and '-')",
    "^[a-z0-9][a-z0-9._-]{0,63}$": "is not a lower-case name (letters, digits, '.', '_' and '-')",
    "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$": "is not an lm-eval task name",
    "^[A-Za-z0-9][A-Za-z0-9_@.-]{0,63}$": "is not a metric or filter name",
    "^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$": "is not a version (letters, digits, '.', '+', '_' and '-')",
    "^[A-Za-z_][A-Za-z0-9_]{0,63}$": "is not an argument name",
    "^([0-9]{1,6}|auto(:[0-9]{1,4})?)$": "is not a batch size (a number, 'auto' or 'auto:N')",
    "^[a-z]{2,3}$": "is not an ISO 639 language code",
    "^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$": "is not a hub namespace (letters, digits, '.', '_' and '-')",
    "^[a-z0-9][a-z0-9._-]{0,150}\\.evidence\\.jsonl\\.gz$": "is not an evidence file name (lower-case, ending in .evidence.jsonl.gz)",
    "^[a-z0-9][a-z0-9._-]{0,150}\\.yaml$": "is not a run file name (lower-case, ending in .yaml)",
    "^[0-9a-f]{16}$": "is not a key id (16 lower-case hex digits)",
    "^[A-Za-z0-9+/]{43}=$": "is not an Ed25519 public key (base64 of 32 bytes)",
    "^[A-Za-z0-9+/]{86}==$": "is not an Ed25519 signature (base64 of 64 bytes)",
}
PATTERN_MEANINGS = {
    **{pattern + END: meaning for pattern, meaning in _MEANINGS.items()},
    SINGLE_LINE_PATTERN: "is not a single line without control characters",
    MULTI_LINE_PATTERN: "is not free of control characters (line breaks and tabs are allowed)",
}
TEXT_PATTERNS = {SINGLE_LINE_PATTERN: False, MULTI_LINE_PATTERN: True}
"""The text rule's patterns, and whether each allows line breaks: their messages name the character."""

_TYPE_NAMES = {
    "string": "text", "number": "a number", "integer": "a whole number",
    "boolean": "true or false", "object": "a mapping", "array": "a list", "null": "null",
}


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


def _double_quoted(text: str) -> str:
    """YAML's double-quoted form, which spells control characters as escapes."""
    out = []
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def show(value: Any) -> str:
    """A value as the contributor wrote it in YAML, cut short if long; always one line."""
    if isinstance(value, str):
        hidden = any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in value)
        text = _double_quoted(value) if hidden else "'" + value.replace("'", "''") + "'"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dict):
        return "a mapping"
    elif isinstance(value, list):
        return "a list"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _expected(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))


class SchemaChecker:
    """Validates parsed documents against one schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._fast = jsonschema_rs.validator_for(schema)

    @cached_property
    def _full(self) -> jsonschema.protocols.Validator:
        return jsonschema.Draft202012Validator(self.schema)

    def check(self, document: Document) -> list[tuple[Path, str]]:
        """(path, message) for each way the document breaks the schema; [] if valid."""
        if self._fast.is_valid(document.data):
            return []
        if self._restore_plain_texts(document) and self._fast.is_valid(document.data):
            return []
        problems = [found for error in self._full.iter_errors(document.data) for found in self._describe(error)]
        if not problems:  # the validators disagree: never let the more lenient one decide
            problems = [((), "breaks the schema in a way the detailed check cannot locate; please report this file")]
        return sorted(set(problems), key=lambda found: (document.line_of(found[0]), found))

    def _restore_plain_texts(self, document: Document) -> bool:
        """Give back the written text where the schema wants text but YAML made a number."""
        changed = False
        for error in self._full.iter_errors(document.data):
            for leaf in _leaves(error):
                path = tuple(leaf.absolute_path)
                if leaf.validator == "type" and "string" in _as_list(leaf.validator_value) and path in document.plain_texts:
                    _set(document.data, path, document.plain_texts[path])
                    changed = True
        return changed

    def _describe(self, error: jsonschema.ValidationError) -> Iterator[tuple[Path, str]]:
        path = tuple(error.absolute_path)
        kind, rule, value = error.validator, error.validator_value, error.instance
        if kind == "oneOf":
            yield from self._describe_one_of(error)
        elif kind == "required":
            missing = error.message.split("'")[1] if "'" in error.message else str(error.message)
            yield path, f"'{missing}' is required{self._condition(error)}"
        elif kind == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(set(value) - set(allowed)):
                if path[-1:] == ("model_args",):
                    yield (*path, key), f"{show(key)} {refusal(key)}"
                    continue
                hint = difflib.get_close_matches(key, allowed, n=1)
                yield (*path, key), "unknown field" + (f" (did you mean '{hint[0]}'?)" if hint else f"; allowed: {', '.join(allowed)}")
        elif kind == "propertyNames":
            for inner in error.context:
                yield (*path, inner.instance), f"{show(inner.instance)} {self._pattern_text(inner)}" if inner.validator == "pattern" else f"key {show(inner.instance)} is not allowed"
        elif kind == "type":
            yield path, f"{show(value)} is not {_expected(rule)}"
        elif kind == "enum":
            yield path, f"{show(value)} is not one of: {', '.join(show(option) for option in rule)}"
        elif kind == "const":
            yield path, f"must be {show(rule)}, not {show(value)}"
        elif kind == "pattern":
            yield path, f"{show(value)} {self._pattern_text(error)}"
        elif kind == "minimum":
            yield path, f"{show(value)} is below the minimum of {rule}"
        elif kind == "maximum":
            yield path, f"{show(value)} is above the maximum of {rule}"
        elif kind == "exclusiveMinimum":
            yield path, f"{show(value)} must be more than {rule}"
        elif kind == "exclusiveMaximum":
            yield path, f"{show(value)} must be less than {rule}"
        elif kind == "minLength":
            yield path, "must not be empty" if rule == 1 else f"must be at least {rule} characters long"
        elif kind == "maxLength":
            yield path, f"is {len(value)} characters long; at most {rule} are allowed"
        elif kind in ("minItems", "minProperties"):
            yield path, "must not be empty" if rule == 1 else f"needs at least {rule} entries"
        elif kind in ("maxItems", "maxProperties"):
            yield path, f"has {len(value)} entries; at most {rule} are allowed"
        elif kind == "uniqueItems":
            yield path, "lists the same item twice"
        elif kind == "not":
            yield path, error.schema.get("description", "is not allowed here") if isinstance(error.schema, dict) else "is not allowed here"
        else:  # a keyword we have no sentence for yet: keep jsonschema's, shortened
            yield path, error.message if len(error.message) <= 200 else error.message[:197] + "..."

    def _describe_one_of(self, error: jsonschema.ValidationError) -> Iterator[tuple[Path, str]]:
        """Alternatives told apart by a `kind` constant: report the chosen one's errors."""
        path = tuple(error.absolute_path)
        branches = error.validator_value
        kinds = [branch_schema(self.schema, b).get("properties", {}).get("kind", {}).get("const") for b in branches]
        chosen = error.instance.get("kind") if isinstance(error.instance, dict) else None
        if chosen not in kinds:
            allowed = " or ".join(show(k) for k in kinds)
            if isinstance(error.instance, dict) and "kind" in error.instance:
                yield (*path, "kind"), f"{show(chosen)} is not {allowed}"
            else:
                yield path, f"'kind' is required: {allowed}" if isinstance(error.instance, dict) else f"{show(error.instance)} is not a mapping"
            return
        index = kinds.index(chosen)
        for inner in error.context:
            if inner.relative_schema_path and inner.relative_schema_path[0] == index:
                yield from self._describe(inner)

    def _condition(self, error: jsonschema.ValidationError) -> str:
        """' for submitted runs', when the requirement comes from an if/then rule."""
        schema_path = list(error.schema_path)
        if "then" in schema_path:
            node: Any = self.schema
            for step in schema_path[: schema_path.index("then")]:
                node = node[step]
            note = node.get("description") if isinstance(node, dict) else None
            return f" {note}" if note else ""
        return ""

    @staticmethod
    def _pattern_text(error: jsonschema.ValidationError) -> str:
        if error.validator_value in TEXT_PATTERNS and isinstance(error.instance, str):
            why = control_character_problem(error.instance, multiline=TEXT_PATTERNS[error.validator_value])
            if why:
                return why
        return PATTERN_MEANINGS.get(error.validator_value, f"does not match {error.validator_value}")


def branch_schema(schema: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (`#/$defs/name`) to the schema it names."""
    ref = branch.get("$ref")
    if not ref:
        return branch
    node: Any = schema
    for step in ref.lstrip("#/").split("/"):
        node = node[step]
    return node


def _leaves(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    if error.context:
        for inner in error.context:
            yield from _leaves(inner)
    else:
        yield error


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def _set(data: Any, path: Path, value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value
