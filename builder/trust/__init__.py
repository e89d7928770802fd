"""Who may say "verified": Ed25519 signatures on spot-check verdicts, and the allowed signers.

Anyone can write a `<run-id>.verification.yaml` with `verdict: pass`; only a record
signed by a key in the maintainers' allowed-signers list (`seeds/spotcheck-signers.yaml`,
or the base branch's copy given with `reproboard validate --signers`) passes validation.

- signing.py: the bytes a signature covers, key files, sign and verify;
- signers.py: the allowed-signers list and when each key may sign;
- verdicts.py: validate's findings about a verification record's signature.
"""
