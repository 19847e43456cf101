"""The cost of format identification (Siegfried, through pygfried) against hashing, in one run.

Two generated archives of files the catalogue does not read as text: many small files of five
kinds (PNG, PDF, HTML, ZIP and bytes of no known format, about 3 KB each), and a few large ones (a
PDF, random bytes named ``.bin`` and ``.mp4``, a text file larger than the 64 MiB read as one
document). On the same files, in this process, warm page cache, median of ``--runs``:

- **hash**: SHA-256 and SHA-512 of each file, streamed, as a build hashes a file it does not read;
- **identify**: Siegfried on each file, 64 files a call, as a build does;
- **hash + identify**: both, as a build does them, one after the other.

Then, as commands: ``provcat build`` of the small files with identification (as shipped) and with
identification replaced by a stub that asks Siegfried nothing (``python bench/identification.py
build-without-identification ...``, the same build otherwise), and ``provcat verify`` of the
catalogue built, which only hashes. With ``--before DIR`` (a checkout of an earlier revision, run
with this virtual environment) ``provcat verify`` of an archive of small documents (a generated
catalogue, bench/generated_catalogue.py) is timed with that revision and with this one, side by side.

Usage:  .venv/bin/python bench/identification.py --workdir DIR [--small 10000] [--large 4 --large-mb 256]
        [--runs 3] [--build-runs 3] [--before DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sqlite3
import statistics
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from corpus import small_documents
from generated_catalogue import generated_archive
from timing import PROVCAT, PYTHON, ROOT, Command, machine, measure, table

sys.path.insert(0, str(ROOT / "catalogue"))

from provcat import identify  # noqa: E402
from provcat.fixity import digest_file  # noqa: E402

HERE = Path(__file__).resolve().parent
CHUNK = 64  # files a call to Siegfried, as provcat.build.IDENTIFY_FILES


# ---------------------------------------------------------------------------------------------
# The archives
# ---------------------------------------------------------------------------------------------


def _png(rng: random.Random, size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    side = 30
    raw = b"".join(b"\x00" + rng.randbytes(side) for _ in range(side))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw))
    padding = max(0, size - len(body) - 20)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"tEXt", b"Comment\x00" + b"x" * padding) + chunk(b"IEND", b"")


def _pdf(rng: random.Random, size: int) -> bytes:
    text = " ".join(rng.choice(("harbour", "ferry", "council", "report", "bridge")) for _ in range(size // 8))
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    head = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] "
            b"/Count 0 >>\nendobj\n3 0 obj\n")
    return head + f"<< /Length {len(stream)} >>\nstream\n".encode() + stream \
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _html(rng: random.Random, size: int) -> bytes:
    words = " ".join(rng.choice(("harbour", "ferry", "council", "said", "reopen")) for _ in range(size // 7))
    return f"<!DOCTYPE html>\n<html><head><title>Notice</title></head><body><p>{words}</p></body></html>\n".encode()


def _zip(rng: random.Random, size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("notice.txt", rng.randbytes(size))
    return buffer.getvalue()


KINDS: list[tuple[str, Callable[[random.Random, int], bytes]]] = [
    (".png", _png), (".pdf", _pdf), (".html", _html), (".zip", _zip), ("", lambda rng, size: rng.randbytes(size))]


def small_files(root: Path, count: int, size: int = 3000) -> Path:
    """``count`` files of the five kinds in turn, 1,000 a folder (made once, kept in the work folder)."""
    archive = root / f"small-files-{count}"
    if (archive / ".complete").is_file():
        return archive
    shutil.rmtree(archive, ignore_errors=True)
    for n in range(count):
        suffix, make = KINDS[n % len(KINDS)]
        target = archive / f"batch-{n // 1000:04d}" / f"file-{n:06d}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(make(random.Random(n), size))
    (archive / ".complete").write_text("")  # hidden: not part of the archive
    return archive


def large_files(root: Path, count: int, megabytes: int) -> Path:
    """``count`` large files: a PDF, random bytes as .bin and .mp4, a text file, in turn."""
    archive = root / f"large-files-{count}x{megabytes}"
    if (archive / ".complete").is_file():
        return archive
    shutil.rmtree(archive, ignore_errors=True)
    archive.mkdir(parents=True)
    size = megabytes * 1_000_000
    for n in range(count):
        kind = n % 4
        name = ("big-{}.pdf", "big-{}.bin", "big-{}.mp4", "big-{}.txt")[kind].format(n)
        with open(archive / name, "wb") as out:
            if kind == 0:
                out.write(b"%PDF-1.4\n")
            written = 0
            while written < size:
                block = os.urandom(1 << 20) if kind != 3 else b"The harbour master said the ferry ran.\n" * 26000
                out.write(block)
                written += len(block)
            if kind == 0:
                out.write(b"\n%%EOF\n")
    (archive / ".complete").write_text("")
    return archive


def files_of(archive: Path) -> list[str]:
    return sorted(str(p) for p in archive.rglob("*") if p.is_file() and not p.name.startswith("."))


# ---------------------------------------------------------------------------------------------
# In process: hashing against identification
# ---------------------------------------------------------------------------------------------


def hash_all(paths: list[str]) -> None:
    buffer = bytearray(1 << 20)
    for path in paths:
        digest_file(Path(path), buffer=buffer)


def identify_all(paths: list[str]) -> None:
    for start in range(0, len(paths), CHUNK):
        identify.identify_files(paths[start:start + CHUNK])


def both(paths: list[str]) -> None:
    buffer = bytearray(1 << 20)
    for start in range(0, len(paths), CHUNK):
        chunk = paths[start:start + CHUNK]
        for path in chunk:
            digest_file(Path(path), buffer=buffer)
        identify.identify_files(chunk)


def in_process(name: str, paths: list[str], runs: int) -> list[list[str]]:
    total = sum(os.path.getsize(p) for p in paths)
    hash_all(paths)  # warm the page cache, and Siegfried
    identify_all(paths[:CHUNK])
    rows = []
    for label, work in (("hash (SHA-256 + SHA-512)", hash_all), ("identify (Siegfried)", identify_all),
                        ("hash + identify, as a build", both)):
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            work(paths)
            seconds.append(time.perf_counter() - start)
        median = statistics.median(seconds)
        rows.append([name, label, f"{median:.2f}", f"{len(paths) / median:,.0f}", f"{total / median / 1e6:,.0f}",
                     f"{median / len(paths) * 1e3:.3f}"])
    return rows


# ---------------------------------------------------------------------------------------------
# As commands: a build with and without identification, and verification
# ---------------------------------------------------------------------------------------------


def build_without_identification(argv: list[str]) -> int:
    """``provcat build`` with Siegfried asked nothing: every file gets a stub identification (``no
    match``, which the build records without a warning, as it would a real one)."""
    from provcat import cli
    from provcat.identify import Identification

    identify.identify_files = lambda locations, names=None: [  # type: ignore[assignment]
        Identification("no match", warning="not identified (benchmark)") for _ in locations]
    sys.argv = ["provcat", "build", *argv]
    try:
        cli.main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def commands_for_build(archive: Path, workdir: Path) -> list[Command]:
    metadata = workdir / "no-metadata"
    metadata.mkdir(exist_ok=True)

    def fresh(db: Path) -> Callable[[], None]:
        return lambda: db.unlink(missing_ok=True)

    with_db, without_db = workdir / "with-identification.db", workdir / "without-identification.db"
    common = [str(archive), "--metadata", str(metadata)]
    return [
        Command("provcat build (identification, as shipped)", [str(PROVCAT), "build", *common, "--db", str(with_db)],
                before=fresh(with_db)),
        Command("provcat build, identification stubbed", [str(PYTHON), str(HERE / "identification.py"),
                                                          "build-without-identification", *common, "--db",
                                                          str(without_db)], before=fresh(without_db)),
    ]


def reset_verifications(db: Path) -> Callable[[], None]:
    def reset() -> None:
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("delete from fixity_events where event_type = 'fixity check'")
            conn.execute("delete from fixity_runs where kind = 'fixity check'")
        conn.close()
    return reset


def verify_command(name: str, archive: Path, db: Path, before: Path | None = None) -> Command:
    if before is None:
        argv = [str(PROVCAT), "verify", str(archive), "--db", str(db)]
    else:  # an earlier revision's source, with this environment's packages
        argv = ["env", f"PYTHONPATH={before / 'catalogue'}", str(PYTHON), "-m", "provcat.cli", "verify",
                str(archive), "--db", str(db)]
    return Command(name, argv, before=reset_verifications(db))


def run(args: argparse.Namespace, workdir: Path) -> list[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    out = [f"Machine: {machine()}", ""]
    small = small_files(workdir, args.small)
    large = large_files(workdir, args.large, args.large_mb)
    rows = in_process(f"{args.small:,} small files", files_of(small), args.runs)
    rows += in_process(f"{args.large} × {args.large_mb} MB", files_of(large), args.runs)
    out += [f"In process, warm, median of {args.runs}:", "",
            table(["files", "step", "seconds", "files/s", "MB/s", "ms a file"], rows), ""]
    for path in files_of(large):
        start = time.perf_counter()
        (found,) = identify.identify_files([path])
        out.append(f"- {Path(path).name}: identified in {time.perf_counter() - start:.2f} s as {found.puid} "
                   f"({found.basis or found.warning})")
    out.append("")

    builds = commands_for_build(small, workdir)
    measure(builds, args.build_runs, warmup=True)
    verifies = [verify_command("provcat verify (the catalogue built with identification)", small,
                               workdir / "with-identification.db")]
    measure(verifies, args.build_runs, warmup=True)
    rows = [[c.name, f"{c.median:.2f}", f"{args.small / c.median:,.0f}", f"{c.peak_rss_mb:.0f}"]
            for c in builds + verifies]
    out += [f"Commands on the {args.small:,} small files, warm, median of {args.build_runs}:", "",
            table(["command", "median s", "files/s", "peak RSS MB"], rows), ""]

    if args.before is not None:
        root, count, _ = generated_archive(workdir, f"documents-{args.small}", lambda: small_documents(args.small))
        archive, db = root / "archive", root / "catalogue.db"
        pair = [verify_command(f"provcat verify, {args.before.name}", archive, db, args.before),
                verify_command("provcat verify, this revision", archive, db)]
        measure(pair, args.runs, warmup=True)
        out += [f"provcat verify of {count:,} documents of 3 KB (generated catalogue), warm, median of {args.runs}:",
                "", table(["command", "median s", "files/s"],
                          [[c.name, f"{c.median:.3f}", f"{count / c.median:,.0f}"] for c in pair]), ""]
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["build-without-identification"]:
        return build_without_identification(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--small", type=int, default=10000)
    parser.add_argument("--large", type=int, default=4)
    parser.add_argument("--large-mb", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout of the revision to compare provcat verify with")
    args = parser.parse_args(argv)
    print("\n".join(run(args, args.workdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
