"""Empty premises and places, and temporary trials: a register with status history and the owner's
contact, a page per premises gathering everything linked to it, trials with before/during/after
feedback and a decision, and a summary PDF for the owner."""


def init_app(app):
    from engagement.premises import models, register, staff  # noqa: F401 (models: the tables)
    from extensions import add_hook

    app.register_blueprint(staff.bp)  # the register, a page per premises and the owner's summary
    add_hook(app, "purge_contacts", register.purge_contacts)  # owners' contacts go on their day

    from engagement.premises.trials_staff import init_trials

    init_trials(app)  # the trials' staff pages, and their decisions on the front page and the ideas' pages
