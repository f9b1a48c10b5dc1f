"""`/staff/mail/`: the mails that have not gone out yet, so staff know when a mail server needs a look.

Admins and editors see what is waiting, what failed and why; only admins see to whom (editors answer
ideas, which queues mails, but the addresses are the senders' own). Sent mails are not listed.
"""
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from engagement.common.access import builder_required
from engagement.mail.models import OutgoingMail
from engagement.mail.sending import MAX_ATTEMPTS
from engagement.models import Role
from extensions import db, owned_or_404, page_of, utcnow

bp = Blueprint("mail_staff", __name__, url_prefix="/staff/mail")
PAGE_SIZE = 50


@bp.get("/")
@builder_required
def queue():
    """Waiting mails first by when they are due, then those given up, newest first."""
    mine = OutgoingMail.organisation_id == current_user.organisation_id
    unsent = (select(OutgoingMail).where(mine, OutgoingMail.sent_at.is_(None))
              .order_by(OutgoingMail.next_attempt_at.is_(None), OutgoingMail.next_attempt_at,
                        OutgoingMail.created_at.desc(), OutgoingMail.id.desc()))
    page = page_of(db.session, unsent, request.args.get("page", 1, type=int), PAGE_SIZE)
    sent_this_week = db.session.scalar(select(func.count(OutgoingMail.id)).where(
        mine, OutgoingMail.sent_at >= utcnow() - timedelta(days=7)))
    return render_template("engagement/mail/staff/queue.html", page=page, sent_this_week=sent_this_week,
                           max_attempts=MAX_ATTEMPTS, show_addresses=current_user.role is Role.admin,
                           now=utcnow())


@bp.post("/<int:mail_id>/retry")
@builder_required
def retry(mail_id):
    """One more try at the next run for a mail that was given up (or waits): e.g. once the mail server
    is mended. :raise 404: for another organisation's mail."""
    mail = owned_or_404(OutgoingMail, mail_id)
    if mail.sent_at is None:
        mail.next_attempt_at = utcnow()
        db.session.commit()
        flash(_("The mail is tried again within a minute."))
    return redirect(url_for("mail_staff.queue"), 303)
