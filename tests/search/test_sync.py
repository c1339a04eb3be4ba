"""The outbox and the single writer: what gets indexed, when, and crash safety."""

import threading
from datetime import timedelta

import pytest
from market.accounts.models import User
from market.database import china_today
from market.enterprises.models import DecisionAction, Enterprise
from market.extensions import db
from market.listings import services
from market.listings.models import Listing
from market.moderation.services import decide
from market.search import (
    apply_outbox,
    enqueue_enterprise,
    enqueue_listing,
    start_worker_thread,
    stop_worker_thread,
)
from market.search import query, sync
from tests.listings.conftest import offer_input


def _listing_and_user(listing_id, user_id):
    return db.session.get(Listing, listing_id), db.session.get(User, user_id)


def test_a_published_listing_is_findable_once_applied(
    make_listing, enterprise, searching
):
    made = make_listing(enterprise, title="二手干式变压器 SCB10-1000/10")
    assert searching.ids("SCB10") == []  # nothing enqueued yet

    searching.sync(made.id)

    assert searching.ids("SCB10") == [made.id]
    assert searching.outbox() == []


@pytest.mark.parametrize(
    "status", ["pending", "draft", "rejected", "withdrawn", "sold", "expired"]
)
def test_listings_that_are_not_public_are_never_indexed(
    make_listing, enterprise, searching, status
):
    made = make_listing(enterprise, status=status, title="不公开的 变压器 ZZTEST")
    searching.sync(made.id)
    assert searching.indexed() == {}
    assert searching.ids("ZZTEST") == []


@pytest.mark.parametrize("change", ["withdraw", "sold", "expire"])
def test_a_listing_leaves_the_index_when_it_stops_being_public(
    app, make_listing, enterprise, searching, change
):
    made = make_listing(enterprise, title="即将下架 变压器 GONE1")
    searching.sync(made.id)
    assert searching.ids("GONE1") == [made.id]

    with app.app_context():
        listing, owner = _listing_and_user(made.id, enterprise["user_id"])
        if change == "withdraw":
            services.withdraw_listing(owner, listing)
        elif change == "sold":
            services.mark_sold(owner, listing)
        else:
            listing.valid_until = china_today() - timedelta(days=1)
            db.session.flush()
            services.expire_listings()
        enqueue_listing(made.id)
        db.session.commit()
        assert apply_outbox() >= 1

    assert searching.ids("GONE1") == []
    assert searching.outbox() == []
    assert searching.indexed() == {}


def test_suspending_the_enterprise_removes_its_listings_and_reinstating_restores_them(
    app, make_listing, enterprise, factory, searching
):
    first = make_listing(enterprise, title="企业甲 变压器 SUSP1")
    second = make_listing(enterprise, kind="wanted", title="企业甲 求购 SUSP1")
    bystander = make_listing(factory.enterprise(), title="企业乙 变压器 SUSP1")
    searching.sync(first.id, second.id, bystander.id)
    assert sorted(searching.ids("SUSP1")) == sorted([first.id, second.id, bystander.id])
    moderator_id = factory.moderator()["user_id"]

    for action, expected in (
        (DecisionAction.SUSPENDED, [bystander.id]),
        (DecisionAction.REINSTATED, sorted([first.id, second.id, bystander.id])),
    ):
        with app.app_context():
            company = db.session.get(Enterprise, enterprise["id"])
            decide(db.session.get(User, moderator_id), company, action, "test")
            enqueue_enterprise(company.id)
            db.session.commit()
            apply_outbox()
        assert sorted(searching.ids("SUSP1")) == expected


def test_an_approved_revision_replaces_the_indexed_title(
    app, make_listing, enterprise, factory, searching
):
    made = make_listing(enterprise, title="旧标题 变压器 OLDTITLE")
    searching.sync(made.id)
    moderator_id = factory.moderator()["user_id"]

    with app.app_context():
        listing, owner = _listing_and_user(made.id, enterprise["user_id"])
        services.update_listing(
            owner, listing, offer_input(title="新标题 变压器 NEWTITLE")
        )
        db.session.commit()
    searching.sync(made.id)  # a pending revision changes nothing public
    assert searching.ids("OLDTITLE") == [made.id]
    assert searching.ids("NEWTITLE") == []

    with app.app_context():
        listing = db.session.get(Listing, made.id)
        services.approve_revision(db.session.get(User, moderator_id), listing)
        enqueue_listing(made.id)
        db.session.commit()
        apply_outbox()

    assert searching.ids("NEWTITLE") == [made.id]
    assert searching.ids("OLDTITLE") == []
    assert searching.indexed() == {made.id: 1}


def test_duplicate_rows_coalesce_into_one_document(
    app, make_listing, enterprise, searching
):
    made = make_listing(enterprise)
    with app.app_context():
        for _ in range(5):
            enqueue_listing(made.id)
        db.session.commit()
    rows = searching.outbox()
    assert rows.count(made.id) >= 5
    assert searching.apply() == len(rows)
    assert searching.indexed() == {made.id: 1}
    assert searching.outbox() == []


def test_limit_applies_the_oldest_rows_first(app, make_listing, enterprise, searching):
    first = make_listing(enterprise, title="第一 LIMITA")
    second = make_listing(enterprise, title="第二 LIMITB")
    searching.apply()
    with app.app_context():
        db.session.get(Listing, first.id).title = "第一 改 LIMITC"
        db.session.get(Listing, second.id).title = "第二 改 LIMITD"
        enqueue_listing(second.id)
        enqueue_listing(first.id)
        db.session.commit()
        assert apply_outbox(limit=1) == 1
    assert searching.ids("LIMITD") == [second.id]
    assert searching.ids("LIMITA") == [first.id]  # not yet
    assert searching.outbox() == [first.id]
    assert searching.apply() == 1
    assert searching.ids("LIMITC") == [first.id]
    assert searching.indexed() == {first.id: 1, second.id: 1}


def test_enqueue_enterprise_adds_one_row_per_listing_without_committing(
    app, make_listing, enterprise, factory, searching
):
    ids = [make_listing(enterprise).id, make_listing(enterprise, status="draft").id]
    make_listing(factory.enterprise())
    searching.apply()
    with app.app_context():
        enqueue_enterprise(enterprise["id"])
        pending = sorted(row.listing_id for row in db.session.new)
        db.session.rollback()
    assert pending == sorted(ids)
    assert searching.outbox() == []


def test_a_crash_after_the_index_commit_leaves_rows_that_the_next_run_applies_once(
    app, make_listing, enterprise, searching, monkeypatch
):
    made = make_listing(enterprise, title="崩溃测试 CRASHME")
    searching.apply()

    def die(row_ids):
        raise RuntimeError("killed between the index commit and the outbox delete")

    with app.app_context():
        enqueue_listing(made.id)
        enqueue_listing(made.id)
        db.session.commit()
        monkeypatch.setattr(sync, "_delete_rows", die)
        with pytest.raises(RuntimeError):
            apply_outbox()
        monkeypatch.undo()

    assert searching.outbox() == [made.id, made.id]  # still there
    assert searching.indexed() == {made.id: 1}  # the index commit had happened

    assert searching.apply() == 2
    assert searching.outbox() == []
    assert searching.indexed() == {made.id: 1}
    assert searching.ids("CRASHME") == [made.id]


def test_a_crash_before_the_index_commit_changes_nothing(
    app, make_listing, enterprise, searching, monkeypatch
):
    made = make_listing(enterprise, title="崩溃测试 CRASH2")

    def die(index, listing_ids):
        raise RuntimeError("killed while writing")

    with app.app_context():
        enqueue_listing(made.id)
        db.session.commit()
        monkeypatch.setattr(sync, "_apply", die)
        with pytest.raises(RuntimeError):
            apply_outbox()
        monkeypatch.undo()

    assert searching.indexed() == {}
    assert set(searching.outbox()) == {made.id}
    searching.apply()
    assert searching.outbox() == []
    assert searching.indexed() == {made.id: 1}


def test_two_concurrent_writers_lose_nothing(app, make_listing, enterprise, searching):
    made = [make_listing(enterprise, title=f"并发 变压器 CONC{n}").id for n in range(6)]
    stop = threading.Event()
    errors = []

    def writer():
        while not stop.is_set():
            try:
                with app.app_context():
                    apply_outbox()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
                return

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for _round in range(3):
            for listing_id in made:
                with app.app_context():
                    enqueue_listing(listing_id)
                    db.session.commit()
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    searching.apply()

    assert errors == []
    assert searching.outbox() == []
    assert searching.indexed() == {listing_id: 1 for listing_id in made}


def test_a_listing_past_its_date_is_hidden_before_the_expiry_job_runs(
    app, make_listing, enterprise, searching, monkeypatch
):
    made = make_listing(enterprise, title="过期未处理 LATE1")
    searching.sync(made.id)
    with app.app_context():
        valid_until = db.session.get(Listing, made.id).valid_until
    monkeypatch.setattr(query, "china_today", lambda: valid_until)
    assert searching.ids("LATE1") == [made.id]  # its last day

    # The next day: still "published" and indexed until the expiry job runs.
    monkeypatch.setattr(query, "china_today", lambda: valid_until + timedelta(days=1))
    assert searching.ids("LATE1") == []
    assert searching.find("").total == 0


def test_the_worker_thread_drains_the_outbox(app, make_listing, enterprise, searching):
    made = make_listing(enterprise, title="后台线程 THREAD1")
    with app.app_context():
        enqueue_listing(made.id)
        db.session.commit()
    start_worker_thread(app)
    try:
        for _ in range(100):
            if _has_index(app) and searching.outbox() == [] and searching.indexed():
                break
            threading.Event().wait(0.1)
    finally:
        stop_worker_thread(app)
    assert searching.ids("THREAD1") == [made.id]


def _has_index(app) -> bool:
    from market.search.index import current_dir, index_root

    with app.app_context():
        return current_dir(index_root()) is not None


def test_the_worker_keeps_going_after_an_error(app, monkeypatch):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return 0

    monkeypatch.setattr(sync, "apply_outbox", flaky)
    stop = threading.Event()
    thread = threading.Thread(
        target=sync.run_worker,
        args=(app,),
        kwargs={"interval": 0.01, "stop": stop, "reconcile_every": 0},
    )
    thread.start()
    for _ in range(200):
        if len(calls) >= 2:
            break
        threading.Event().wait(0.01)
    stop.set()
    thread.join(5)
    assert len(calls) >= 2


def test_the_index_worker_command_applies_once(
    app, runner, make_listing, enterprise, searching
):
    made = make_listing(enterprise, title="命令行 CLI1")
    searching.apply()
    with app.app_context():
        db.session.get(Listing, made.id).title = "命令行 改 CLI2"
        enqueue_listing(made.id)
        db.session.commit()

    result = runner.invoke(args=["index-worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "1 outbox rows applied" in result.output
    assert searching.ids("CLI2") == [made.id]


def test_a_new_listing_is_indexed_through_the_service_and_outbox(
    app, enterprise, searching
):
    """The shape the services use: change, enqueue, one commit; then the writer."""
    with app.app_context():
        owner = db.session.get(User, enterprise["user_id"])
        listing = services.create_listing(owner, offer_input(title="草稿 DRAFTX"))
        db.session.flush()
        enqueue_listing(listing.id)
        db.session.commit()
        apply_outbox()
    assert searching.ids("DRAFTX") == []
