"""Documents added and removed from the browser: checked by content, saved under a safe name, described in
``catalog.json``, indexed with the same ingestion as the command line."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError
from assistant.reading.documents import CATALOG_NAME, KINDS, SUPPORTED_SUFFIXES, describe, load_catalog, markdown_body


class UploadError(AssistantError):
    """An upload refused, with the file's name and the reason."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    """The name it is stored under in the corpus folder (no folders, no traversal)."""
    data: bytes
    exists: bool
    """A document of that name is already indexed: saving replaces it."""


def safe_filename(name: str) -> str:
    """The uploaded name as a plain file name; a name that tries to leave the folder is refused, not rewritten."""
    if not name or "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise UploadError(name or "(no name)", "the file name must be a plain name, without folders, '..' or a leading dot")
    normal = unicodedata.normalize("NFKC", name).strip()
    stem, dot, suffix = normal.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUPPORTED_SUFFIXES:
        raise UploadError(name, f"only {', '.join(sorted(SUPPORTED_SUFFIXES))} files can be added")
    cleaned = re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "document"
    return f"{cleaned[:120]}.{suffix.lower()}"


def check_upload(name: str, data: bytes, corpus_dir: Path, max_bytes: int) -> CheckedUpload:
    """The upload's name, size and type (by its content, not its extension), or an UploadError saying why."""
    filename = safe_filename(name)
    if not data:
        raise UploadError(name, "the file is empty")
    if len(data) > max_bytes:
        raise UploadError(name, f"the file is {len(data) / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit")
    if filename.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise UploadError(name, "not a PDF: the file does not start with %PDF-")
    else:
        if data.startswith(b"%PDF-") or b"\x00" in data[:4096]:
            raise UploadError(name, "not a text file: it holds binary data (a PDF must end in .pdf)")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UploadError(name, f"not UTF-8 text (byte {error.start})") from error
    return CheckedUpload(filename, data, (corpus_dir / filename).exists())


def suggested_details(upload: CheckedUpload) -> tuple[str, str, str | None]:
    """Title, kind and date as ingestion would guess them from the file."""
    if upload.filename.endswith(".pdf"):
        stem = Path(upload.filename).stem.replace("-", " ").replace("_", " ")
        info = describe(stem, Path(upload.filename))
    else:
        text, fields = upload.data.decode("utf-8"), {}
        if upload.filename.lower().endswith(".md"):
            text, fields = markdown_body(text)
        info = describe(text, Path(upload.filename), fields)
    return info.title, info.kind, info.date


def save_upload(upload: CheckedUpload, corpus_dir: Path, title: str, kind: str, date: str | None, replace: bool) -> Path:
    """Write the file and its catalog entry; refuses to replace an existing document unless asked to."""
    if upload.exists and not replace:
        raise UploadError(upload.filename, "a document of this name is already indexed; tick 'replace it' to overwrite")
    if not title.strip():
        raise UploadError(upload.filename, "the title must not be empty")
    if kind not in KINDS:
        raise UploadError(upload.filename, f"the kind must be one of {', '.join(KINDS)}")
    if date and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
        raise UploadError(upload.filename, "the date must look like YYYY-MM-DD")
    load_catalog(corpus_dir)  # a broken catalog is reported before anything is written
    path = corpus_dir / upload.filename
    path.write_bytes(upload.data)
    update_catalog(corpus_dir, upload.filename, {"title": title.strip(), "kind": kind, "date": date or None})
    return path


def remove_document_file(corpus_dir: Path, source: str) -> None:
    """Delete a document's file and its catalog entry (the next ingestion drops it from the index)."""
    path = (corpus_dir / source).resolve()
    if not path.is_relative_to(corpus_dir.resolve()):
        raise UploadError(source, "not a document of the corpus folder")
    path.unlink(missing_ok=True)
    update_catalog(corpus_dir, source, None)


def update_catalog(corpus_dir: Path, filename: str, entry: dict[str, str | None] | None) -> None:
    path = corpus_dir / CATALOG_NAME
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"documents": {}}
    if entry is None:
        data["documents"].pop(filename, None)
    else:
        data["documents"][filename] = entry
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
