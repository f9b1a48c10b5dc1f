"""`flask --app app send-mail` (every minute, bypuls-send-mail.timer) and `flask --app app purge-contacts`
(every night, bypuls-purge-contacts.timer)."""
import logging

import click

from engagement.mail import mailman, sending, services
from extensions import db, hooks, utcnow
from surveys.timezone import to_local

log = logging.getLogger(__name__)


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Send at most this many mails in this run.")
def send_mail(limit: int):
    """Send the mails that are due. Each is committed as it goes, so a crash repeats at most one."""
    connection = mailman.get_connection()
    counts = dict.fromkeys(sending.Outcome, 0)
    for _ in range(limit):
        mail = sending.next_due(db.session, utcnow())
        if mail is None:
            break
        outcome = sending.deliver(db.session, mail, connection, utcnow())
        if outcome is not sending.Outcome.sent:
            log.warning("Mail %d not sent (attempt %d): %s", mail.id, mail.attempts, mail.last_error)
        db.session.commit()
        counts[outcome] += 1
        if outcome is sending.Outcome.unreachable:
            break
    sent = counts[sending.Outcome.sent]
    failed = sum(counts.values()) - sent
    if sent or failed:
        log.info("send-mail sent %d mail(s); %d wait for another try", sent, failed)
    click.echo(f"Sent {sent} mail(s); {failed} could not be sent and wait for another try.")


@click.command("purge-contacts")
def purge_contacts():
    """Delete every e-mail address whose date has come, as the form that took it promised, and every other
    contact kept until a day that has come (the "purge_contacts" hooks)."""
    today = to_local(utcnow()).date()
    purged = services.purge_expired(db.session, today)
    # Contacts kept by packages above this one (premises owners...), each cleared on its own day.
    others = sum(purge(db.session, today) for purge in hooks("purge_contacts"))
    db.session.commit()
    log.info("purge-contacts deleted %d contact e-mail(s) and %d other contact(s) whose time had come",
             purged, others)
    click.echo(f"Deleted the e-mail address of {purged} person(s) whose time had come.")
    click.echo(f"Deleted {others} other contact(s) whose time had come.")
