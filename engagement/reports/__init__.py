"""Reports for the partnership: board packs as a self-contained HTML file and an A4 PDF, and read-only
share links to a survey's results, a competition's results or a report, for partners without accounts."""
import base64


def init_app(app):
    from engagement import prepared
    from engagement.reports import background, models, shared, staff, staff_links  # noqa: F401 (models: the tables)

    app.register_blueprint(staff.bp)
    # A PDF of more charts than REPORT_PDF_DIRECT_CHARTS is made in the background.
    prepared.add_maker(app, background.PDF_MAKER, prepared.Maker(background.make_pdf, background.describe_pdf))
    app.register_blueprint(staff_links.bp_links_staff)  # make, list and revoke share links
    app.register_blueprint(shared.bp_shared)  # /del/<token>, the page a share link opens
    app.add_template_filter(b64encode)


def b64encode(data: bytes) -> str:
    """Bytes as base64 text, for a photo's data: address in a report that must stand alone."""
    return base64.b64encode(data).decode("ascii")
