"""check-bag on hostile bags: links, special files, huge tag files and manifests, hostile names, deep trees.

A bag comes from outside; checking it must never read beyond it, block, or grow without bound. The
checks that could hang or exhaust memory on a regression run in a child process with a time limit
and a cap on its address space, so that they fail instead of stalling the suite.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from cli_runner import run
from deep_tree import make_chain, remove_chain

from provcat.export.bag import export_bag
from provcat.export.bagcheck import (
    LINE_LIMIT,
    TAG_FILE_LIMIT,
    BagProblem,
    check_bag,
    check_fixity,
    read_manifests,
    scan_bag,
)

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "data/documents/000_5b55b6d9b2e6ebeb.txt"
SECRET = "Secret-Outside-The-Bag: 4f1c9e"

CHILD = ("import json, sys; from pathlib import Path; from provcat.export.bagcheck import check_bag; "
         "print(json.dumps([p.as_dict() for p in check_bag(Path(sys.argv[1]))]))")


@pytest.fixture
def bag(seeds_catalogue: Path, tmp_path: Path) -> Path:
    return export_bag(seeds_catalogue, tmp_path / "bag", ROOT / "seeds", ROOT / "metadata")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the bag, not part of it, that check-bag must never read."""
    path = tmp_path / "outside.txt"
    path.write_text(f"{SECRET}\n{'0' * 64}  data/outside.txt\nnot a tag line\n")
    return path


def _memory_cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def check_in_child(bag: Path, timeout: float = 30) -> list[BagProblem]:
    """check_bag in a child process limited to ``timeout`` seconds and 1 GiB of address space."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(bag)], capture_output=True, text=True,
                            timeout=timeout, preexec_fn=_memory_cap)
    assert result.returncode == 0, result.stderr[-2000:]
    return [BagProblem(**p) for p in json.loads(result.stdout)]


def by_path(problems: list[BagProblem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in problems:
        found.setdefault(p.path, []).append(p.problem)
    return found


def never_read(problems: list[BagProblem]) -> None:
    assert not any("Secret" in p.problem or "outside" in p.path for p in problems), problems


# ---------------------------------------------------------------------------------------------
# Symbolic links: reported where they stand, never followed
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha512.txt"])
def test_a_linked_tag_file_or_manifest_is_not_followed(bag: Path, outside: Path, name: str) -> None:
    (bag / name).unlink()
    (bag / name).symlink_to(outside)
    problems = check_bag(bag)
    assert "is a symbolic link: not followed" in by_path(problems)[name]
    never_read(problems)


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_linked_payload_file_is_not_followed(bag: Path, outside: Path, target: str) -> None:
    article = bag / ARTICLE
    if target == "inside":  # the same bytes, elsewhere in the bag: still a link, still refused
        article.rename(bag / "copy.txt")
        article.symlink_to(Path("../..") / "copy.txt")
    else:
        article.unlink()
        article.symlink_to(outside)
    problems = check_bag(bag)
    assert by_path(problems)[ARTICLE] == ["is a symbolic link: not followed"]
    never_read(problems)


def test_a_manifest_linked_to_dev_zero_is_refused_at_once(bag: Path) -> None:
    (bag / "manifest-sha512.txt").unlink()
    (bag / "manifest-sha512.txt").symlink_to("/dev/zero")
    problems = check_in_child(bag, timeout=20)
    assert "is a symbolic link: not followed" in by_path(problems)["manifest-sha512.txt"]


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_linked_data_folder_is_not_walked(bag: Path, tmp_path: Path, target: str) -> None:
    elsewhere = bag / "stash" if target == "inside" else tmp_path / "elsewhere"
    (bag / "data").rename(elsewhere)
    (bag / "data").symlink_to(elsewhere)
    problems = check_bag(bag)
    assert by_path(problems)["data"] == ["is a symbolic link: not followed"]
    assert not any(p.path.startswith("data/") for p in problems), problems


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_linked_folder_inside_data_is_not_walked(bag: Path, tmp_path: Path, target: str) -> None:
    elsewhere = bag / "stash" if target == "inside" else tmp_path / "elsewhere"
    (bag / "data" / "metadata").rename(elsewhere)
    (bag / "data" / "metadata").symlink_to(elsewhere)
    problems = check_bag(bag)
    assert by_path(problems)["data/metadata"] == ["is a symbolic link: not followed"]
    assert not any(p.path.startswith("data/metadata/") for p in problems), problems
    assert bag.joinpath(ARTICLE).is_file() and ARTICLE not in by_path(problems)  # the rest is still checked


def test_a_folder_swapped_for_a_link_after_the_walk_is_not_read(bag: Path, tmp_path: Path) -> None:
    root = os.open(bag, os.O_RDONLY | os.O_DIRECTORY)
    try:
        problems: list[BagProblem] = []
        contents = scan_bag(root, problems)
        manifests = read_manifests(contents, "manifest-", problems)
        assert problems == []
        elsewhere = tmp_path / "elsewhere"  # the same names and bytes, but other files, outside the bag
        shutil.copytree(bag / "data" / "metadata", elsewhere)
        shutil.rmtree(bag / "data" / "metadata")
        (bag / "data" / "metadata").symlink_to(elsewhere)
        check_fixity(contents, manifests.digests, problems)
    finally:
        os.close(root)
    swapped = by_path(problems)
    assert swapped and all(path.startswith("data/metadata/") for path in swapped)
    assert all(found == ["cannot be read: changed while the bag was being checked"] for found in swapped.values())


# ---------------------------------------------------------------------------------------------
# Special files: reported, never opened in a way that blocks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bag-info.txt", "manifest-sha256.txt", ARTICLE])
def test_a_fifo_is_reported_without_blocking(bag: Path, name: str) -> None:
    (bag / name).unlink()
    os.mkfifo(bag / name)
    problems = check_in_child(bag, timeout=20)
    assert "is not a regular file: not read" in by_path(problems)[name]


# ---------------------------------------------------------------------------------------------
# Bounded reads
# ---------------------------------------------------------------------------------------------


def test_a_huge_bag_info_is_not_read(bag: Path) -> None:
    info = bag / "bag-info.txt"
    info.write_bytes(info.read_bytes() + b"X-Padding: " + b"a" * 2_000_000 + b"\n")
    size = info.stat().st_size
    problems = by_path(check_bag(bag))
    assert f"is {size} bytes, more than the {TAG_FILE_LIMIT} a tag file may have: not read" in problems["bag-info.txt"]
    assert all(len(p) < 400 for p in problems["bag-info.txt"])


def test_a_manifest_of_nul_bytes_is_streamed(bag: Path) -> None:
    manifest = bag / "manifest-sha256.txt"
    with manifest.open("r+b") as stream:
        stream.truncate(0)
        stream.truncate(50_000_000)  # 50 MB of NUL bytes, no line break
    tracemalloc.start()
    try:
        problems = by_path(check_bag(bag))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"line 1 is longer than {LINE_LIMIT} characters: not read" in problems["manifest-sha256.txt"]
    assert peak < 8_000_000, f"peak {peak} bytes for a 50 MB manifest"


def test_a_long_manifest_line_is_skipped_and_the_next_ones_read(bag: Path) -> None:
    manifest = bag / "manifest-sha256.txt"
    manifest.write_bytes(b"a" * (LINE_LIMIT + 10) + b"\r\n" + b"0" * 64 + b"  data/../escape\n" + manifest.read_bytes())
    problems = by_path(check_bag(bag))
    assert f"line 1 is longer than {LINE_LIMIT} characters: not read" in problems["manifest-sha256.txt"]
    assert any("unsafe path" in p for p in problems["data/../escape"])
    assert ARTICLE not in problems  # the lines after it are read


# ---------------------------------------------------------------------------------------------
# Hostile names: one line per problem
# ---------------------------------------------------------------------------------------------


def test_a_hostile_file_name_cannot_forge_output(bag: Path) -> None:
    name = "evil\n\x1b[1Ainvalid    forged.txt\r"
    (bag / "data" / "documents" / name).write_text("smuggled")
    problems = check_bag(bag)
    code, out, _ = run(["export", "check-bag", str(bag)], bag.parent)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(problems) + 1 and "\x1b" not in out and "\r" not in out
    assert any(line.startswith("invalid    data/documents/evil\\n\\x1b[1Ainvalid") for line in lines), lines
    code, out, _ = run(["export", "check-bag", str(bag), "--json"], bag.parent)
    assert f"data/documents/{name}" in {p["path"] for p in json.loads(out)["problems"]}


# ---------------------------------------------------------------------------------------------
# Deep trees: walked without recursion
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1500, 3000])
def test_a_deep_tree_is_walked_without_recursion(bag: Path, depth: int) -> None:
    make_chain(bag / "data", depth)
    try:
        problems = by_path(check_bag(bag))
    finally:
        remove_chain(bag / "data", depth)
    if depth == 1500:  # within the system's path length: walked to the bottom
        bottom = "data/" + "d/" * depth + "bottom.txt"
        assert all("not listed in manifest" in p for p in problems[bottom])
    else:  # deeper than a path can name: reported, so the bag is not valid
        assert any("File name too long" in p for path, found in problems.items() for p in found
                   if path.startswith("data/d/"))
