"""Age bands: one set for every place that asks how old a person is, so that the answers can be compared.

A survey's age question (the demo's "Hvor gammel er du?") and the idea form's age field use these bands
and these labels; results from a survey and from an idea competition can then be put side by side. The
bands follow the steps in a young person's life that the partnerships ask about: school (13–15), youth
education while still a minor (16–17), young adults (18–20, 21–25). Keys are stored (ideas keep the key),
so a key never changes meaning; labels are translated.
"""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

AGE_BANDS = {
    "u13": _l("Under 13"),
    "13-15": _l("13–15"),
    "16-17": _l("16–17"),
    "18-20": _l("18–20"),
    "21-25": _l("21–25"),
    "26+": _l("26 or older"),
}

# Bands of ideas sent before the set was shared (the idea form had 16–19 and 20–25): still shown as
# they were sent, never offered again.
RETIRED_BANDS = {"16-19": "16–19", "20-25": "20–25"}


def age_label(key: str) -> str | None:
    """The label of a stored band key, in the current language; None for "" (not given) or an unknown key."""
    if key in AGE_BANDS:
        return str(AGE_BANDS[key])
    return RETIRED_BANDS.get(key)


def age_labels(language: str) -> list[str]:
    """Every band's label in `language` (a survey's own language), youngest first: the options of an age
    question written in that language."""
    with force_locale(language):
        return [str(label) for label in AGE_BANDS.values()]
