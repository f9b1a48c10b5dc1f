"""Owner dialogue by personal invitation: a list uploaded for a survey, a single-use link per person,
sent by e-mail or printed as mail-merge letters with a personal QR code, and who opened and answered.

`init_app` wires the package: the staff page of a survey's list (`staff`), the personal link `/i/<token>`
(`public`), and the app's hooks (extensions.HOOKS): a response started through a personal link is
attributed to the invitation when the survey ties answers to people ("survey_attribution"), a finished
response marks its invitation answered ("response_completed"), and `flask purge-contacts` deletes the
lists whose day has come ("purge_contacts").
"""


def init_app(app):
    from engagement import prepared
    from engagement.common.access import can_build
    from engagement.invitations import public, staff
    from extensions import add_hook

    app.register_blueprint(staff.bp)
    app.register_blueprint(public.bp)
    # Letters to more than LETTERS_AT_ONCE people are made in the background.
    # Names and addresses: only those who may make the letters may fetch them, also after asking.
    prepared.add_maker(app, staff.LETTERS_MAKER,
                       prepared.Maker(staff.make_letters, staff.describe_letters, allowed=can_build))
    add_hook(app, "survey_attribution", survey_attribution)
    add_hook(app, "response_completed", response_completed)
    add_hook(app, "purge_contacts", purge_contacts)


def survey_attribution(survey, via: str) -> dict:
    """{"invitation_id": ...} for a survey that ties answers to people, started through a personal link."""
    from engagement.invitations import services
    from extensions import db

    return services.attribution(db.session, survey, via)


def response_completed(session, survey, key: str, now) -> None:
    """The response `key` is finished: if a personal link started it, its invitation is answered."""
    from flask import current_app

    from engagement.invitations import services

    services.record_answer(session, survey, key, current_app.config["SECRET_KEY"], now)


def purge_contacts(session, today) -> int:
    """The names, e-mails and postal addresses of the lists kept until `today` or earlier go."""
    from engagement.invitations import services

    return services.purge_expired(session, today)
