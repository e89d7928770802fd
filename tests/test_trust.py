"""Signed verdicts (builder/trust): only a record that an allowed signer signed, unchanged, says "verified"."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from example_repo import EXAMPLES, make_repo
from signing_keys import STRANGER_KEY, TEST_ONLY_KEY, signed_text, signer_entry, signers_text, write_signers

from builder.board.aggregate import build_board
from builder.check.validate import validate
from builder.cli import cli
from builder.load.strict_yaml import parse
from builder.trust.signers import Signer
from builder.trust.signing import SigningKeyError, key_id, load_private_key, private_key_pem, sign, signature_matches, signed_bytes

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 28)
RECORD = "results/Qwen/Qwen2-7B/2024-06-10-alice.verification.yaml"
SIGNED_CASE = EXAMPLES / "positive" / "verification-signed"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def repo(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    """The example repository with a pass verification of its submitted run, signed by `key`, which it trusts."""
    root = make_repo(tmp_path / "repo", SIGNED_CASE)
    write_signers(root, signer_entry(key, valid_from="2024-06-01"))
    (root / RECORD).write_text(signed_text((root / RECORD).read_text(), key))
    return root


def _errors(root: Path, signers: Path | None = None) -> list[str]:
    return [str(p) for p in validate(root, today=TODAY, signers=signers).errors]


def _record(root: Path) -> dict:
    return parse((root / RECORD).read_text()).data


def test_a_signed_record_validates_and_its_run_is_verified(repo: Path) -> None:
    report = validate(repo, today=TODAY)
    assert report.problems == []
    board = build_board(report.parsed, report.registry)
    assert {run.path: run.status for run in board.runs}["results/Qwen/Qwen2-7B/2024-06-10-alice.yaml"] == "verified"


@pytest.mark.parametrize(("old", "new"), [
    ("    verdict: pass\nverdict: pass", "    verdict: pass\nverdict: fail"),
    ("documents_checked: 300", "documents_checked: 301"),
    ("run_sha256: 8052", "run_sha256: 9052"),
    ("evidence_sha256: 792d", "evidence_sha256: 892d"),
    ('checked_on: "2024-06-20"', 'checked_on: "2024-06-21"'),
    ("tolerance: 0.25", "tolerance: 0.5"),
    ("summary: \"pass: all", "summary: \"Pass: all"),
])
def test_an_edit_of_any_field_after_signing_is_refused(repo: Path, old: str, new: str) -> None:
    path = repo / RECORD
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    messages = _errors(repo)
    assert any(m.startswith(f"{RECORD}:") and "$.signature.value: does not match the record" in m for m in messages), messages


def test_a_signed_fail_turned_into_a_pass_is_refused(repo: Path, key: Ed25519PrivateKey) -> None:
    path = repo / RECORD
    failed = path.read_text().replace("documents_agreeing: 300", "documents_agreeing: 290").replace("verdict: pass", "verdict: fail")
    path.write_text(signed_text(failed, key))
    assert _errors(repo) == []
    path.write_text(path.read_text().replace("documents_agreeing: 290", "documents_agreeing: 300").replace("verdict: fail", "verdict: pass"))
    assert _errors(repo) == [f"{RECORD}:25: $.signature.value: does not match the record: a field was changed after the spot-check "
                             "signed it (or the signature belongs to another record)"]
    report = validate(repo, today=TODAY)
    board = build_board(report.parsed, report.registry)
    assert {run.status for run in board.runs if run.path.endswith("alice.yaml")} == {"submitted"}


def test_comments_quoting_and_key_order_do_not_change_what_is_signed(repo: Path) -> None:
    path = repo / RECORD
    lines = path.read_text().splitlines(keepends=True)
    summary = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    moved = ["# checked on the GPU runner\n", lines[summary], *lines[:summary], *lines[summary + 1:]]
    path.write_text("".join(moved).replace('checked_on: "2024-06-20"', "checked_on: '2024-06-20'"))
    assert _errors(repo) == []


def test_a_signature_copied_onto_another_record_is_refused(repo: Path, key: Ed25519PrivateKey) -> None:
    record = _record(repo)
    other = sign({**record, "seed": {"value": "4" * 64, "derived_from": "another check"}}, key)
    assert signature_matches(other, key.public_key().public_bytes_raw())
    assert not signature_matches({**record, "signature": other["signature"]}, key.public_key().public_bytes_raw())


def test_the_signed_bytes_are_canonical_json_after_a_domain_prefix() -> None:
    content = signed_bytes({"verdict": "pass", "b": [1, 2.5], "a": "é", "signature": {"value": "x"}}, "0123456789abcdef")
    assert content == ('reproboard-verification-signature-v1\n{"a":"é","b":[1,2.5],'
                       '"signature":{"algorithm":"ed25519","key":"0123456789abcdef"},"verdict":"pass"}').encode()


def test_a_record_signed_by_a_key_outside_the_list_is_refused(repo: Path) -> None:
    path = repo / RECORD
    path.write_text(signed_text(path.read_text(), STRANGER_KEY))
    assert _errors(repo) == [f"{RECORD}:23: $.signature.key: '{key_id(STRANGER_KEY.public_key())}' is not an allowed signer in "
                             "seeds/spotcheck-signers.yaml: only the maintainers' spot-check runner signs verifications"]


@pytest.mark.parametrize(("dates", "why"), [
    ({"valid_from": "2024-06-21"}, "is valid from 2024-06-21, after this check's date 2024-06-20"),
    ({"valid_from": "2024-01-01", "valid_until": "2024-06-19"}, "was valid until 2024-06-19, before this check's date 2024-06-20"),
    ({"valid_from": "2024-01-01", "revoked_on": "2025-01-01", "revocation_reason": "leaked"},
     "was revoked on 2025-01-01 (leaked); every record it signed is refused, whatever its date: spot-check the run again"),
])
def test_a_key_outside_its_dates_or_revoked_is_refused(repo: Path, key: Ed25519PrivateKey, dates: dict[str, str], why: str) -> None:
    write_signers(repo, signer_entry(key, who="runner 1", **dates))
    assert _errors(repo) == [f"{RECORD}:23: $.signature.key: key '{key_id(key.public_key())}' (runner 1) {why}"]


def test_a_key_signs_on_the_first_and_the_last_day_of_its_window(key: Ed25519PrivateKey) -> None:
    signer = Signer("x", b"", "w", dt.date(2025, 1, 1), dt.date(2025, 6, 30), None, None)
    assert [signer.refusal(dt.date(2025, m, d)) is None for m, d in ((1, 1), (6, 30), (7, 1))] == [True, True, False]


def test_after_rotation_old_records_stay_valid_and_new_ones_need_the_new_key(repo: Path, key: Ed25519PrivateKey) -> None:
    new = Ed25519PrivateKey.generate()
    write_signers(repo, signer_entry(key, valid_from="2024-01-01", valid_until="2024-12-31"), signer_entry(new, valid_from="2025-01-01"))
    assert _errors(repo) == []  # checked on 2024-06-20, inside the old key's window
    path = repo / RECORD
    path.write_text(signed_text(path.read_text().replace('checked_on: "2024-06-20"', 'checked_on: "2025-02-01"'), key))
    assert len(_errors(repo)) == 1 and "was valid until 2024-12-31" in _errors(repo)[0]
    path.write_text(signed_text(path.read_text(), new))
    assert _errors(repo) == []


def test_a_pull_request_that_trusts_its_own_key_is_refused_against_the_base_signers(repo: Path, key: Ed25519PrivateKey, tmp_path: Path) -> None:
    base_signers = tmp_path / "base-signers.yaml"
    base_signers.write_text(signers_text(signer_entry(key, valid_from="2024-01-01")))
    attacker = Ed25519PrivateKey.generate()
    write_signers(repo, signer_entry(key, valid_from="2024-01-01"), signer_entry(attacker, who="me", valid_from="2024-01-01"))
    path = repo / RECORD
    path.write_text(signed_text(path.read_text(), attacker))
    assert _errors(repo) == []  # trusting the pull request's own list is exactly the hole
    assert _errors(repo, signers=base_signers) == [
        f"{RECORD}:23: $.signature.key: '{key_id(attacker.public_key())}' is not an allowed signer in {base_signers.as_posix()}: "
        "only the maintainers' spot-check runner signs verifications"]


def test_problems_of_the_trusted_list_are_reported_whatever_is_selected(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "base-signers.yaml"
    broken.write_text("schema_version: 1\nsigners:\n  - id: nope\n")
    report = validate(repo, ["results/Qwen"], today=TODAY, signers=broken)
    assert [str(p) for p in report.errors] == [
        f"{broken.as_posix()}:3: $.signers[0]: 'public_key' is required",
        f"{broken.as_posix()}:3: $.signers[0]: 'valid_from' is required",
        f"{broken.as_posix()}:3: $.signers[0]: 'who' is required",
        f"{broken.as_posix()}:3: $.signers[0].id: 'nope' is not a key id (16 lower-case hex digits)",
        f"{RECORD}:22: $.signature: cannot be checked: the allowed signers ({broken.as_posix()}) have errors",
    ]


def test_without_a_signers_list_nothing_is_verified(repo: Path) -> None:
    (repo / "seeds" / "spotcheck-signers.yaml").unlink()
    assert len(_errors(repo)) == 1 and "is not an allowed signer in seeds/spotcheck-signers.yaml" in _errors(repo)[0]


def test_the_signers_list_is_checked_entry_by_entry(repo: Path, key: Ed25519PrivateKey) -> None:
    good, other = signer_entry(key, valid_from="2024-01-01"), signer_entry(STRANGER_KEY, valid_from="2024-01-01")
    entries = [{**good, "id": "0123456789abcdef"}, good, {**other, "valid_until": "2023-12-31"}, {**other, "revoked_on": "2024-02-30"}]
    (repo / "seeds" / "spotcheck-signers.yaml").write_text(signers_text(*entries))
    stranger = key_id(STRANGER_KEY.public_key())
    assert [str(p) for p in validate(repo, ["seeds/spotcheck-signers.yaml"], today=TODAY).problems] == [
        f"seeds/spotcheck-signers.yaml:3: $.signers[0].id: '0123456789abcdef' is not this public key's id, which is '{key_id(key.public_key())}'",
        "seeds/spotcheck-signers.yaml:8: $.signers[1].public_key: this key is listed twice (first as signers[0])",
        "seeds/spotcheck-signers.yaml:15: $.signers[2].valid_until: 2023-12-31 is before valid_from 2024-01-01",
        "seeds/spotcheck-signers.yaml:16: $.signers[3]: 'revocation_reason' is required: a revocation has a date and a reason",
        f"seeds/spotcheck-signers.yaml:16: $.signers[3].id: '{stranger}' is listed twice (first as signers[2])",
        "seeds/spotcheck-signers.yaml:17: $.signers[3].public_key: this key is listed twice (first as signers[2])",
        "seeds/spotcheck-signers.yaml:20: $.signers[3].revoked_on: '2024-02-30' is not a real date",
    ]
    assert "cannot be checked: the allowed signers (seeds/spotcheck-signers.yaml) have errors" in _errors(repo)[0]


def test_the_repository_never_trusts_a_test_key() -> None:
    data = parse((REPO / "seeds" / "spotcheck-signers.yaml").read_text()).data
    test_keys = {signer_entry(k)["public_key"] for k in (TEST_ONLY_KEY, STRANGER_KEY)}
    assert data["schema_version"] == 1 and not test_keys & {entry["public_key"] for entry in data["signers"]}
    assert validate(REPO, ["seeds/spotcheck-signers.yaml"]).problems == []
    for fixture in (REPO / "tests").rglob("spotcheck-signers.yaml"):
        assert fixture.read_text().startswith("# TEST-ONLY"), fixture


@pytest.mark.parametrize("form", ["pkcs8", "openssh", "raw", "base64"])
def test_a_private_key_loads_from_pem_openssh_raw_or_base64(tmp_path: Path, key: Ed25519PrivateKey, form: str) -> None:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    content = {
        "pkcs8": private_key_pem(key),
        "openssh": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()),
        "raw": raw,
        "base64": base64.b64encode(raw) + b"\n",
    }[form]
    (tmp_path / "k").write_bytes(content)
    assert key_id(load_private_key(tmp_path / "k").public_key()) == key_id(key.public_key())


def test_a_file_that_is_not_an_ed25519_key_is_refused_without_quoting_it(tmp_path: Path) -> None:
    rsa = generate_private_key(public_exponent=65537, key_size=1024)
    for name, content in [("rsa", rsa.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
                          ("text", b"secret-token-123\n")]:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(SigningKeyError) as refused:
            load_private_key(tmp_path / name)
        assert str(refused.value) == f"{tmp_path / name} is not an unencrypted Ed25519 private key (PKCS#8 PEM, OpenSSH, or 32 raw bytes in base64)"


def test_spotcheck_refuses_a_bad_signing_key_before_re_running(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    result = invoke("spotcheck", str(root / "results/Qwen/Qwen2-7B/2024-06-10-alice.yaml"), "--seed-from", "x", "--signing-key", str(bad))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad} is not an unencrypted Ed25519 private key (PKCS#8 PEM, OpenSSH, or 32 raw bytes in base64)\n"
    assert not list(root.rglob("*.verification.yaml"))


def test_spotcheck_takes_the_signing_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path / "repo")
    missing = tmp_path / "no-such.key"
    monkeypatch.setenv("REPROBOARD_SIGNING_KEY_FILE", str(missing))
    result = invoke("spotcheck", str(root / "results/Qwen/Qwen2-7B/2024-06-10-alice.yaml"), "--seed-from", "x")
    assert result.exit_code == 2 and "--signing-key" in result.stderr and "does not exist" in result.stderr


def test_new_key_writes_a_private_key_only_its_owner_reads_and_prints_the_entry(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "runner.key"
    result = invoke("signers", "new-key", "--out", str(out), "--who", "spot-check workflow", "--valid-from", "2024-06-01")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = load_private_key(out)
    entry = yaml.safe_load(result.stdout)[0]
    assert entry == signer_entry(key, who="spot-check workflow", valid_from="2024-06-01")
    (repo / "seeds" / "spotcheck-signers.yaml").write_text("schema_version: 1\nsigners:\n" + result.stdout)
    (repo / RECORD).write_text(signed_text((repo / RECORD).read_text(), key))
    assert _errors(repo) == []
    again = invoke("signers", "new-key", "--out", str(out), "--who", "x")
    assert (again.exit_code, again.stderr) == (1, f"Error: cannot create {out}: File exists\n")
    assert key_id(load_private_key(out).public_key()) == entry["id"]


def test_validate_refuses_a_hand_written_record_and_passes_a_signed_one_on_the_command_line(tmp_path: Path) -> None:
    signed = make_repo(tmp_path / "signed", SIGNED_CASE)
    result = invoke("validate", "--root", str(signed), "--signers", str(SIGNED_CASE / "seeds" / "spotcheck-signers.yaml"))
    assert (result.exit_code, result.stdout) == (0, "") and result.stderr.endswith(" files checked: 0 errors, 0 warnings\n")
    forged = make_repo(tmp_path / "forged", EXAMPLES / "negative" / "verification-unsigned")
    result = invoke("validate", "--root", str(forged))
    assert (result.exit_code, result.stdout) == (1, f"{RECORD}:1: $: 'signature' is required\n")


def test_the_committed_fixtures_carry_current_test_signatures() -> None:
    """Re-signing a committed record changes nothing: the fixtures match their data."""
    for path in [*EXAMPLES.rglob("*.verification.yaml"), *(REPO / "tests" / "site_fixture").rglob("*.verification.yaml")]:
        text = path.read_text()
        if "signature:" in text and "edited-after-signing" not in str(path) and "unknown-key" not in str(path):
            assert signed_text(text, TEST_ONLY_KEY) == text, f"{path}: re-sign it with tests/signing_keys.py"


def test_a_tampered_record_stops_the_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "site_fixture", root)
    record = next(root.rglob("*.verification.yaml"))
    record.write_text(record.read_text().replace("documents_checked: 50", "documents_checked: 60"))
    result = invoke("build", "--root", str(root), "--config", str(REPO / "mkdocs.yml"), "--site-dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "$.signature.value: does not match the record" in result.stdout
    assert not (tmp_path / "out").exists()


def test_the_key_id_is_the_start_of_sha256_over_the_raw_public_key(key: Ed25519PrivateKey) -> None:
    raw = key.public_key().public_bytes_raw()
    assert key_id(key.public_key()) == hashlib.sha256(raw).hexdigest()[:16] == key_id(raw)
