"""Ed25519 signatures over a verification record, with the `cryptography` package.

A signature covers the whole record as data, except the signature's own `value`:
`DOMAIN` followed by canonical JSON (sorted keys, no whitespace, UTF-8) of the record
with `signature: {key, algorithm}`. So any edit of any field (the verdict, a count,
`run_sha256`, which ties the record to the run's bytes, `evidence_sha256`, the key id)
breaks it, while comments, quoting and key order in the YAML do not matter. The domain
prefix keeps a signature made for anything else from ever verifying here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "ed25519"
DOMAIN = b"reproboard-verification-signature-v1\n"
SIGNATURE_FIELD = "signature"
MAX_KEY_FILE_BYTES = 16 * 1024


class SigningKeyError(Exception):
    """A private key file that cannot be used; the message never contains key material."""


def key_id(public_key: Ed25519PublicKey | bytes) -> str:
    """The key's id: the first 16 hex digits of sha256 over its 32 raw bytes.

    It only selects an entry of the allowed-signers list; the signature is then checked
    with that entry's full public key, so a key made to share an id gains nothing.
    """
    raw = public_key if isinstance(public_key, bytes) else public_raw(public_key)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_text(public_key: Ed25519PublicKey) -> str:
    """The public key as written in the allowed-signers list: base64 of its 32 raw bytes."""
    return base64.b64encode(public_raw(public_key)).decode("ascii")


def signed_bytes(record: dict[str, Any], signer_id: str) -> bytes:
    """What a signature by `signer_id` over `record` covers (see the module's docstring)."""
    content = {name: value for name, value in record.items() if name != SIGNATURE_FIELD}
    content[SIGNATURE_FIELD] = {"key": signer_id, "algorithm": ALGORITHM}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return DOMAIN + text.encode("utf-8")


def sign(record: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """`record` (any old signature dropped) with a `signature` by `private_key`, last."""
    signer_id = key_id(private_key.public_key())
    value = private_key.sign(signed_bytes(record, signer_id))
    unsigned = {name: item for name, item in record.items() if name != SIGNATURE_FIELD}
    return {**unsigned, SIGNATURE_FIELD: {"key": signer_id, "algorithm": ALGORITHM, "value": base64.b64encode(value).decode("ascii")}}


def signature_matches(record: dict[str, Any], public_key: bytes) -> bool:
    """True if `record["signature"]` is a valid signature over `record` by `public_key` (32 raw bytes)."""
    signature = record[SIGNATURE_FIELD]
    try:
        value = base64.b64decode(signature["value"], validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(value, signed_bytes(record, signature["key"]))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted: the form the spot-check workflow's secret holds."""
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a file: PKCS#8 PEM (`BEGIN PRIVATE KEY`), OpenSSH
    (`BEGIN OPENSSH PRIVATE KEY`, unencrypted), or its 32 raw bytes, as such or in base64."""
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise SigningKeyError(f"{path} is too large to be a private key")
        raw = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(f"cannot read the signing key {path}: {error.strerror}") from None
    key = _parse_private_key(raw)
    if key is None:
        raise SigningKeyError(f"{path} is not an unencrypted Ed25519 private key (PKCS#8 PEM, OpenSSH, or 32 raw bytes in base64)")
    return key


def _parse_private_key(raw: bytes) -> Ed25519PrivateKey | None:
    if len(raw) == 32:  # raw bytes: any byte may look like white space
        return Ed25519PrivateKey.from_private_bytes(raw)
    raw = raw.strip()
    try:
        if raw.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
            key: Any = serialization.load_ssh_private_key(raw, password=None)
        elif raw.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(raw, password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw, validate=True))
    except (ValueError, TypeError, UnsupportedAlgorithm, binascii.Error):
        return None  # the library's message may quote the file: say nothing of it
    return key if isinstance(key, Ed25519PrivateKey) else None
