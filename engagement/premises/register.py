"""The register of premises and places: adding, changing and removing them, their status history, what is
linked to them, and clearing an owner's contact on its day. Services take plain arguments and flush; the
view commits.

The owner's contact (name, e-mail, phone) is kept only with a purpose and a day it is deleted on
(`contact_delete_on`); `purge_contacts` clears it on that day (`flask purge-contacts`, through the
"purge_contacts" hook).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from engagement.competitions.models import Competition
from engagement.models import Organisation
from engagement.premises.models import Premises, PremisesKind, PremisesStatus, StatusChange, Trial
from engagement.touchpoints.models import Touchpoint
from engagement.touchpoints.services import check_map_place
from extensions import wait_for_write_turn

# The same address sent again this soon after it was registered is the same form sent twice (a double
# click, a resend after a slow answer): it leads to what the first post made instead of refusing.
RESUBMIT_WINDOW = timedelta(minutes=2)
CONTACT_FIELDS = ("owner_name", "owner_email", "owner_phone")


@dataclass
class PremisesValues:
    address: str
    kind: PremisesKind
    status: PremisesStatus
    map_id: int | None = None
    map_x: float | None = None  # shares of the map's width and height, as touchpoints
    map_y: float | None = None
    owner_name: str = ""
    owner_email: str = ""
    owner_phone: str = ""
    contact_purpose: str = ""
    contact_delete_on: date | None = None
    notes: str = ""
    status_note: str = ""  # why the status is what it is now, kept in the history when it changes

    def has_contact(self) -> bool:
        return any(getattr(self, name) for name in CONTACT_FIELDS)


class AlreadyRegistered(Exception):
    """The organisation has a premises of this kind at this address already (`existing`)."""

    def __init__(self, existing: Premises):
        super().__init__(existing.address)
        self.existing = existing


class StillLinked(Exception):
    """Something still points at the premises; `message` says what."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Links:
    touchpoints: int = 0
    competitions: int = 0
    trials: int = 0

    @property
    def total(self) -> int:
        return self.touchpoints + self.competitions + self.trials

    def text(self) -> str:
        """"2 touchpoints, 1 trial": what is linked, for people."""
        parts = [ngettext("%(num)d touchpoint", "%(num)d touchpoints", self.touchpoints) if self.touchpoints else "",
                 ngettext("%(num)d idea competition", "%(num)d idea competitions", self.competitions)
                 if self.competitions else "",
                 ngettext("%(num)d trial", "%(num)d trials", self.trials) if self.trials else ""]
        return ", ".join(part for part in parts if part)


def list_premises(session, organisation_id: int) -> list[Premises]:
    """The organisation's premises by address."""
    return list(session.scalars(select(Premises).where(Premises.organisation_id == organisation_id)
                                .order_by(func.lower(Premises.address), Premises.id)))


def link_counts(session, premises_ids: list[int]) -> dict[int, Links]:
    """What points at each premises: three grouped queries."""
    links = {pid: Links() for pid in premises_ids}
    for model, name in ((Touchpoint, "touchpoints"), (Competition, "competitions"), (Trial, "trials")):
        for pid, n in session.execute(select(model.premises_id, func.count()).where(
                model.premises_id.in_(premises_ids)).group_by(model.premises_id)):
            setattr(links[pid], name, n)
    return links


def register(session, organisation_id: int, values: PremisesValues, user_id: int | None,
             now: datetime) -> Premises:
    """A new premises with its first status in the history.

    The same address and kind sent again within RESUBMIT_WINDOW returns the premises the first post made.
    :raise AlreadyRegistered: if the organisation has one of this kind at the address from before.
    :raise engagement.touchpoints.services.InvalidMapPlace: for a map that is not the organisation's.
    """
    wait_in_line(session, organisation_id)
    existing = same_place(session, organisation_id, values.address, values.kind)
    if existing is not None:
        if now - existing.created_at <= RESUBMIT_WINDOW:
            return existing
        raise AlreadyRegistered(existing)
    check_map_place(session, organisation_id, values)
    premises = Premises(organisation_id=organisation_id, created_at=now, updated_at=now)
    apply_values(premises, values)
    premises.status_changes.append(StatusChange(status=values.status, note=values.status_note, user_id=user_id,
                                                changed_at=now))
    session.add(premises)
    session.flush()
    return premises


def change(session, premises: Premises, values: PremisesValues, user_id: int | None, now: datetime) -> None:
    """Save the form's values; a new status goes into the history (a form sent twice records it once).

    :raise AlreadyRegistered: if another premises of this kind has the address.
    :raise engagement.touchpoints.services.InvalidMapPlace: for a map that is not the organisation's.
    """
    wait_in_line(session, premises.organisation_id)
    session.refresh(premises)  # the status as the post before this one left it
    existing = same_place(session, premises.organisation_id, values.address, values.kind)
    if existing is not None and existing.id != premises.id:
        raise AlreadyRegistered(existing)
    check_map_place(session, premises.organisation_id, values)
    change_status(session, premises, values.status, values.status_note, user_id, now)
    apply_values(premises, values)
    session.flush()


def set_status(session, premises: Premises, status: PremisesStatus, note: str, user_id: int | None,
               now: datetime) -> bool:
    """The status form of the premises page: `change_status` as the post before this one left the premises,
    so the same form sent twice records one change. Returns whether it changed."""
    wait_in_line(session, premises.organisation_id)
    session.refresh(premises)
    return change_status(session, premises, status, note, user_id, now)


def change_status(session, premises: Premises, status: PremisesStatus, note: str, user_id: int | None,
                  now: datetime) -> bool:
    """Record `status` in the history, unless it is the status already. Returns whether it changed."""
    if status == premises.status:
        return False
    premises.status = status
    premises.status_changes.append(StatusChange(status=status, note=note, user_id=user_id, changed_at=now))
    premises.updated_at = now
    session.flush()
    return True


def apply_values(premises: Premises, values: PremisesValues) -> None:
    for name in ("address", "kind", "status", "map_id", "map_x", "map_y", "notes", *CONTACT_FIELDS):
        setattr(premises, name, getattr(values, name))
    # A purpose and a deletion day belong to a contact: without one they are not kept.
    premises.contact_purpose = values.contact_purpose if values.has_contact() else ""
    premises.contact_delete_on = values.contact_delete_on if values.has_contact() else None


def same_place(session, organisation_id: int, address: str, kind: PremisesKind) -> Premises | None:
    """The organisation's premises of `kind` at `address`, however it is capitalised or spaced."""
    wanted = " ".join(address.split()).lower()
    candidates = session.scalars(select(Premises).where(Premises.organisation_id == organisation_id,
                                                        Premises.kind == kind,
                                                        func.lower(Premises.address) == wanted))
    return next(iter(candidates), None)


def wait_in_line(session, organisation_id: int) -> None:
    """One change to an organisation's register at a time, so two posts of one form never both add a row:
    the organisation's row is locked on PostgreSQL; SQLite lets one writer in at a time anyway."""
    wait_for_write_turn(session)
    session.execute(select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())


def delete(session, premises: Premises) -> None:
    """Remove the premises and its status history.

    :raise StillLinked: while touchpoints, competitions or trials point at it (saying which).
    """
    links = link_counts(session, [premises.id])[premises.id]
    if links.total:
        raise StillLinked(_("»%(address)s« cannot be deleted: %(links)s point at it. Link them to another place "
                            "or to none first.", address=premises.address, links=links.text()))
    session.delete(premises)
    session.flush()


def purge_contacts(session, today: date) -> int:
    """Clear the owner's contact, its purpose and its day on every premises whose day has come; how many."""
    result = session.execute(
        update(Premises).where(Premises.contact_delete_on <= today)
        .values(owner_name="", owner_email="", owner_phone="", contact_purpose="", contact_delete_on=None)
        .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount
