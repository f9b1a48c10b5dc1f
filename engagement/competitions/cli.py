"""`flask --app app purge-contacts`: run it daily from cron.

Closing a competition on its page deletes the e-mail addresses people left with their ideas at
once; a close date can also simply pass, and then this command keeps the idea form's promise.
"""
import logging

import click

from engagement.competitions.services import purge_contact_details
from extensions import db, utcnow

log = logging.getLogger(__name__)


@click.command("purge-contacts")
def purge_contacts():
    """Delete the e-mail addresses left with ideas in every competition that is over."""
    purged = purge_contact_details(db.session, utcnow())
    db.session.commit()
    log.info("purge-contacts deleted %d contact e-mail(s) of closed competitions", purged)
    click.echo(f"Deleted the e-mail address of {purged} idea(s) in closed competitions.")
