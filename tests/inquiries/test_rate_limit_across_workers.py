"""SECURITY H1: the inquiry send limit holds across gunicorn workers.

Real `gunicorn -w 4` with the Redis limiter storage: one buyer sends messages as
fast as it can, each on a fresh connection, some of them to every worker at once;
exactly the configured five per minute are stored, the rest get 429, not 5 × 4.
"""

import time
from http.client import HTTPConnection
from urllib.parse import urlencode

from sqlalchemy import func, select

from market.extensions import db
from market.inquiries.models import InquiryMessage
from tests.accounts.test_throttle_across_workers import (  # noqa: F401 (fixtures)
    WORKERS,
    gunicorn,
    redis_db,
    request,
    served_by,
)
from tests.conftest import PASSWORD, csrf_token

ALLOWED_PER_MINUTE = 5  # MARKET_INQUIRY_LIMIT_PER_USER = "5 per minute;20 per hour"


class BuyerClient:
    """A logged-in browser: its cookies and CSRF token, a fresh connection per request."""

    def __init__(self, port, identifier):
        self.port = port
        self.probes = 0
        status, headers, html = request(port, "GET", "/accounts/login")
        assert status == 200
        self.cookies = self._merge({}, headers)
        body = urlencode(
            {"identifier": identifier, "password": PASSWORD, "csrf_token": csrf_token(html)}
        )
        status, headers, _ = request(
            port, "POST", "/accounts/login", body, self.cookie
        )
        assert status == 302, status
        self.cookies = self._merge(self.cookies, headers)

    @staticmethod
    def _merge(cookies, headers):
        for value in headers.get_all("Set-Cookie") or []:
            name, _, rest = value.split(";", 1)[0].partition("=")
            cookies[name] = rest
        return cookies

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def token_from(self, path) -> str:
        status, headers, html = request(self.port, "GET", path, cookie=self.cookie)
        assert status == 200, status
        self.cookies = self._merge(self.cookies, headers)
        return csrf_token(html)

    def probe(self, listing_id) -> str:
        self.probes += 1
        return f"/inquiries/new/{listing_id}?probe={self.probes}"

    def form(self, token, number) -> str:
        return urlencode(
            {"inquiry-body": f"第{number}条询价消息", "inquiry-csrf_token": token}
        )

    def send(self, listing_id, token, number) -> tuple[str, int]:
        probe = self.probe(listing_id)
        status, _, _ = request(
            self.port, "POST", probe, self.form(token, number), self.cookie
        )
        return probe, status

    def send_on_every_worker(self, listing_id, token, first) -> list[tuple[str, int]]:
        """Open a connection per worker and send every body at once (see the login
        throttle test): each sync worker holds its own request."""
        connections = []
        for number in range(first, first + WORKERS):
            body = self.form(token, number).encode()
            probe = self.probe(listing_id)
            connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
            connection.putrequest("POST", probe)
            for name, value in (
                ("Cookie", self.cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
            ):
                connection.putheader(name, value)
            connection.endheaders()
            connections.append((probe, connection, body))
        time.sleep(0.3)
        for _, connection, body in connections:
            connection.send(body)
        results = []
        for probe, connection, _ in connections:
            response = connection.getresponse()
            response.read()
            results.append((probe, response.status))
            connection.close()
        return results


def test_inquiry_limit_is_shared_by_all_gunicorn_workers(
    app, gunicorn, seller, buyer, offer
):
    port, access_log = gunicorn
    client = BuyerClient(port, buyer["mobile"])
    token = client.token_from(f"/inquiries/new/{offer.id}")

    # The first message opens the thread; the next ones go to it (same form).
    results = [client.send(offer.id, token, 0)]
    results += client.send_on_every_worker(offer.id, token, 1)
    while len(results) < ALLOWED_PER_MINUTE * WORKERS:
        results.append(client.send(offer.id, token, len(results)))
    statuses = [status for _, status in results]
    accepted = statuses.count(302)
    print(f"messages accepted: {accepted} of {len(statuses)} (workers: {WORKERS})")
    assert accepted == ALLOWED_PER_MINUTE, statuses
    assert set(statuses) == {302, 429}, statuses

    workers = served_by(access_log, [probe for probe, _ in results])
    assert len(set(workers.values())) >= 2, f"workers seen: {workers}"
    with app.app_context():
        stored = db.session.scalar(select(func.count(InquiryMessage.id)))
    assert stored == ALLOWED_PER_MINUTE
