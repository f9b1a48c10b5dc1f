"""Mail to people who asked to be told: their addresses, the queue, and sending it.

An address is a `Subscription` with the date the person was promised it goes (`services.subscribe`);
competitions and front point at it and queue mails for it (`services.queue`). Nothing is sent while
a page is served: `flask send-mail` (`cli`, every minute from a systemd timer) hands due mails to the
SMTP server through Flask-Mailman (`sending`), retrying with growing waits. `flask purge-contacts`
deletes addresses whose date has come. Every mail links to `/afmeld/<token>` (`public`); staff see
what has not gone out at `/staff/mail/` (`staff`).
"""
from flask_mailman import Mail

mailman = Mail()


def init_app(app):
    from engagement.mail import cli, public, staff

    mailman.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    app.cli.add_command(cli.send_mail)
    app.cli.add_command(cli.purge_contacts)
