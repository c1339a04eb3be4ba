"""How a notification reads: one sentence per kind, and its e-mail per recipient.

Rendering is generic by kind and payload: the features that notify may put these
keys into the payload, each read before falling back to the database rows:

- "title": the post's title (default: the post of listing_id);
- "other_title": the other post of a match (default: counterpart_listing_id's);
- "sender": the other enterprise's name (default: the inquiry's other party);
- "search_name": the saved search's name (default: the saved search's row);
- "score": a match's score (0-100); "excerpt": the start of a message;
- "price": a quoted price, as text.

Mail templates live in templates/notifications/mail/<kind>.txt: the first line is
the subject, the rest the body. They are plain text, so Jinja does not escape
them (no HTML reaches a text/plain e-mail); they are rendered in the recipient's
language (User.locale, else MARKET_DEFAULT_LOCALE).
"""

from collections.abc import Mapping, Sequence

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import lazy_gettext as _l

from market.accounts.models import User
from market.extensions import db
from market.i18n import SUPPORTED_LOCALES
from market.inquiries.models import Inquiry
from market.notifications.links import external_url, target_url
from market.notifications.models import Notification, NotificationKind
from market.saved_searches.models import SavedSearch

SUBJECT_MAX = 200
EXCERPT_CHARS = 200

SENTENCES = {
    NotificationKind.MATCH: _l("Your post “%(title)s” matches “%(other_title)s”."),
    NotificationKind.SAVED_SEARCH: _l(
        "A new post “%(title)s” matches your saved search “%(search_name)s”."
    ),
    NotificationKind.INQUIRY_RECEIVED: _l(
        "%(sender)s sent an inquiry on your post “%(title)s”."
    ),
    NotificationKind.INQUIRY_MESSAGE: _l(
        "%(sender)s sent a message about “%(title)s”."
    ),
    NotificationKind.INQUIRY_QUOTED: _l("%(sender)s sent a quote for “%(title)s”."),
    NotificationKind.INQUIRY_AGREED: _l(
        "%(sender)s agreed to the deal on “%(title)s”."
    ),
    NotificationKind.INQUIRY_CLOSED: _l(
        "%(sender)s closed the inquiry on “%(title)s”."
    ),
}
KIND_LABELS = {
    NotificationKind.MATCH: _l("Match"),
    NotificationKind.SAVED_SEARCH: _l("Saved search"),
    NotificationKind.INQUIRY_RECEIVED: _l("Inquiry"),
    NotificationKind.INQUIRY_MESSAGE: _l("Message"),
    NotificationKind.INQUIRY_QUOTED: _l("Quote"),
    NotificationKind.INQUIRY_AGREED: _l("Deal"),
    NotificationKind.INQUIRY_CLOSED: _l("Closed"),
}


def details(
    notification: Notification,
    inquiry=None,
    saved_search=None,
    titles: Mapping[int, str] | None = None,
) -> dict:
    """The values the sentence and the mail templates use (payload first; then
    ``titles``, post id -> title, when the caller loaded them; then the rows)."""
    payload = notification.payload or {}
    known = titles or {}
    own_id, other_id = notification.listing_id, notification.counterpart_listing_id
    title = known.get(own_id) if own_id is not None else None
    other_title = known.get(other_id) if other_id is not None else None
    listing = notification.listing if title is None else None
    counterpart = notification.counterpart_listing if other_title is None else None
    if inquiry is None and notification.inquiry_id is not None:
        inquiry = db.session.get(Inquiry, notification.inquiry_id)
    if (
        saved_search is None
        and notification.saved_search_id is not None
        and not payload.get("search_name")
    ):
        saved_search = db.session.get(SavedSearch, notification.saved_search_id)
    sender = payload.get("sender")
    if not sender and inquiry is not None:
        other = (
            inquiry.owner_enterprise
            if inquiry.sender_enterprise_id == notification.enterprise_id
            else inquiry.sender_enterprise
        )
        sender = other.name if other is not None else ""
    if title is None and listing is None and inquiry is not None:
        listing = inquiry.listing
    if title is None:
        title = listing.title if listing else ""
    if other_title is None:
        other_title = counterpart.title if counterpart else ""
    return {
        "title": payload.get("title") or title,
        "other_title": payload.get("other_title") or other_title,
        "sender": sender or "",
        "search_name": payload.get("search_name")
        or (saved_search.name if saved_search else ""),
        "score": payload.get("score"),
        "excerpt": str(payload.get("excerpt") or "")[:EXCERPT_CHARS],
        "price": payload.get("price") or "",
    }


def sentence(notification: Notification, values: dict | None = None) -> str:
    """What happened, in one translated sentence (in the current language)."""
    values = values if values is not None else details(notification)
    return str(SENTENCES[notification.kind]) % values


def recipient_locale(user: User) -> str:
    """The language of a user's mail: theirs if they chose one, else the default."""
    if user.locale in SUPPORTED_LOCALES:
        return user.locale
    return current_app.config["MARKET_DEFAULT_LOCALE"]


def render_mail(notification: Notification, user: User) -> tuple[str, str]:
    """(subject, body) of the notification's e-mail to one user, in their language."""
    [(_pair, mail)] = render_all_mails([(notification, [user])])
    return mail


Mail = tuple[tuple[Notification, User], tuple[str, str]]


def render_all_mails(
    batch: Sequence[tuple[Notification, Sequence[User]]],
    titles: Mapping[int, str] | None = None,
) -> list[Mail]:
    """((notification, user), (subject, body)) of each notification's e-mail to
    each of its users, in the user's language, in the batch's order.

    The values, the link and the template are worked out once per notification;
    the language is switched once per language of the batch, not per mail (each
    switch parses the locale); the sentence is made once per notification and
    language. ``titles`` (post id -> title) spares loading the posts.
    """
    shared = []
    by_locale: dict[str, list[tuple[int, int]]] = {}
    for number, (notification, users) in enumerate(batch):
        values = details(notification, titles=titles)
        context = dict(
            values,
            link=target_url(notification),
            inbox_link=external_url("notifications.index"),
            notification=notification,
        )
        # The template itself, not render_template: no context processors (the
        # inbox badge would query for the user of the request) and no signals.
        template = current_app.jinja_env.get_template(
            f"notifications/mail/{notification.kind.value}.txt"
        )
        shared.append((values, context, template))
        for position, user in enumerate(users):
            by_locale.setdefault(recipient_locale(user), []).append((number, position))
    rendered: dict[tuple[int, int], tuple[str, str]] = {}
    for locale, places in by_locale.items():
        with force_locale(locale):
            gettext = _translating(get_translations())
            sentences: dict[int, str] = {}
            for number, position in places:
                notification, users = batch[number]
                values, context, template = shared[number]
                if number not in sentences:
                    sentences[number] = sentence(notification, values)
                text = template.render(
                    context,
                    sentence=sentences[number],
                    recipient=users[position],
                    gettext=gettext,
                )
                rendered[number, position] = _split(text)
    return [
        ((notification, user), rendered[number, position])
        for number, (notification, users) in enumerate(batch)
        for position, user in enumerate(users)
    ]


def _translating(translations):
    """The templates' gettext for one language, remembering each message.

    Jinja's ``_()`` calls the ``gettext`` of the render context; this one does
    what Flask-Babel's (newstyle) does for the mail templates, which are plain
    text and never autoescaped, without looking the language's translations up
    again for each of the half-dozen messages of every mail.
    """
    known: dict[str, str] = {}

    def gettext(message: str, **variables) -> str:
        text = known.get(message)
        if text is None:
            text = known[message] = translations.ugettext(message)
        return text % variables

    return gettext


def render_text_mail(name: str, context: dict) -> tuple[str, str]:
    """(subject, body) of templates/notifications/mail/<name>.txt, in the current
    language: the first line is the subject, the rest the body."""
    # The template itself, not render_template: no context processors (the
    # inbox badge would query for the user of the request) and no signals.
    template = current_app.jinja_env.get_template(f"notifications/mail/{name}.txt")
    return _split(template.render(context))


def _split(text: str) -> tuple[str, str]:
    subject, _newline, body = text.partition("\n")
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    return subject, body.strip("\n") + "\n"
