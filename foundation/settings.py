"""The one settings object: read once at start-up from ``WERKBRUG_*`` variables, then passed down.

:func:`load_settings` builds it at the entry points (the ``werkbrug`` CLI, :func:`service.app.create_app`,
``werkbrug demo``); the app keeps it on ``app.state.settings`` and routes get it through a
dependency; libraries receive what they need as arguments. No module reads the environment
later. Adding a setting is adding one field here (its environment variable is ``WERKBRUG_`` +
the field name in upper case) and one row in the README's settings table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "WERKBRUG_"


class Settings(BaseSettings):
    """werkbrug's settings (see the README's table); immutable once built."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    db: Path = Field(Path("werkbrug.duckdb"), description="The DuckDB database file.")
    esco: Path | None = Field(
        None, description="The ESCO download (folder or zip); unset: ../shared/esco when present.")
    matching_encoder: str | None = Field(
        "minilm", description="Encoder for related-skill credit between skills; none: the ESCO hierarchy only.")
    vacancy_search: Literal["auto", "hybrid", "lexical"] = Field(
        "auto", description="How vacancy titles find occupations; auto: hybrid once occupation labels have vectors.")
    secure_cookies: bool = Field(
        False, description="Always send cookies with the Secure flag (behind a TLS-terminating proxy).")
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = Field(
        (), description="Proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed.")
    audit_key: SecretStr | None = Field(
        None, description="The audit chain's HMAC key (hex); unset: read from audit_key_file.")
    audit_key_file: Path | None = Field(
        None, description="File holding the audit key; unset: <database>.audit-key beside the database.")
    backup_dir: Path | None = Field(None, description="Folder for backups; unset: <database>.backups.")
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest JSON or form body, checked before it is read (413 above).")
    max_upload_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest uploaded file body, checked before it is read (413 above).")
    retention_months: int = Field(
        24, ge=1, le=240, description="Months after leaving the programme before a person's data is erased.")

    @field_validator("matching_encoder", mode="before")
    @classmethod
    def _none_encoder(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip().lower() in ("", "none") else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(p.strip() for p in value.replace(";", ",").split(",") if p.strip())
        return value


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment, with ``overrides`` (e.g. command-line options) on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def start(settings: Settings) -> Settings:
    """Hand the settings to the process-wide parts that need them (the audit key store); returns them."""
    from foundation import audit_store

    key = settings.audit_key.get_secret_value() if settings.audit_key else None
    audit_store.configure(key=key, key_file=settings.audit_key_file)
    return settings


def environment_variable(name: str) -> str:
    """The environment variable of setting ``name``."""
    return ENV_PREFIX + name.upper()
