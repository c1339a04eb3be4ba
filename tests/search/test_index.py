"""The index directory: rebuild and atomic swap, check, corruption and recovery."""

import os
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from market.extensions import db
from market.listings import services
from market.listings.models import Listing
from market.search import SearchParams, check_index, enqueue_listing, rebuild, search
from market.search.index import CURRENT, SearchUnavailable, current_dir, index_root
from market.search.schema import SCHEMA_VERSION


def _root(app) -> Path:
    with app.app_context():
        return index_root()


def _index_dirs(app) -> list[str]:
    return sorted(p.name for p in _root(app).iterdir() if p.name.startswith("index-"))


def _mixed_listings(make_listing, enterprise) -> dict[str, list[int]]:
    """Public listings, and listings in every state that is not public."""
    public = [
        make_listing(enterprise, title="公开 变压器 MIXA").id,
        make_listing(enterprise, kind="wanted", title="公开 求购 MIXB").id,
    ]
    hidden = [
        make_listing(enterprise, status=status, title=f"隐藏 {status}").id
        for status in ("draft", "pending", "rejected", "withdrawn", "sold", "expired")
    ]
    return {"public": public, "hidden": hidden}


def test_search_without_an_index_is_unavailable(app):
    with app.app_context(), pytest.raises(SearchUnavailable):
        search(SearchParams(q="变压器"))


def test_rebuild_builds_a_new_directory_and_swaps_current(
    app, make_listing, enterprise
):
    made = make_listing(enterprise, title="重建 变压器 REBUILD1")
    with app.app_context():
        assert rebuild() == 1
        first = current_dir(index_root())
        assert search(SearchParams(q="REBUILD1")).ids == [made.id]  # searcher cached

        second_made = make_listing(enterprise, title="重建 变压器 REBUILD2")
        assert rebuild() == 2
        second = current_dir(index_root())

        assert first != second and not first.exists()
        assert os.readlink(index_root() / CURRENT) == second.name  # relative link
        assert _index_dirs(app) == [second.name]
        # The cached searcher notices the new target on its next search.
        assert search(SearchParams(q="REBUILD2")).ids == [second_made.id]


def test_a_parallel_rebuild_writes_one_segment_per_writer_and_finds_the_same(
    app, make_listing, enterprise, monkeypatch
):
    made = [
        make_listing(enterprise, title=f"并行 变压器 PARALLEL{number}", price_cny=str(n))
        for number, n in enumerate((900, 100, 500, 300, 700))
    ]
    monkeypatch.setitem(app.config, "MARKET_SEARCH_REBUILD_PROCS", 1)
    with app.app_context():
        assert rebuild() == 5
        serial = search(SearchParams(q="并行 变压器", sort="price_asc"))
    monkeypatch.setitem(app.config, "MARKET_SEARCH_REBUILD_PROCS", 2)
    with app.app_context():
        assert rebuild() == 5
        # The documents went through a writer process (one batch: one segment).
        with whoosh_index.open_dir(str(current_dir(index_root()))).reader() as reader:
            assert reader.doc_count() == 5
        parallel = search(SearchParams(q="并行 变压器", sort="price_asc"))
        assert check_index() == {"missing": [], "stale": [], "extra": []}
    assert parallel.total == serial.total == 5
    assert parallel.ids == serial.ids == [made[i].id for i in (1, 3, 2, 4, 0)]
    assert parallel.facets == serial.facets


def test_rebuild_indexes_exactly_the_listings_that_incremental_updates_do(
    app, make_listing, enterprise, factory, searching
):
    made = _mixed_listings(make_listing, enterprise)
    searching.sync(*made["public"], *made["hidden"])
    incremental = searching.indexed()

    with app.app_context():
        rebuild()
    rebuilt = searching.indexed()

    assert incremental == rebuilt == {listing_id: 1 for listing_id in made["public"]}
    with app.app_context():
        assert check_index() == {"missing": [], "stale": [], "extra": []}


def test_rebuild_reports_progress_and_clears_covered_outbox_rows(
    app, make_listing, enterprise, searching
):
    ids = [make_listing(enterprise, title=f"进度 {n}").id for n in range(3)]
    with app.app_context():
        for listing_id in ids:
            enqueue_listing(listing_id)
        db.session.commit()
        calls = []
        assert rebuild(progress=lambda done, total: calls.append((done, total))) == 3
    assert calls == [(3, 3)]
    assert searching.outbox() == []


def test_index_check_reports_missing_stale_and_extra(
    app, runner, make_listing, enterprise, searching
):
    kept = make_listing(enterprise, title="正常 CHECK0")
    edited = make_listing(enterprise, title="将被修改 CHECK1")
    withdrawn = make_listing(enterprise, title="将被撤回 CHECK2")
    searching.sync(kept.id, edited.id, withdrawn.id)
    missing = make_listing(enterprise, title="未入队 CHECK3")  # nothing enqueued
    with app.app_context():
        db.session.get(Listing, edited.id).title = "改过的标题 CHECK1"
        listing = db.session.get(Listing, withdrawn.id)
        services.withdraw_listing(listing.enterprise.users[0], listing)
        db.session.commit()  # changed without an outbox row: the index is behind
        assert check_index() == {
            "missing": [missing.id],
            "stale": [edited.id],
            "extra": [withdrawn.id],
        }

    result = runner.invoke(args=["index-check"])
    assert result.exit_code == 1
    assert f"missing: 1 {missing.id}" in result.output
    assert f"stale: 1 {edited.id}" in result.output
    assert f"extra: 1 {withdrawn.id}" in result.output

    result = runner.invoke(args=["index-check", "--enqueue"])
    assert result.exit_code == 1
    assert "3 listings queued" in result.output
    searching.apply()

    result = runner.invoke(args=["index-check"])
    assert result.exit_code == 0, result.output
    assert "missing: 0" in result.output and "OK" in result.output
    assert searching.ids("CHECK1") == [edited.id]


def test_index_check_without_an_index_exits_1(app, runner):
    result = runner.invoke(args=["index-check"])
    assert result.exit_code == 1
    assert "unavailable" in result.output


# Whoosh does not close a segment file it fails to read; CPython closes it on release.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("damage", ["toc", "segment"])
def test_a_corrupted_index_is_unavailable_pages_still_work_and_reindex_fixes_it(
    app, client, runner, make_listing, enterprise, searching, damage
):
    made = make_listing(enterprise, title="损坏 变压器 BROKEN1")
    searching.sync(made.id)
    target = current_dir(_root(app))
    if damage == "toc":
        for toc in target.glob("_MAIN_*.toc"):
            toc.unlink()
    else:
        for segment in target.glob("*.seg"):
            segment.write_bytes(segment.read_bytes()[:10])
        for postings in target.glob("*.pst"):
            postings.write_bytes(b"")

    from market.search.index import close_searchers

    close_searchers()  # a worker that starts after the damage
    with app.app_context(), pytest.raises(SearchUnavailable):
        search(SearchParams(q="BROKEN1"))
    assert client.get("/").status_code == 200
    assert client.get(f"/listings/{made.id}").status_code == 200

    result = runner.invoke(args=["reindex"])

    assert result.exit_code == 0, result.output
    assert "1 listings indexed" in result.output
    assert searching.ids("BROKEN1") == [made.id]
    with app.app_context():
        assert check_index() == {"missing": [], "stale": [], "extra": []}


def test_the_writer_rebuilds_a_missing_or_unreadable_index_by_itself(
    app, make_listing, enterprise, searching
):
    made = make_listing(enterprise, title="自愈 HEAL1")
    target = current_dir(_root(app))
    for toc in target.glob("_MAIN_*.toc"):
        toc.unlink()
    with app.app_context():
        enqueue_listing(made.id)
        db.session.commit()
    searching.apply()
    assert searching.ids("HEAL1") == [made.id]
    assert searching.outbox() == []


def test_the_writer_rebuilds_an_index_of_an_older_schema_version(
    app, make_listing, enterprise, searching
):
    made = make_listing(enterprise, title="旧版本 OLDSCHEMA")
    root = _root(app)
    old = current_dir(root)
    renamed = old.with_name(old.name.replace("index-v", "index-v0", 1))
    old.rename(renamed)
    (root / CURRENT).unlink()
    (root / CURRENT).symlink_to(renamed.name)

    searching.apply()  # nothing enqueued: the version alone triggers the rebuild

    assert current_dir(root).name.startswith(f"index-v{SCHEMA_VERSION}-")
    assert not renamed.exists()
    assert searching.ids("OLDSCHEMA") == [made.id]
