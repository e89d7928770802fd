"""Signing keys for tests, and a way to (re-)sign the committed fixtures.

TEST_ONLY_KEY is derived from the public text below, so anyone can make it: it signs
the verification records committed under tests/ (site_fixture, example-files), and only
those fixtures' own `seeds/spotcheck-signers.yaml` trust it. The repository's real list
never does (tests/test_trust.py checks). Tests that need a key nobody else has make a
throwaway one with `Ed25519PrivateKey.generate()`.

Re-sign a fixture after editing it: .venv/bin/python tests/signing_keys.py FILE...
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from builder.load.strict_yaml import parse
from builder.trust.signing import key_id, public_text, sign

TEST_ONLY_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"reproboard TEST-ONLY signing key: public, never trusted outside tests").digest())
STRANGER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"reproboard test key that no signers list trusts").digest())


def signer_entry(key: Ed25519PrivateKey, *, who: str = "test runner", valid_from: str = "2024-01-01", **dates: str) -> dict[str, Any]:
    """An allowed-signers entry for `key`; `dates` adds valid_until, revoked_on, revocation_reason."""
    public = key.public_key()
    return {"id": key_id(public), "public_key": public_text(public), "who": who, "valid_from": valid_from, **dates}


def signers_text(*entries: dict[str, Any]) -> str:
    return yaml.safe_dump({"schema_version": 1, "signers": list(entries)}, sort_keys=False, allow_unicode=True)


def write_signers(root: Path, *entries: dict[str, Any]) -> Path:
    path = root / "seeds" / "spotcheck-signers.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(signers_text(*entries), encoding="utf-8")
    return path


def signed_text(text: str, key: Ed25519PrivateKey = TEST_ONLY_KEY) -> str:
    """`text` (a verification record) with its signature block replaced by one from `key`;
    the rest of the text is kept as written."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("signature:")), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\n")), len(lines))
    body = "".join(lines[:start] + lines[end:])
    signature = sign(parse(body).data, key)["signature"]
    block = yaml.safe_dump({"signature": signature}, sort_keys=False)
    return body + ("" if body.endswith("\n") else "\n") + block


def sign_file(path: Path, key: Ed25519PrivateKey = TEST_ONLY_KEY) -> None:
    path.write_text(signed_text(path.read_text(encoding="utf-8"), key), encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        sign_file(Path(name))
        print(f"signed {name} with the TEST-ONLY key {key_id(TEST_ONLY_KEY.public_key())}")
