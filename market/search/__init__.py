"""Search: the Whoosh seam. The rest of the app imports these names, never Whoosh.

See CONTRACT.md. Indexing follows committed database state through the outbox:
services call enqueue_listing / enqueue_enterprise in their transaction, and the
single writer (apply_outbox, run by the worker) brings the index up to date.
"""

from market.search.index import SearchUnavailable
from market.search.query import (
    SearchParams,
    SearchResult,
    params_from_args,
    search,
    suggest,
)
from market.search.sync import (
    apply_outbox,
    check_index,
    enqueue_enterprise,
    enqueue_listing,
    rebuild,
    reconcile,
    register_search_worker,
    start_worker_thread,
    stop_worker_thread,
)

__all__ = [
    "SearchParams",
    "SearchResult",
    "SearchUnavailable",
    "apply_outbox",
    "check_index",
    "enqueue_enterprise",
    "enqueue_listing",
    "params_from_args",
    "rebuild",
    "reconcile",
    "register_search_worker",
    "search",
    "start_worker_thread",
    "stop_worker_thread",
    "suggest",
]
