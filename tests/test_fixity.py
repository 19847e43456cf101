import hashlib
from pathlib import Path

from provcat.fixity import digest_bytes, digest_file, manifest_lines, manifest_sha256


def test_digest_file_streams_and_matches_hashlib(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # larger than one read block
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    digests = digest_file(path)
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.sha512 == hashlib.sha512(data).hexdigest()
    assert digests.size_bytes == len(data)
    assert digests == digest_bytes(data)


def test_digest_file_sha256_only_skips_sha512(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    digests = digest_file(path, ("sha256",))
    assert digests.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert digests.sha512 == ""


def test_manifest_is_sorted_sha256sum_format() -> None:
    entries = [("b.txt", "22"), ("a.txt", "11")]
    assert manifest_lines(entries) == "11  a.txt\n22  b.txt\n"
    assert manifest_sha256(entries) == hashlib.sha256(b"11  a.txt\n22  b.txt\n").hexdigest()
    assert manifest_sha256(reversed(entries)) == manifest_sha256(entries)
