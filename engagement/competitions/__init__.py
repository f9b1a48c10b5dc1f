"""Idea competitions: young people propose, the town sees, everyone votes.

`init_app` wires the package: the public pages at `/c/<slug>` (`public`), the
staff pages at `/staff/competitions/` (`staff`, with moderation and results in
`staff_moderation` and `staff_results`), the device cookie that
voting sets (`device`) and `flask purge-contacts` (`cli`).
"""


def init_app(app):
    from engagement.competitions import cli, device, public, staff, staff_moderation, staff_results  # noqa: F401

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)  # with the routes of staff_moderation and staff_results
    app.after_request(device.set_cookie_if_new)
    app.cli.add_command(cli.purge_contacts)
