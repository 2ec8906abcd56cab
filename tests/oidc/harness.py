"""Starts tests/oidc/provider.mjs (the npm package oidc-provider) on a free loopback port,
and signs test accounts in at it without a browser.

Without Node.js or the package (`npm ci`), tests using it skip saying so; under CI
(CI=true) they fail instead, like the browser tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).resolve().with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "perfmon"
CLIENT_SECRET = "perfmon-test-secret"
ADMIN_GROUP = "perfmon-performance-team"
OTHER_CLIENT_ID = "other-app"
OTHER_CLIENT_SECRET = "other-test-secret"
OTHER_REDIRECT_URI = "http://127.0.0.1/other-app/callback"


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    log: Path

    def settings(self, **extra: str) -> dict[str, str]:
        """perfmon settings pointing at this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ADMIN_GROUP": ADMIN_GROUP,
            "OIDC_CREATE_USERS": "false",
            "OIDC_ONLY": "false",
            **extra,
        }


def _node() -> str:
    node = shutil.which("node")
    missing = (
        "Node.js (node) is not installed"
        if node is None
        else "the npm package oidc-provider is not installed (run `npm ci`)"
        if not PACKAGE.exists()
        else ""
    )
    if missing:
        message = f"OpenID Connect tests need a real provider: {missing}."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    return node


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_provider(
    *, redirect_uris: list[str], logout_uris: list[str], code_ttl_seconds: int = 60
) -> Iterator[RunningProvider]:
    node = _node()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")[1])
    env = {
        **os.environ,
        "PORT": str(port),
        "PERFMON_REDIRECT_URIS": json.dumps(redirect_uris),
        "PERFMON_LOGOUT_URIS": json.dumps(logout_uris),
        "CODE_TTL_SECONDS": str(code_ttl_seconds),
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(issuer, process, log)
        yield RunningProvider(issuer=issuer, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider stopped: {log.read_text()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the test provider did not start in 30 s: {log.read_text()}")


def sign_in_at_provider(authorize_url: str, *, account: str, redirect_uri: str) -> str:
    """Follow `authorize_url` at the provider, sign in as `account` on its page, and return
    the URL it sends the browser back to (starting with `redirect_uri`)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(redirect_uri):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form, f"no sign-in form at {url}: {response.text[:500]}"
        posted = browser.post(
            urljoin(url, form.group(1)),
            data={"prompt": "login", "login": account, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        assert posted.is_redirect, posted.text[:500]
        url = urljoin(url, posted.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back to {redirect_uri}")
