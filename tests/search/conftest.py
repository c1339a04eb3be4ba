"""Search fixtures: an app whose index lives in tmp_path (worker off), listings made
through the real services, and helpers that enqueue, apply and search."""

import pytest

from market.extensions import db
from market.search import SearchParams, apply_outbox, enqueue_listing, search
from market.search.index import close_searchers, current_dir, index_root
from market.search.models import SearchOutbox
from tests.listings.conftest import ListingMaker


@pytest.fixture
def app(app, tmp_path):
    """The suite's app (index in tmp_path, worker off); searchers closed afterwards."""
    assert app.config["MARKET_SEARCH_INDEX_DIR"].startswith(str(tmp_path))
    assert app.config["MARKET_SEARCH_WORKER"] == "off"
    yield app
    close_searchers()


@pytest.fixture
def make_listing(app, factory):
    return ListingMaker(app, factory)


@pytest.fixture
def enterprise(factory):
    return factory.enterprise()


class SearchHelper:
    def __init__(self, app):
        self.app = app

    def sync(self, *listing_ids: int) -> int:
        """Enqueue the listings (committed) and apply the outbox."""
        with self.app.app_context():
            for listing_id in listing_ids:
                enqueue_listing(listing_id)
            db.session.commit()
            return apply_outbox()

    def apply(self) -> int:
        with self.app.app_context():
            return apply_outbox()

    def find(self, q="", **params):
        with self.app.app_context():
            return search(SearchParams(q=q, **params))

    def ids(self, q="", **params) -> list[int]:
        return self.find(q, per_page=50, **params).ids

    def indexed(self) -> dict[int, int]:
        """listing id -> number of live documents carrying it."""
        from whoosh import index as whoosh_index

        with self.app.app_context():
            target = current_dir(index_root())
        counts: dict[int, int] = {}
        with whoosh_index.open_dir(str(target)).searcher() as searcher:
            for fields in searcher.all_stored_fields():
                listing_id = int(fields["listing_id"])
                counts[listing_id] = counts.get(listing_id, 0) + 1
        return counts

    def outbox(self) -> list[int]:
        with self.app.app_context():
            rows = db.session.scalars(
                db.select(SearchOutbox.listing_id).order_by(SearchOutbox.id)
            ).all()
            db.session.commit()
            return list(rows)


@pytest.fixture
def searching(app):
    """The helper, with an index built before the test makes any listing."""
    helper = SearchHelper(app)
    helper.apply()
    return helper
