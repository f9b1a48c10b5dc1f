"""What the town sees of the partnership's work: the front page (`/`), published survey results
("Det sagde I") with what the partnership does now, and the links that close the loop after a survey.

`init_app` wires the public pages (`public`), the staff page that publishes results (`staff`) and the
"thanks_links" hook that the survey engine's thank-you page shows.
"""


def init_app(app):
    from engagement.front import public, staff
    from extensions import add_hook

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    add_hook(app, "thanks_links", public.thanks_links)
