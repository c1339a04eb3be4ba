"""SECURITY A1: the login throttle holds across gunicorn workers.

Real `gunicorn -w 4` with the Redis limiter storage: five wrong passwords for one
account, then the correct one is refused with 429 whichever worker answers and
from whichever address. With `memory://` each worker would count on its own and
allow up to 5 × 4 attempts.
"""

import os
import re
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest

from market import PROJECT_ROOT
from tests.conftest import PASSWORD, csrf_token

WORKERS = 4
ALLOWED_ATTEMPTS = 5  # MARKET_LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 15
STORAGE_URI = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Every request carries ?probe=<n>; the access log says which worker (pid) served it.
ACCESS_LOG_FORMAT = "%(p)s %(q)s %(s)s"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_db():
    try:
        import redis
    except ImportError:
        _unavailable("the redis client is not installed (pip install -e .[test])")
    client = redis.Redis(
        host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_connect_timeout=1
    )
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        client.close()
        _unavailable(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}: {error}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path, redis_db):
    """`gunicorn -w 4` serving the app on the test database; yields (port, log path)."""
    if not GUNICORN.exists():
        _unavailable(f"gunicorn is not installed next to {sys.executable}")
    port = free_port()
    access_log = tmp_path / "access.log"
    env = dict(
        os.environ,
        MARKET_DATABASE_URL=database_url,
        MARKET_INSTANCE_PATH=str(tmp_path / "gunicorn-instance"),
        MARKET_SECRET_KEY="throttle-test-secret-" + "s" * 40,
        MARKET_RATELIMIT_STORAGE_URI=STORAGE_URI,
        MARKET_UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    errors = open(tmp_path / "gunicorn.err", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "-w", str(WORKERS),
            "-b", f"127.0.0.1:{port}",
            "--access-logfile", str(access_log),
            "--access-logformat", ACCESS_LOG_FORMAT,
            "market:create_app()",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                pytest.fail(
                    "gunicorn exited:\n"
                    + (tmp_path / "gunicorn.err").read_text(errors="replace")
                )
            try:
                if request(port, "GET", "/accounts/login")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 15 s")
            time.sleep(0.1)
        yield port, access_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        errors.close()


def request(port, method, path, body=None, cookie=None, source="127.0.0.1"):
    """One request on a fresh connection; returns (status, headers, text)."""
    connection = HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    headers = {"Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.headers, text
    finally:
        connection.close()


class LoginClient:
    """A browser-like client: one session cookie and CSRF token, many connections."""

    def __init__(self, port):
        self.port = port
        self.probes = 0
        status, headers, html = request(port, "GET", "/accounts/login")
        assert status == 200
        self.cookie = "; ".join(
            value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or []
        )
        assert self.cookie.startswith("session="), self.cookie
        self.token = csrf_token(html)

    def form(self, identifier, password) -> str:
        return urlencode(
            {"identifier": identifier, "password": password, "csrf_token": self.token}
        )

    def next_probe(self) -> str:
        self.probes += 1
        return f"/accounts/login?probe={self.probes}"

    def attempt(self, identifier, password, source="127.0.0.1") -> tuple[str, int]:
        probe = self.next_probe()
        body = self.form(identifier, password)
        status, _, _ = request(self.port, "POST", probe, body, self.cookie, source)
        return probe, status

    def attempt_on_every_worker(self, identifier, password, sources):
        """One attempt per worker: each connection is opened and its headers sent
        before any body, so each sync worker is stuck on its own connection and
        no worker can take two of them."""
        body = self.form(identifier, password).encode()
        connections = []
        for source in sources:
            probe = self.next_probe()
            connection = HTTPConnection(
                "127.0.0.1", self.port, timeout=10, source_address=(source, 0)
            )
            connection.putrequest("POST", probe)
            for name, value in (
                ("Cookie", self.cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
            ):
                connection.putheader(name, value)
            connection.endheaders()
            connections.append((probe, connection))
        time.sleep(0.3)  # let every worker accept its connection
        results = []
        for probe, connection in connections:
            connection.send(body)
        for probe, connection in connections:
            response = connection.getresponse()
            response.read()
            results.append((probe, response.status))
            connection.close()
        return results


def served_by(access_log: Path, probes) -> dict:
    """probe path -> worker pid, from gunicorn's access log."""
    wanted = {probe.split("?", 1)[1] for probe in probes}
    pids = {}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in access_log.read_text().splitlines():
            match = re.fullmatch(r"<(\d+)> (\S+) (\d+)", line.strip())
            if match and match[2] in wanted:
                pids["/accounts/login?" + match[2]] = int(match[1])
        if len(pids) == len(wanted):
            break
        time.sleep(0.05)
    return pids


def test_login_throttle_is_shared_by_all_gunicorn_workers(gunicorn, factory, redis_db):
    port, access_log = gunicorn
    member = factory.enterprise()
    account = member["mobile"]
    client = LoginClient(port)

    # Wrong passwords, each on a fresh connection, until the throttle answers.
    statuses = [client.attempt(account, "Wrong-Password-0")[1]]
    while statuses[-1] != 429 and len(statuses) < ALLOWED_ATTEMPTS * WORKERS + 1:
        statuses.append(client.attempt(account, f"Wrong-Password-{len(statuses)}")[1])
    allowed = statuses.index(429) if 429 in statuses else len(statuses)
    print(f"attempts allowed before the throttle: {allowed} (workers: {WORKERS})")
    assert allowed == ALLOWED_ATTEMPTS, (
        f"attempts allowed before the throttle: {allowed}, "
        f"expected {ALLOWED_ATTEMPTS}; statuses {statuses}"
    )
    assert set(statuses[:ALLOWED_ATTEMPTS]) == {200}, statuses  # the form, re-rendered
    # The account's counter is keyed by the user, whichever identifier was typed.
    assert any(b"login:user:" in key for key in redis_db.scan_iter()), (
        "no per-account counter in Redis db 15"
    )

    # The correct password is refused too: the throttle is not a password oracle.
    probe, status = client.attempt(account, PASSWORD)
    assert status == 429

    # From a fresh address the per-account counter still holds.
    _, status = client.attempt(account, PASSWORD, source="127.0.0.2")
    assert status == 429, "a fresh address was let through"

    # Every worker, each from its own fresh address, refuses the correct password.
    sources = [f"127.0.0.{10 + n}" for n in range(WORKERS)]
    results = client.attempt_on_every_worker(account, PASSWORD, sources)
    workers = served_by(access_log, [probe for probe, _ in results])
    # The kernel hands connections to workers; on a busy machine one worker may take
    # several. Two distinct processes are enough to prove the counter is shared.
    assert len(set(workers.values())) >= 2, f"workers seen: {workers}"
    assert [status for _, status in results] == [429] * WORKERS, results
