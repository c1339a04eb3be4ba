"""Saved-search fixtures: listings, clients, and the search helper with an index."""

import pytest
from sqlalchemy import select

from market.extensions import db
from market.saved_searches.models import SavedSearch
from tests.listings.conftest import (  # noqa: F401  (fixtures)
    approved,
    client_for,
    make_listing,
    other,
)
from tests.notifications.conftest import add_user  # noqa: F401  (fixture)
from tests.search.conftest import SearchHelper


@pytest.fixture
def searching(app):
    """The search helper, with an index built before the test makes any listing."""
    helper = SearchHelper(app)
    helper.apply()
    return helper


def saved_searches_of(app, user_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user_id)
            .order_by(SavedSearch.id)
        ).all()
        return [
            {c.name: getattr(row, c.name) for c in SavedSearch.__table__.columns}
            for row in rows
        ]
