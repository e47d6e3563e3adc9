"""Settings read from the environment, typed, with embedded defaults.

Unset service URLs select the embedded mode: a SQLite file, jobs run in-process after
the commit, search served from the database. Setting them selects the full stack.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    return int(value)


def _instance_dir() -> Path:
    path = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _embedded_secret_key(instance: Path) -> str:
    """Embedded mode keeps one generated key so sessions survive restarts."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass
class Settings:
    database_url: str
    redis_url: str | None
    elasticsearch_url: str | None
    secret_key: str
    debug: bool = False
    cookie_secure: bool = True
    mail_server: str | None = None
    mail_port: int = 25
    mail_username: str | None = None
    mail_password: str | None = None
    mail_use_tls: bool = False
    mail_sender: str = "Opportunità <noreply@opportunita.local>"
    search_index_prefix: str = "opportunita"
    max_upload_mb: int = 10
    max_document_mb: int = 5  # signed documents (agreements' PDFs)
    ratelimit_enabled: bool = True
    # Where the site is reachable, for links in mails that jobs write outside any request (alert digests).
    public_base_url: str = "http://127.0.0.1:5000"
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none,
    # so a client cannot pick the address that rate limits count against).
    trusted_proxies: int = 0
    # Where uploaded files live (agreements' PDFs, CVs, import files); unset: instance/uploads.
    upload_folder: str | None = None

    @property
    def embedded(self) -> bool:
        return self.redis_url is None and self.elasticsearch_url is None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance = _instance_dir()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'opportunita.sqlite3'}"
        redis_url = env.get("REDIS_URL") or None
        elasticsearch_url = env.get("ELASTICSEARCH_URL") or None
        debug = _env_bool(env.get("FLASK_DEBUG"), False)
        embedded = redis_url is None and elasticsearch_url is None
        secret_key = env.get("SECRET_KEY") or ""
        if not secret_key:
            if not embedded:
                raise ConfigError("SECRET_KEY is required outside the embedded mode")
            secret_key = _embedded_secret_key(instance)
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            elasticsearch_url=elasticsearch_url,
            secret_key=secret_key,
            debug=debug,
            # The embedded site is served over plain http on loopback, where a
            # Secure cookie would never come back and nobody could log in.
            cookie_secure=_env_bool(env.get("COOKIE_SECURE"), not (debug or embedded)),
            mail_server=env.get("MAIL_SERVER") or None,
            mail_port=_env_int(env.get("MAIL_PORT"), 25),
            mail_username=env.get("MAIL_USERNAME") or None,
            mail_password=env.get("MAIL_PASSWORD") or None,
            mail_use_tls=_env_bool(env.get("MAIL_USE_TLS"), False),
            mail_sender=env.get("MAIL_SENDER") or cls.mail_sender,
            search_index_prefix=env.get("SEARCH_INDEX_PREFIX") or cls.search_index_prefix,
            max_upload_mb=_env_int(env.get("MAX_UPLOAD_MB"), 10),
            max_document_mb=_env_int(env.get("MAX_DOCUMENT_MB"), 5),
            ratelimit_enabled=_env_bool(env.get("RATELIMIT_ENABLED"), True),
            public_base_url=(env.get("PUBLIC_BASE_URL") or cls.public_base_url).rstrip("/"),
            trusted_proxies=max(0, _env_int(env.get("TRUSTED_PROXIES"), 0)),
            upload_folder=env.get("UPLOAD_FOLDER") or None,
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask/extension keys derived from these settings."""
        config: dict[str, Any] = {
            "SECRET_KEY": self.secret_key,
            "DEBUG": self.debug,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # JSON columns (skills, languages, target groups) are decoded on every read of a row.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "json_deserializer": orjson.loads},
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.cookie_secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.cookie_secure,
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,
            "BABEL_DEFAULT_LOCALE": "it",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            "PUBLIC_BASE_URL": self.public_base_url,
            "TRUSTED_PROXIES": self.trusted_proxies,
            **({"UPLOAD_FOLDER": self.upload_folder} if self.upload_folder else {}),
            "SETTINGS": self,
        }
        return config
