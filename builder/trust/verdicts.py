"""Validate's rule for a verification record's signature: only the allowed signers say "verified"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from builder.problems import Severity
from builder.trust.signers import Finding, Signers
from builder.trust.signing import signature_matches


def signature_findings(data: dict[str, Any], signers: Signers) -> Iterator[Finding]:
    """Errors unless a key from `signers`, valid on the record's `checked_on`, signed exactly this record.

    `data` is schema-valid, so the signature has its key, algorithm and value.
    """
    key = data["signature"]["key"]
    if signers.broken:
        yield ("signature",), f"cannot be checked: the allowed signers ({signers.source}) have errors", Severity.ERROR
        return
    signer = signers.by_id.get(key)
    if signer is None:
        yield (("signature", "key"), f"'{key}' is not an allowed signer in {signers.source}: only the maintainers' "
               "spot-check runner signs verifications", Severity.ERROR)
        return
    try:
        checked_on = dt.date.fromisoformat(data["checked_on"])
    except ValueError:
        checked_on = None  # the date rule reports it
    refusal = signer.refusal(checked_on) if checked_on else None
    if refusal:
        yield ("signature", "key"), f"key '{key}' ({signer.who}) {refusal}", Severity.ERROR
    if not signature_matches(data, signer.public_key):
        yield (("signature", "value"), "does not match the record: a field was changed after the spot-check signed it "
               "(or the signature belongs to another record)", Severity.ERROR)
