"""Who may use the assistant: sign-in through the organisation's identity provider, an e-mail domain allow-list,
and the admins who manage documents. Without an ``[auth]`` section in Streamlit's secrets, sign-in is off and the
app is for one person's local use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from assistant.settings import Settings


class Role(Enum):
    LOCAL = "local"
    """Sign-in is not configured: one person on 127.0.0.1."""
    ANONYMOUS = "anonymous"
    REFUSED = "refused"
    STAFF = "staff"
    ADMIN = "admin"


@dataclass(frozen=True)
class Access:
    role: Role
    email: str | None = None

    @property
    def may_chat(self) -> bool:
        return self.role in (Role.LOCAL, Role.STAFF, Role.ADMIN)

    @property
    def may_manage_documents(self) -> bool:
        """Local use has a shell anyway; with sign-in on, only the listed admins."""
        return self.role in (Role.LOCAL, Role.ADMIN)

    @property
    def who(self) -> str:
        return self.email or ("local user" if self.role is Role.LOCAL else "anonymous")


REQUIRED_AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def auth_configured(secrets: Any) -> bool:
    """True when Streamlit's secrets hold an ``[auth]`` section; a half-filled one is an error naming the keys."""
    try:
        section = secrets.get("auth") if hasattr(secrets, "get") else None
    except Exception:  # no secrets.toml at all: Streamlit raises instead of returning None
        return False
    if not section:
        return False
    missing = [key for key in REQUIRED_AUTH_KEYS if not section.get(key)]
    if missing:
        raise ValueError(f".streamlit/secrets.toml [auth] lacks {', '.join(missing)}")
    return True


def decide(settings: Settings, sign_in_on: bool, signed_in: bool, email: str | None) -> Access:
    """The visitor's role from the sign-in state, ``ASSISTANT_ALLOWED_DOMAINS`` and ``ASSISTANT_ADMINS``."""
    if not sign_in_on:
        return Access(Role.LOCAL)
    if not signed_in:
        return Access(Role.ANONYMOUS)
    address = (email or "").strip().lower()
    if not address or "@" not in address:
        return Access(Role.REFUSED, address or None)
    if address in settings.admins:
        return Access(Role.ADMIN, address)
    domain = address.rsplit("@", 1)[1]
    if settings.allowed_domains and domain not in settings.allowed_domains:
        return Access(Role.REFUSED, address)
    return Access(Role.STAFF, address)
