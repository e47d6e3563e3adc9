"""Behind reverse proxies: which client address rate limits count, per TRUSTED_PROXIES."""

from __future__ import annotations

from marketplace import create_app
from marketplace.config import Settings


def _embedded_app(tmp_path, monkeypatch, **env):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.sqlite3'}", **env})
    return create_app({"TESTING": True, "API_READ_LIMIT": "3 per minute"}, settings=settings)


def _reads(client, forwarded_for: str) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for}
    return [client.get("/api/v1/openapi.json", headers=headers).status_code for _ in range(4)]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_allowance(tmp_path, monkeypatch):
    client = _embedded_app(tmp_path, monkeypatch, TRUSTED_PROXIES="1").test_client()
    assert _reads(client, "203.0.113.7") == [200, 200, 200, 429]
    assert _reads(client, "198.51.100.9") == [200, 200, 200, 429]


def test_without_trusted_proxies_a_forwarded_address_is_ignored(tmp_path, monkeypatch):
    client = _embedded_app(tmp_path, monkeypatch).test_client()
    assert _reads(client, "203.0.113.7") == [200, 200, 200, 429]
    # A client cannot buy a fresh allowance by inventing the header.
    assert _reads(client, "198.51.100.9") == [429, 429, 429, 429]
