"""The evidence bundle verifies, and any change to it is caught and named."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from anomaly_desk.report import build_case, make_bundle, verify_bundle
from anomaly_desk.report.bundle_verify import manifest_digest
from anomaly_desk.store import Workspace
from tests.report.conftest import Built


@pytest.fixture(scope="module")
def bundle(built: Built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    dest = tmp_path_factory.mktemp("bundle") / "evidence.zip"
    with Workspace.open(built.path) as ws:
        case = build_case(ws, list(built.triaged), title="Evidence for case 42")
        result = make_bundle(ws, case, dest)
    return dest, result.manifest_sha256


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(src: Path, dest: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    members = _members(src)
    change(members)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return dest


def test_a_fresh_bundle_verifies(bundle: tuple[Path, str], built: Built) -> None:
    path, digest = bundle
    check = verify_bundle(path, digest)
    assert check.ok, check.first_bad
    members = _members(path)
    assert {"manifest.json", "README.txt", "report/case.html", "report/case.pdf"} <= set(members)
    assert {f"data/anomaly-{i}.csv" for i in built.triaged} <= set(members)
    manifest = json.loads(members["manifest.json"])
    assert manifest["manifest_sha256"] == digest == manifest_digest(manifest)
    assert set(manifest["files"]) == set(members) - {"manifest.json"}
    with Workspace.open(built.path) as ws:
        head = ws.audit_head()
    assert head is not None and manifest["audit_head"] == {"seq": head.seq, "hash": head.hash}
    assert check.audit_head == head
    chain = members["audit/chain.jsonl"].decode().splitlines()
    assert len(chain) == head.seq and json.loads(chain[-1])["hash"] == head.hash
    extract = members[f"data/anomaly-{built.triaged[0]}.csv"].decode().splitlines()
    assert extract[0] == "timestamp,value,expected_low,expected_high,in_anomaly"
    assert any(line.endswith(",1") for line in extract[1:])


MEMBERS = [
    "README.txt",
    "audit/chain.jsonl",
    "report/case.html",
    "report/case.pdf",
    "data/anomaly-{0}.csv",
]


@pytest.mark.parametrize("name", MEMBERS)
def test_one_byte_changed_in_any_file_is_named(
    bundle: tuple[Path, str], built: Built, tmp_path: Path, name: str
) -> None:
    name = name.format(built.triaged[0])

    def flip(members: dict[str, bytes]) -> None:
        data = bytearray(members[name])
        data[len(data) // 2] ^= 0x01
        members[name] = bytes(data)

    check = verify_bundle(_rewrite(bundle[0], tmp_path / "b.zip", flip))
    assert check.first_bad is not None
    assert (check.first_bad.path, check.first_bad.reason) == (name, "changed")


def test_a_file_added_is_named(bundle: tuple[Path, str], tmp_path: Path) -> None:
    def add(members: dict[str, bytes]) -> None:
        members["data/extra.csv"] = b"timestamp,value\n"

    check = verify_bundle(_rewrite(bundle[0], tmp_path / "b.zip", add))
    assert check.first_bad is not None
    assert (check.first_bad.path, check.first_bad.reason) == ("data/extra.csv", "added")


def test_a_file_removed_is_named(bundle: tuple[Path, str], tmp_path: Path) -> None:
    check = verify_bundle(
        _rewrite(bundle[0], tmp_path / "b.zip", lambda m: m.pop("report/case.pdf"))
    )
    assert check.first_bad is not None
    assert (check.first_bad.path, check.first_bad.reason) == ("report/case.pdf", "missing")


def test_a_second_entry_of_one_name_is_caught(bundle: tuple[Path, str], tmp_path: Path) -> None:
    copy = tmp_path / "b.zip"
    copy.write_bytes(bundle[0].read_bytes())
    with zipfile.ZipFile(copy, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("report/case.html", b"<p>nothing happened</p>")
    check = verify_bundle(copy)
    assert check.first_bad is not None and check.first_bad.path == "report/case.html"


def test_the_manifest_edited_is_named(bundle: tuple[Path, str], tmp_path: Path) -> None:
    def edit(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["created_by"] = "someone else"
        members["manifest.json"] = json.dumps(manifest).encode()

    check = verify_bundle(_rewrite(bundle[0], tmp_path / "b.zip", edit))
    assert check.first_bad is not None
    assert (check.first_bad.path, check.first_bad.reason) == ("manifest.json", "manifest edited")


def test_a_manifest_rewritten_consistently_is_caught_only_by_the_recorded_hash(
    bundle: tuple[Path, str], tmp_path: Path
) -> None:
    """A forger who changes the report and re-hashes everything gets a bundle that agrees
    with itself; the manifest hash printed at export is what catches it."""
    import hashlib

    def forge(members: dict[str, bytes]) -> None:
        members["report/case.html"] = members["report/case.html"].replace(b"ann", b"eve")
        manifest = json.loads(members["manifest.json"])
        entry = manifest["files"]["report/case.html"]
        entry["sha256"] = hashlib.sha256(members["report/case.html"]).hexdigest()
        entry["size"] = len(members["report/case.html"])
        manifest["manifest_sha256"] = manifest_digest(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    forged = _rewrite(bundle[0], tmp_path / "b.zip", forge)
    assert verify_bundle(forged).ok
    check = verify_bundle(forged, bundle[1])
    assert check.first_bad is not None
    assert (check.first_bad.path, check.first_bad.reason) == ("manifest.json", "manifest replaced")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "evidence.zip"
    path.write_bytes(b"not a zip at all")
    check = verify_bundle(path)
    assert check.first_bad is not None and check.first_bad.reason == "unreadable"
