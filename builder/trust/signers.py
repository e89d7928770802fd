"""The allowed-signers list: which public keys may sign a verification, and for which dates.

`seeds/spotcheck-signers.yaml` is in the maintainers' part of the repository. A pull
request may edit it, so CI validates pull requests against the base branch's copy
(`reproboard validate --signers FILE`); the copy in the pull request is then only
checked for its format.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from builder.problems import Severity
from builder.trust.signing import key_id

Finding = tuple[tuple[Any, ...], str, Severity]


@dataclass(frozen=True)
class Signer:
    id: str
    public_key: bytes
    """The 32 raw bytes of the Ed25519 public key."""
    who: str
    valid_from: dt.date
    valid_until: dt.date | None
    revoked_on: dt.date | None
    revocation_reason: str | None

    def refusal(self, checked_on: dt.date) -> str | None:
        """Why this key may not sign a check made on `checked_on`, or None."""
        if self.revoked_on is not None:
            # The signer writes checked_on: a leaked key can backdate, so no date is safe.
            return (f"was revoked on {self.revoked_on} ({self.revocation_reason}); every record it signed is refused, "
                    "whatever its date: spot-check the run again")
        if checked_on < self.valid_from:
            return f"is valid from {self.valid_from}, after this check's date {checked_on}"
        if self.valid_until is not None and checked_on > self.valid_until:
            return f"was valid until {self.valid_until}, before this check's date {checked_on}"
        return None


@dataclass(frozen=True)
class Signers:
    source: str
    """Where the list came from, as messages name it."""
    by_id: dict[str, Signer] = field(default_factory=dict)
    broken: bool = False
    """The list had errors: no signature can be trusted."""


def signers_from_data(data: dict[str, Any], source: str) -> Signers:
    """Build from schema-valid data that `signers_findings` found no error in."""
    return Signers(source, {
        entry["id"]: Signer(
            id=entry["id"], public_key=base64.b64decode(entry["public_key"]), who=entry["who"],
            valid_from=dt.date.fromisoformat(entry["valid_from"]),
            valid_until=_date_or_none(entry.get("valid_until")), revoked_on=_date_or_none(entry.get("revoked_on")),
            revocation_reason=entry.get("revocation_reason"),
        )
        for entry in data["signers"]
    })


def _date_or_none(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def signers_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """Rules the schema cannot say: ids that are their key's, real dates in order, no key twice."""
    seen_ids: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    for index, entry in enumerate(data["signers"]):
        at = ("signers", index)
        yield from _key_findings(entry, at)
        first = seen_ids.setdefault(entry["id"], index)
        if first != index:
            yield (*at, "id"), f"'{entry['id']}' is listed twice (first as signers[{first}])", Severity.ERROR
        first = seen_keys.setdefault(entry["public_key"], index)
        if first != index:
            yield (*at, "public_key"), f"this key is listed twice (first as signers[{first}])", Severity.ERROR
        days = {}
        for name in ("valid_from", "valid_until", "revoked_on"):
            if name in entry:
                try:
                    days[name] = dt.date.fromisoformat(entry[name])
                except ValueError:
                    yield (*at, name), f"'{entry[name]}' is not a real date", Severity.ERROR
        if "valid_from" in days and "valid_until" in days and days["valid_until"] < days["valid_from"]:
            yield (*at, "valid_until"), f"{entry['valid_until']} is before valid_from {entry['valid_from']}", Severity.ERROR
        if ("revoked_on" in entry) != ("revocation_reason" in entry):
            missing = "revocation_reason" if "revoked_on" in entry else "revoked_on"
            yield at, f"'{missing}' is required: a revocation has a date and a reason", Severity.ERROR


def _key_findings(entry: dict[str, Any], at: tuple[Any, ...]) -> Iterator[Finding]:
    raw = base64.b64decode(entry["public_key"])  # the schema's pattern: 32 bytes in base64
    if entry["id"] != key_id(raw):
        yield (*at, "id"), f"'{entry['id']}' is not this public key's id, which is '{key_id(raw)}'", Severity.ERROR
