"""Backup and restore: one tar.gz holding the database, every uploaded file and a manifest.

The database is dumped natively so every value survives byte for byte (the
audit chain's hashes cover microseconds that Django's JSON serialiser would
round): SQLite through its online backup API, PostgreSQL through
``pg_dump -Fc`` / ``pg_restore``. The manifest records the format version,
the database vendor, every table's row count and the SHA-256 of the dump and
of every file under MEDIA_ROOT. Restore checks all of it before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection

from bangfu.audit import services as audit

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
# Filled by `migrate` itself: a database holding rows only here is empty.
STRUCTURAL_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    pass


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    """Rows per table of the default database: one COUNT(*) query per table."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_files() -> dict[str, Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def is_empty() -> bool:
    return not any(n for t, n in table_counts().items() if t not in STRUCTURAL_TABLES)


# --- database dumps ---------------------------------------------------------


def _pg_env() -> tuple[list[str], dict[str, str]]:
    conf = connection.settings_dict
    args = ["--dbname", conf["NAME"]]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", conf["USER"]]
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    return args, env


def _outside_transaction() -> None:
    # SQLite's backup API retries forever while a write transaction of ours holds the file.
    if connection.in_atomic_block:
        raise BackupError("backup and restore must run outside a database transaction")


def _dump_database(target: Path) -> str:
    """Write the dump to ``target``; return its method name."""
    if connection.vendor == "sqlite":
        _outside_transaction()
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return "sqlite-backup"
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not on PATH")
        args, env = _pg_env()
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
            + args,
            check=True,
            env=env,
            capture_output=True,
        )
        return "pg_dump"
    raise BackupError(f"no backup method for {connection.vendor}")


def _load_database(source: Path, method: str) -> None:
    if method == "sqlite-backup":
        _outside_transaction()
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            # Overwrites every page of the live database with the backup's.
            origin.backup(connection.connection)
        finally:
            origin.close()
        return
    if method == "pg_dump":
        if shutil.which("pg_restore") is None:
            raise BackupError("pg_restore is not on PATH")
        args, env = _pg_env()
        # Our own open connection would hold locks pg_restore --clean waits for.
        connection.close()
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
            ]
            + args
            + [str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
        return
    raise BackupError(f"unknown dump method {method!r}")


# --- archive ------------------------------------------------------------------


@dataclass
class Summary:
    tables: int
    rows: int
    files: int


def create_backup(path: str | Path, *, actor=None) -> Summary:
    """Write the archive at ``path``. Reads the whole database and every uploaded file."""
    path = Path(path)
    # Recorded first, so the backup carries the record of its own making.
    audit.record("export", actor=actor, label="备份 manage.py backup", changes={"file": path.name})
    with tempfile.TemporaryDirectory() as workdir:
        dump = Path(workdir) / "database.dump"
        method = _dump_database(dump)
        counts = table_counts()
        files = media_files()
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "vendor": connection.vendor,
            "database": {"name": "database.dump", "method": method, "sha256": _sha256_file(dump)},
            "tables": counts,
            "files": {name: _sha256_file(file) for name, file in files.items()},
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname="database.dump")
            for name, file in files.items():
                archive.add(file, arcname=MEDIA_PREFIX + name)
        partial.replace(path)
    return Summary(tables=len(counts), rows=sum(counts.values()), files=len(files))


def _safe_media_name(name: str) -> str:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"unsafe file name in archive: {name!r}")
    return relative.as_posix()


def read_manifest(archive: tarfile.TarFile) -> dict:
    member = archive.getmember(MANIFEST)
    manifest = json.load(archive.extractfile(member))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    return manifest


def restore_backup(path: str | Path, *, force: bool = False, actor=None) -> Summary:
    """Replace the database and uploaded files with the archive's.

    Refuses a non-empty database unless ``force``; verifies every checksum
    before touching anything and every table's row count afterwards.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory() as workdir, tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"backup is of a {manifest['vendor']} database, this one is {connection.vendor}"
            )
        if not force and not is_empty():
            raise BackupError("the database is not empty; use --force to overwrite it")
        # Unpack to a scratch directory and check every checksum first.
        scratch = Path(workdir)
        expected = {MEDIA_PREFIX + n: h for n, h in manifest["files"].items()}
        expected["database.dump"] = manifest["database"]["sha256"]
        seen = set()
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if not member.isfile() or member.name not in expected:
                raise BackupError(f"unexpected member in archive: {member.name!r}")
            name = _safe_media_name(member.name)
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            if _sha256_file(target) != expected[member.name]:
                raise BackupError(f"checksum mismatch: {member.name}")
            seen.add(member.name)
        missing = set(expected) - seen
        if missing:
            raise BackupError(f"missing from archive: {sorted(missing)[:5]}")

        _load_database(scratch / "database.dump", manifest["database"]["method"])
        counts = table_counts()
        if counts != manifest["tables"]:
            differ = sorted(
                t
                for t in set(counts) | set(manifest["tables"])
                if counts.get(t) != manifest["tables"].get(t)
            )
            raise BackupError(f"row counts differ after restore: {differ[:10]}")

        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["files"]:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(scratch / MEDIA_PREFIX / name, target)
    audit.record(
        "import",
        actor=actor,
        label="恢复 manage.py restore",
        changes={"file": path.name, "created_at": manifest["created_at"]},
    )
    return Summary(tables=len(counts), rows=sum(counts.values()), files=len(manifest["files"]))
