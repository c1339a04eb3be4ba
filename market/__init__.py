"""电力二手设备供需平台: the application factory."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    test_config: Mapping[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, CLI."""
    from market import settings
    from market.accounts.views import blueprint as accounts_blueprint
    from market.cli import register_commands
    from market.enterprises.views import blueprint as enterprises_blueprint
    from market.errors import register_error_handlers
    from market.extensions import init_extensions
    from market.inquiries.views import blueprint as inquiries_blueprint
    from market.labels import register_template_helpers
    from market.ledger.views import blueprint as ledger_blueprint
    from market.listings.presentation import register_listing_helpers
    from market.listings.views import blueprint as listings_blueprint
    from market.main.views import blueprint as main_blueprint
    from market.matching.services import register_matching
    from market.matching.views import blueprint as matching_blueprint
    from market.moderation.views import blueprint as moderation_blueprint
    from market.notifications.cli import register_mail_commands
    from market.notifications.mailer import register_mail_worker
    from market.notifications.views import blueprint as notifications_blueprint
    from market.notifications.views import register_inbox_badge
    from market.saved_searches.alerts import register_saved_search_alerts
    from market.saved_searches.views import blueprint as saved_searches_blueprint
    from market.search import register_search_worker
    from market.search.cli import register_search_commands
    from market.search.views import blueprint as search_blueprint
    from market.security import register_security
    from market.stats.views import blueprint as stats_blueprint

    app = Flask(
        __name__,
        instance_path=settings.resolve_instance_path(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    settings.load(app, test_config)

    init_extensions(app)
    import market.models  # noqa: F401  (every table, for the metadata)
    register_security(app)

    app.register_blueprint(main_blueprint)
    app.register_blueprint(accounts_blueprint)
    app.register_blueprint(enterprises_blueprint)
    app.register_blueprint(listings_blueprint)
    app.register_blueprint(ledger_blueprint)
    app.register_blueprint(inquiries_blueprint)
    app.register_blueprint(search_blueprint)
    app.register_blueprint(moderation_blueprint)
    app.register_blueprint(stats_blueprint)
    app.register_blueprint(notifications_blueprint)
    app.register_blueprint(saved_searches_blueprint)
    app.register_blueprint(matching_blueprint)

    register_template_helpers(app)
    register_listing_helpers(app)
    register_inbox_badge(app)
    register_error_handlers(app)
    register_commands(app)
    register_search_commands(app)
    register_search_worker(app)
    register_mail_commands(app)
    register_mail_worker(app)
    register_saved_search_alerts(app)
    register_matching(app)
    return app

