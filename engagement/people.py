"""Staff accounts in the browser: admins add colleagues and teachers, change roles, deactivate.

Every staff user can change their own password at `/staff/password`. Admins
manage the users of their own organisation at `/staff/people/`; a user of
another organisation is a 404 by any address. An admin cannot demote or
deactivate themselves, so an organisation always keeps an admin.

Changing a password ends every session of that user (the browser that changed
it gets a fresh one); a new role or a deactivation ends all sessions of the
colleague, who must log in again.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from engagement import staff_sessions
from engagement.accounts import keep_signed_in
from engagement.common.access import admin_required
from engagement.models import Role, User
from extensions import db, owned_or_404

bp = Blueprint("people", __name__, url_prefix="/staff")

MIN_PASSWORD = 12
ROLE_LABELS = {
    Role.admin: _l("Admin – everything, including staff accounts"),
    Role.editor: _l("Editor – builds surveys, competitions and touchpoints, moderates ideas"),
    Role.teacher: _l("Teacher – runs class sessions and reads results"),
    Role.viewer: _l("Viewer – reads results"),
}


def password_rules():
    return [DataRequired(message=_l("Write a password.")),
            Length(min=MIN_PASSWORD, max=500, message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD))]


class NewUserForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[lambda text: text.strip() if text else text], validators=[
        DataRequired(message=_l("Write the person's e-mail.")), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Write an e-mail address like anna@kommune.dk."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
                       default=Role.teacher.value)
    password = PasswordField(_l("First password"), validators=password_rules())

    def validate_email(self, field):
        if db.session.scalar(select(User.id).where(func.lower(User.email) == field.data.lower())):
            raise ValidationError(_l("Someone already has this e-mail."))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Your password now"), validators=[DataRequired(message=_l("Write your password."))])
    new = PasswordField(_l("New password"), validators=password_rules())
    repeat = PasswordField(_l("New password again"), validators=[
        EqualTo("new", message=_l("The two new passwords are not the same."))])

    def validate_current(self, field):
        if not current_user.check_password(field.data or ""):
            raise ValidationError(_l("That is not your password now."))


def load_colleague(user_id: int) -> User:
    """:raise 404: unless the user belongs to the signed-in admin's organisation."""
    return owned_or_404(User, user_id)


@bp.route("/people/", methods=["GET", "POST"])
@admin_required
def index():
    form = NewUserForm()
    if form.validate_on_submit():
        user = User(organisation_id=current_user.organisation_id, email=form.email.data,
                    role=Role(form.role.data))
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        flash(_("%(email)s can log in now. Give them the first password in person or by phone, not by e-mail.",
                email=user.email))
        return redirect(url_for("people.index"), 303)
    users = db.session.scalars(select(User).where(User.organisation_id == current_user.organisation_id)
                               .order_by(User.active.desc(), func.lower(User.email)))
    return render_template("engagement/people/index.html", users=list(users), form=form,
                           role_form=RoleForm, labels=ROLE_LABELS), 422 if form.errors else 200


@bp.post("/people/<int:user_id>/role")
@admin_required
def change_role(user_id):
    user = load_colleague(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot change your own role. Ask another admin."), "error")
    else:
        user.role = Role(form.role.data)
        staff_sessions.end_all(db.session, user.id)
        db.session.commit()
        flash(_("%(email)s is now: %(role)s.", email=user.email, role=ROLE_LABELS[user.role]))
    return redirect(url_for("people.index"), 303)


@bp.post("/people/<int:user_id>/active")
@admin_required
def toggle_active(user_id):
    user = load_colleague(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself. Ask another admin."), "error")
    else:
        user.active = not user.active
        staff_sessions.end_all(db.session, user.id)
        db.session.commit()
        flash(_("%(email)s can log in again.", email=user.email) if user.active
              else _("%(email)s can no longer log in.", email=user.email))
    return redirect(url_for("people.index"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        current_user.set_password(form.new.data)
        # Whoever holds the old password, or a copy of this very cookie, is out; this browser stays in.
        staff_sessions.end_all(db.session, current_user.id)
        keep_signed_in(current_user)
        db.session.commit()
        flash(_("Your password is changed."))
        return redirect(url_for("accounts.home"), 303)
    return render_template("engagement/people/password.html", form=form), 422 if form.errors else 200
