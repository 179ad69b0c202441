"""Who may use the assistant, what an upload must be, and the audit log of admin actions."""

import io
import json
from pathlib import Path

import pytest

from assistant.cli import main as cli_main
from assistant.index.uploads import (
    UploadError, check_upload, remove_document_file, safe_filename, save_upload, suggested_details,
)
from assistant.records.database import open_records
from assistant.settings import Settings
from assistant.ui.access import Role, auth_configured, decide

SETTINGS = Settings(allowed_domains=("example.org",), admins=("alice@example.org",))
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s", "client_id": "c",
    "client_secret": "x", "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration",
}


def test_roles_follow_sign_in_the_allowed_domains_and_the_admins() -> None:
    assert decide(SETTINGS, False, False, None).role is Role.LOCAL
    assert decide(SETTINGS, True, False, None).role is Role.ANONYMOUS
    assert decide(SETTINGS, True, True, "Alice@Example.org").role is Role.ADMIN
    assert decide(SETTINGS, True, True, "bob@example.org").role is Role.STAFF
    assert decide(SETTINGS, True, True, "eve@elsewhere.com").role is Role.REFUSED
    assert decide(SETTINGS, True, True, None).role is Role.REFUSED, "no e-mail claim: no way to check the domain"
    assert decide(Settings(), True, True, "anyone@anywhere.eu").role is Role.STAFF, "no allow-list: any signed-in user"
    assert not decide(SETTINGS, True, True, "bob@example.org").may_manage_documents


def test_the_allow_list_and_admins_come_from_the_environment() -> None:
    settings = Settings.from_env({"ASSISTANT_ALLOWED_DOMAINS": " example.org, @Partner.EU ", "ASSISTANT_ADMINS": "Alice@example.org"})
    assert settings.allowed_domains == ("example.org", "partner.eu") and settings.admins == ("alice@example.org",)


def test_sign_in_is_on_only_with_a_complete_auth_section() -> None:
    assert not auth_configured({})
    assert auth_configured({"auth": AUTH})
    with pytest.raises(ValueError, match="client_secret"):
        auth_configured({"auth": {**AUTH, "client_secret": ""}})


@pytest.mark.parametrize("name", ["../catalog.md", "a/b.md", "..\\x.txt", ".hidden.md", "", "notes.exe", "paper"])
def test_a_name_that_is_not_a_plain_supported_file_name_is_refused(name: str) -> None:
    with pytest.raises(UploadError):
        safe_filename(name)


def test_names_are_tidied_not_trusted() -> None:
    assert safe_filename("Minutes 2026 (draft).MD") == "Minutes-2026-draft.md"


def test_uploads_are_checked_by_content(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="not a PDF"):
        check_upload("paper.pdf", b"plain text", tmp_path, 1000)
    with pytest.raises(UploadError, match="not UTF-8"):
        check_upload("notes.txt", "café".encode("latin-1"), tmp_path, 1000)
    with pytest.raises(UploadError, match="over the"):
        check_upload("notes.txt", b"x" * 2000, tmp_path, 1000)
    assert check_upload("paper.pdf", b"%PDF-1.7 ...", tmp_path, 1000).filename == "paper.pdf"


def test_the_details_offered_for_an_upload_come_from_its_front_matter(tmp_path: Path) -> None:
    upload = check_upload(
        "report.md", b"---\ntitle: Workshop report\ndate: 2023-10-05\n---\n\n# Hydrogen Valleys\n\nText.", tmp_path, 1000
    )
    assert suggested_details(upload) == ("Workshop report", "document", "2023-10-05")


def test_saving_writes_the_catalog_and_never_overwrites_silently(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_text(json.dumps({"documents": {"old.md": {"title": "Old", "kind": "minutes"}}}))
    upload = check_upload("new.md", b"# New\n\nText.", tmp_path, 1000)
    save_upload(upload, tmp_path, "New paper", "position paper", "2026-05-12", replace=False)
    catalog = json.loads((tmp_path / "catalog.json").read_text())["documents"]
    assert catalog["new.md"] == {"title": "New paper", "kind": "position paper", "date": "2026-05-12"} and "old.md" in catalog
    again = check_upload("new.md", b"# Other\n\nText.", tmp_path, 1000)
    assert again.exists
    with pytest.raises(UploadError, match="already indexed"):
        save_upload(again, tmp_path, "Other", "minutes", None, replace=False)
    assert (tmp_path / "new.md").read_bytes() == b"# New\n\nText."
    remove_document_file(tmp_path, "new.md")
    assert not (tmp_path / "new.md").exists() and "new.md" not in json.loads((tmp_path / "catalog.json").read_text())["documents"]
    with pytest.raises(UploadError):
        remove_document_file(tmp_path, "../outside.md")


def test_the_audit_log_is_printed_by_the_command_line(tmp_path: Path) -> None:
    open_records(Settings(data_dir=tmp_path)).audit.record("alice@example.org", "upload", "new.md", "ok: 1 files read")
    out = io.StringIO()
    assert cli_main(["--data-dir", str(tmp_path), "audit"], stdout=out) == 0
    assert "alice@example.org  upload  new.md  ok: 1 files read" in out.getvalue()
