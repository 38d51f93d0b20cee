"""The backup drill: back up, wipe, restore, and compare every row and every file."""

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bangfu.audit.models import AuditEntry
from bangfu.pairings import services as pairing_services
from bangfu.security import backup

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
AUDIT_TABLES = {"audit_auditentry", "audit_auditchainhead"}


def _rows() -> dict[str, list[tuple]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def _files() -> dict[str, str]:
    return {
        name: hashlib.sha256(path.read_bytes()).hexdigest()
        for name, path in backup.media_files().items()
    }


def _wipe():
    call_command("flush", interactive=False, verbosity=0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()


def _drill(world, tmp_path):
    pairing_services.add_agreement(
        world.p_bj9_xizi,
        actor=world.coordinator,
        document=SimpleUploadedFile("协议.pdf", PDF),
        title="帮扶协议",
        signed_on="2019-03-01",
        term_start="2019-03-01",
        term_end="2022-02-28",
        principles="以强带弱",
        method="paper",
        note="",
    )
    assert AuditEntry.objects.exists()
    archive = tmp_path / "bangfu.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    before_rows, before_files = _rows(), _files()
    assert any(name.startswith("agreements/") for name in before_files)

    _wipe()
    assert not AuditEntry.objects.exists() and not _files()

    call_command("restore", str(archive), verbosity=0)
    after_rows, after_files = _rows(), _files()
    assert after_files == before_files
    for table, rows in before_rows.items():
        if table not in AUDIT_TABLES:
            assert after_rows[table] == rows, table
    # The trail keeps every entry it had and gains the record of the restore.
    entries = before_rows["audit_auditentry"]
    assert set(entries) < set(after_rows["audit_auditentry"])
    assert len(after_rows["audit_auditentry"]) == len(entries) + 1
    assert AuditEntry.objects.order_by("-seq").first().action == "import"
    assert AuditEntry.objects.filter(action="export").count() == 1
    call_command("verify_audit", verbosity=0)
    return before_rows, before_files


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drill")
def test_backup_restore_drill_on_sqlite(world, tmp_path):
    rows, files = _drill(world, tmp_path)
    print(
        f"sqlite drill: {len(rows)} tables, {sum(map(len, rows.values()))} rows, {len(files)} files"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs when DATABASE_URL is PostgreSQL"
)
def test_backup_restore_drill_on_postgresql(world, tmp_path):
    rows, files = _drill(world, tmp_path)
    print(f"pg drill: {len(rows)} tables, {sum(map(len, rows.values()))} rows, {len(files)} files")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_unless_forced(world, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), verbosity=0)
    call_command("restore", str(archive), force=True, verbosity=0)
    call_command("verify_audit", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_whose_file_was_altered(world, tmp_path):
    media = Path(settings.MEDIA_ROOT) / "agreements" / "x.pdf"
    media.parent.mkdir(parents=True)
    media.write_bytes(PDF)
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media/agreements/x.pdf":
                data = data.replace(b"Catalog", b"Catalgo")
            out.addfile(member, io.BytesIO(data))
    _wipe()
    with pytest.raises(CommandError, match="checksum mismatch"):
        call_command("restore", str(tampered), verbosity=0)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_manifest_lists_vendor_counts_and_checksums(world, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup.create_backup(archive)
    with tarfile.open(archive, "r:gz") as opened:
        manifest = backup.read_manifest(opened)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["orgs_organisation"] == 10
    assert len(manifest["database"]["sha256"]) == 64
    assert AuditEntry.objects.filter(action="export").exists()
