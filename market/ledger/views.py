"""Asset-ledger pages: the template, the all-or-nothing import, the export."""

import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.exceptions import NotAllowed, ValidationFailed
from market.extensions import db
from market.forms import apply_reasons
from market.ledger import services, spreadsheet
from market.listings.forms import ImportForm

blueprint = Blueprint("ledger", __name__, url_prefix="/ledger")

# The count of the last import, shown once by the result page (post/redirect/get).
RESULT_KEY = "ledger_imported"
MAX_SHOWN_ERRORS = 500


def _refusal():
    """None for a user of an approved enterprise, else the response that refuses."""
    if current_user.enterprise is None:
        abort(404)
    if not current_user.can_publish:
        flash(_("Only approved enterprises can publish."), "error")
        return redirect(url_for("enterprises.mine"))
    return None


@blueprint.route("/import", methods=["GET", "POST"])
@login_required
def import_page():
    refusal = _refusal()
    if refusal is not None:
        return refusal
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = request.files.get("ledger")
        if upload is None or not upload.filename:
            form.ledger.errors = [_("Choose a file to upload.")]
        else:
            try:
                result = services.import_ledger(
                    current_user,
                    upload.filename,
                    upload.stream.read(spreadsheet.MAX_BYTES + 1),
                )
                if result.ok:
                    db.session.commit()
            except ValidationFailed as failure:
                db.session.rollback()
                apply_reasons(form, failure)
            except Exception:
                db.session.rollback()
                raise
            else:
                if result.ok:
                    session[RESULT_KEY] = result.created
                    return redirect(url_for("ledger.imported"))
                db.session.rollback()
    return render_template(
        "ledger/import.html",
        form=form,
        result=result,
        max_shown=MAX_SHOWN_ERRORS,
        max_bytes=spreadsheet.MAX_BYTES,
        max_rows=spreadsheet.MAX_ROWS,
    )


@blueprint.route("/import/done")
@login_required
def imported():
    count = session.pop(RESULT_KEY, None)
    if count is None:
        return redirect(url_for("listings.mine", status="pending"))
    return render_template("ledger/import.html", form=None, imported=count)


@blueprint.route("/template.xlsx")
@login_required
def template():
    return _xlsx(spreadsheet.build_template(), "设备台账模板.xlsx")


@blueprint.route("/export.xlsx")
@login_required
def export():
    try:
        data = services.export_ledger(current_user)
    except NotAllowed:
        abort(404)
    return _xlsx(data, "我的设备信息.xlsx")


def _xlsx(data: bytes, download_name: str):
    response = send_file(
        io.BytesIO(data),
        mimetype=spreadsheet.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=download_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
