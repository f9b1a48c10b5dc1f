"""The demo: Vordingborg's town-centre partnership with its staff, two surveys with answers, touchpoints
with scans and an idea competition in its voting phase. `flask --app app seed-demo` (and `make run` on
first start) runs `seed.seed`. Demo data lives here, outside the app's packages; it uses their services
as a person would, so it sits above all of them.
"""
