"""The authorization matrix run against the app (SECURITY.md C1, C3, C6, F1, F3).

(a) every route of app.url_map is classified in tests/access_matrix.py;
(b) every cell (case × role) gives the expected status, and a refusal changes nothing;
(c) every POST route refuses a request without a CSRF token, for every role;
(d) no GET route changes the database (any table, any row) or the uploads, for any role.
(b)–(d) run together, cell by cell, in test_access_matrix_cell.

All cells share one app and world (restored after a cell that may have changed
data), so the cells run last in this module: under PostgreSQL their world must not
overlap with the function-scoped `app` of the other tests.
"""

import shutil
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from werkzeug.exceptions import MethodNotAllowed

from market.extensions import db, limiter
from tests.access_matrix import (
    LOGIN,
    MATRIX,
    ROLES,
    Redirect,
    build_world,
    cells,
    endpoint_of,
    location_path,
    quick_world_building,
    share_compiled_templates,
    sign_in,
    snapshot,
)
from tests.conftest import (
    POSTGRES_URL,
    Factory,
    make_test_app,
)

IGNORED_METHODS = {"HEAD", "OPTIONS"}
DENIED = {400, 403, 404, 405, 409}
POST_CASES = [
    case
    for case, entry in MATRIX.items()
    if entry["method"] == "POST" and not set(entry["expect"].values()) <= {405, LOGIN}
]


@pytest.fixture(scope="session")
def world_template(migrated_database, tmp_path_factory):
    """SQLite: the world built once into a database file and an upload folder that
    tests copy. PostgreSQL: None (each test builds the world in the database)."""
    if POSTGRES_URL:
        return None
    base = tmp_path_factory.mktemp("access_world")
    shutil.copyfile(migrated_database.removeprefix("sqlite:///"), base / "world.sqlite")
    template_app = make_test_app(f"sqlite:///{base / 'world.sqlite'}", base)
    with quick_world_building():
        world = build_world(Factory(template_app))
    with template_app.app_context():
        db.session.remove()
        db.engine.dispose()
    return base, world


def _copy_world(template, target) -> str:
    base, _world = template
    for suffix in ("-wal", "-shm"):
        (target / f"market.sqlite{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base / "world.sqlite", target / "market.sqlite")
    shutil.rmtree(target / "uploads", ignore_errors=True)
    shutil.copytree(base / "uploads", target / "uploads")
    return f"sqlite:///{target / 'market.sqlite'}"


@pytest.fixture
def database_url(world_template, migrated_database, tmp_path):
    """Overrides conftest's: a copy of the world's database and uploads."""
    if world_template is None:
        return POSTGRES_URL
    return _copy_world(world_template, tmp_path)


@pytest.fixture
def world(world_template, app, factory):
    share_compiled_templates(app)
    if world_template is not None:
        return world_template[1]
    with quick_world_building():
        return build_world(factory)


def _request(app, world, case, role, with_token=True):
    entry = MATRIX[case]
    client = app.test_client()
    data = dict(entry["data"](world)) if "data" in entry else {}
    token = sign_in(app, client, world, role, csrf=with_token)
    if entry["method"] == "POST" and with_token:
        data["csrf_token"] = token
    response = client.open(entry["url"](world), method=entry["method"], data=data)
    response.get_data()  # buffer the body, so closing releases a streamed file
    response.close()
    return response


def _check(response, expected, world, label):
    if expected == LOGIN:
        assert response.status_code == 302, label
        assert location_path(response) == "/accounts/login", label
    elif isinstance(expected, Redirect):
        assert response.status_code == 302, label
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost"), label
        assert location_path(response) == expected.path(world), label
    else:
        assert response.status_code == expected, label


def _is_denial(expected) -> bool:
    return expected == LOGIN or expected in DENIED


def _refused_method(entry) -> bool:
    return set(entry["expect"].values()) <= {405, LOGIN}


def test_every_route_is_in_the_matrix(app):
    """(a) A new route fails here until someone classifies it in access_matrix.py."""
    classified = {
        (endpoint_of(case), entry["method"]) for case, entry in MATRIX.items()
    }
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }
    assert sorted(routes - classified) == []
    # Nothing stale: every case still names an existing route (a case that
    # expects 405 names a method its route refuses).
    allowed = {
        (endpoint_of(case), entry["method"])
        for case, entry in MATRIX.items()
        if not _refused_method(entry)
    }
    assert sorted(allowed - routes) == []
    assert (
        sorted({endpoint_of(case) for case in MATRIX} - {e for e, _m in routes}) == []
    )


def test_every_case_reaches_its_endpoint(app, world):
    """A case's URL is routed to the endpoint it names (or refused there with 405)."""
    adapter = app.url_map.bind("localhost")
    for case, entry in MATRIX.items():
        assert set(entry["expect"]) == set(ROLES), case
        path = entry["url"](world).split("?", 1)[0]
        if _refused_method(entry):
            with pytest.raises(MethodNotAllowed):
                adapter.match(path, method=entry["method"])
            continue
        endpoint, _arguments = adapter.match(path, method=entry["method"])
        assert endpoint == endpoint_of(case), case


def test_post_cases_cover_every_post_route(app):
    """The CSRF sweep below is not vacuous: it reaches every endpoint taking POST."""
    post_endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods
    }
    assert post_endpoints == {endpoint_of(case) for case in POST_CASES}


# The cells: (b), with (c) and (d) checked in every cell they apply to.
# Keep this last in the module (see the module docstring).


class SharedWorld:
    """One app and world for all the cells; reset() restores the world after a cell
    that may have changed it (one app instead of one per cell keeps this fast)."""

    def __init__(self, template, directory):
        self.template = template
        self.directory = directory
        if template is not None:
            self.world = template[1]
            url = _copy_world(template, directory)
        else:
            url = POSTGRES_URL
        self.app = make_test_app(url, directory)
        share_compiled_templates(self.app)
        if template is None:
            self._truncate()
            self._build()
        self.dirty = False
        self.pristine = snapshot(self.app)

    def _build(self):
        with quick_world_building():
            self.world = build_world(Factory(self.app))

    def _truncate(self):
        with self.app.app_context():
            db.session.remove()
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        shutil.rmtree(self.directory / "uploads", ignore_errors=True)

    def reset(self):
        limiter.reset()
        if self.template is not None:
            with self.app.app_context():
                db.session.remove()
                db.engine.dispose()
            _copy_world(self.template, self.directory)
        else:
            self._truncate()
            self._build()
            self.pristine = snapshot(self.app)
        self.dirty = False

    def close(self):
        if self.template is None:
            self._truncate()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def shared_world(world_template, tmp_path_factory):
    shared = SharedWorld(world_template, tmp_path_factory.mktemp("cells"))
    yield shared
    shared.close()


@pytest.mark.parametrize(
    ("case", "role"), cells(), ids=[f"{c}-{r}" for c, r in cells()]
)
def test_access_matrix_cell(shared_world, case, role):
    """One role on one route.

    (c) a POST without a CSRF token is refused with 400 and changes nothing;
    (b) with the token: the expected outcome, and a refusal changes nothing;
    (d) a GET changes nothing, whatever its outcome (nor does a case marked
        "changes_nothing", for any role).
    """
    if shared_world.dirty:
        shared_world.reset()
    app, world = shared_world.app, shared_world.world
    entry = MATRIX[case]
    expected = entry["expect"][role]
    label = f"{case} as {role}"
    if case in POST_CASES:
        response = _request(app, world, case, role, with_token=False)
        assert response.status_code == 400, f"{label} without a CSRF token"
        assert snapshot(app) == shared_world.pristine, f"{label} without a CSRF token"
    unchanged = (
        entry["method"] == "GET"
        or _is_denial(expected)
        or entry.get("changes_nothing", False)
    )
    # A cell that may change data spoils the world for the next one.
    shared_world.dirty = not unchanged
    response = _request(app, world, case, role)
    _check(response, expected, world, label)
    if unchanged:
        assert snapshot(app) == shared_world.pristine, f"{label} changed data"
