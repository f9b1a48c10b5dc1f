"""Staff look after the organisation's maps: upload (cleaned, refused with a message when unusable), rename,
replace, georeference by points or by corners, delete while nothing uses it. Another organisation's maps
are a 404, at every address that takes a map."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from surveys.maps import SurveyMap
from tests.builders import make_map, make_org, make_place_survey, make_user, map_picture
from tests.conftest import csrf_token, routes_taking
from tests.engagement.competitions.test_photos import GPS_IFD, hand_made_png, phone_photo

# A north-up map of Vordingborg's centre, about 1 km across: its top left and bottom right corners.
NORTH, WEST, SOUTH, EAST = 55.0100, 11.9000, 55.0040, 11.9150


def post(client, url, data, form_url=None):
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


def upload(client, name, data, filename="bymidten.png"):
    url = "/staff/maps/new?lang=en"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "name": name,
                                  "picture": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def stored(db) -> list[SurveyMap]:
    db.session.expire_all()
    return list(db.session.scalars(select(SurveyMap).order_by(SurveyMap.id)))


@pytest.fixture
def editor(db, staff):
    org = make_org(db)
    user = make_user(db, org, role="editor")
    staff(user)
    return org


def test_editor_uploads_a_map_and_finds_it_in_the_list(client, db, editor):
    response = upload(client, "Bymidten", map_picture((1600, 1000)))
    assert response.status_code == 302
    (survey_map,) = stored(db)
    assert (survey_map.organisation_id, survey_map.name) == (editor.id, "Bymidten")
    assert survey_map.content_type == "image/webp"
    assert (survey_map.width, survey_map.height) == (1600, 1000)
    page = client.get(response.location).get_data(as_text=True)
    assert "The map is uploaded." in page and "1600 × 1000 px" in page
    picture = re.search(r'<img src="([^"]+)"', page).group(1).replace("&amp;", "&")
    served = client.get(picture)
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert "private" in served.headers["Cache-Control"]
    listing = client.get("/staff/maps/?lang=en").get_data(as_text=True)
    assert "Bymidten" in listing and "Nothing yet" in listing


def test_a_jpeg_with_gps_is_stored_without_any_trace_of_where_it_was_taken(client, db, editor):
    original = phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    assert upload(client, "Luftfoto", original, "IMG_0042.jpg").status_code == 302
    (survey_map,) = stored(db)
    kept = Image.open(io.BytesIO(survey_map.data))
    assert kept.format == "WEBP" and dict(kept.getexif()) == {}
    for trace in (b"EXIF", b"XMP ", b"GPS", b"Apple", b"2026:05:01"):
        assert trace not in survey_map.data
    assert (survey_map.width, survey_map.height) == (900, 1200)  # turned upright, as the camera said


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize("data, filename, message", [
    (b"Torvet, Havnen, Skateparken\n", "steder.txt", "The file is not a picture we can read. Use PNG, JPEG or WebP."),
    (gif(), "kort.gif", "Use a map picture in PNG, JPEG or WebP."),
    (hand_made_png(20_000, 20_000), "bombe.png", "The picture has too many pixels. Use a smaller picture."),
    (map_picture()[:400], "halv.png", "The file is not a picture we can read. Use PNG, JPEG or WebP."),
])
def test_a_file_that_is_no_usable_map_is_refused_with_a_message_and_the_name_is_kept(
        client, db, editor, data, filename, message):
    response = upload(client, "Bymidten i 2026", data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'value="Bymidten i 2026"' in page
    assert stored(db) == []


def test_an_upload_without_a_name_or_a_file_says_what_is_missing(client, db, editor):
    url = "/staff/maps/new?lang=en"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "name": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the map a name." in page and "Choose a picture file." in page


def test_two_maps_of_the_organisation_cannot_share_a_name(client, db, editor):
    make_map(db, editor, name="Bymidten")
    response = upload(client, "bymidten", map_picture())
    assert response.status_code == 422
    assert "You already have a map called “bymidten”." in response.get_data(as_text=True)
    other = make_map(db, editor, name="Havnen")
    renamed = post(client, f"/staff/maps/{other.id}/name", {"name": "Bymidten"}, f"/staff/maps/{other.id}?lang=en")
    assert renamed.status_code == 422 and 'value="Bymidten"' in renamed.get_data(as_text=True)


def test_editor_renames_a_map(client, db, editor):
    survey_map = make_map(db, editor, name="Kort 1")
    response = post(client, f"/staff/maps/{survey_map.id}/name", {"name": "  Bymidten 2026 "},
                    f"/staff/maps/{survey_map.id}")
    assert response.status_code == 302
    assert stored(db)[0].name == "Bymidten 2026"


def test_replacing_the_picture_gives_the_map_and_its_surveys_new_version_stamps(client, db, editor):
    survey_map = make_map(db, editor, size=(1200, 800))
    survey = make_place_survey(db, editor, survey_map)
    old_map_version, old_survey_version = survey_map.version, survey.version
    url = f"/staff/maps/{survey_map.id}?lang=en"
    response = client.post(f"/staff/maps/{survey_map.id}/replace", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, url), "picture": (io.BytesIO(map_picture((1200, 600))), "ny.png")})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "It has another shape than the old one" in page
    db.session.expire_all()
    survey_map, survey = db.session.get(SurveyMap, survey_map.id), db.session.get(type(survey), survey.id)
    assert (survey_map.width, survey_map.height) == (1200, 600)
    assert survey_map.version != old_map_version and survey.version != old_survey_version


def test_a_bad_replacement_keeps_the_old_picture(client, db, editor):
    survey_map = make_map(db, editor)
    before = (survey_map.version, survey_map.data)
    url = f"/staff/maps/{survey_map.id}?lang=en"
    response = client.post(f"/staff/maps/{survey_map.id}/replace", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, url), "picture": (io.BytesIO(gif()), "kort.gif")})
    assert response.status_code == 422
    assert "Use a map picture in PNG, JPEG or WebP." in response.get_data(as_text=True)
    kept = stored(db)[0]
    assert (kept.version, kept.data) == before


def test_a_map_that_a_question_uses_cannot_be_deleted_and_staff_are_told_why(client, db, editor):
    survey_map = make_map(db, editor, name="Bymidten")
    survey = make_place_survey(db, editor, survey_map, title="Unge i bymidten")
    page = client.get(f"/staff/maps/{survey_map.id}?lang=en").get_data(as_text=True)
    assert "Unge i bymidten" in page and "Markér, hvor du mødes med dine venner" in page
    assert "is used by 1 question" in page
    response = post(client, f"/staff/maps/{survey_map.id}/delete", {}, f"/staff/maps/{survey_map.id}?lang=en")
    assert response.status_code == 302
    after = client.get(response.location).get_data(as_text=True)
    assert "“Bymidten” cannot be deleted: it is used by 1 question. Give them another map first." in after
    assert len(stored(db)) == 1
    db.session.delete(survey)
    db.session.commit()
    response = post(client, f"/staff/maps/{survey_map.id}/delete", {}, f"/staff/maps/{survey_map.id}?lang=en")
    assert response.status_code == 302 and stored(db) == []
    assert "The map “Bymidten” is deleted." in client.get(response.location).get_data(as_text=True)


def test_a_map_that_a_touchpoint_is_placed_on_cannot_be_deleted(client, db, editor):
    from tests.engagement.touchpoints.builders import make_touchpoint

    survey_map = make_map(db, editor, name="Bymidten")
    touchpoint = make_touchpoint(db, editor, None, name="Biblioteket")
    touchpoint.map_id, touchpoint.map_x, touchpoint.map_y = survey_map.id, 0.3, 0.4
    db.session.commit()
    page = client.get("/staff/maps/?lang=en").get_data(as_text=True)
    assert "Biblioteket" in page
    post(client, f"/staff/maps/{survey_map.id}/delete", {}, f"/staff/maps/{survey_map.id}?lang=en")
    page = client.get(f"/staff/maps/{survey_map.id}?lang=en").get_data(as_text=True)
    assert "it is used by 1 touchpoint" in page
    assert len(stored(db)) == 1


def rows(*points) -> dict:
    """The georeference form's fields for (x %, y %, latitude, longitude) rows, then two empty rows."""
    data = {}
    for n, point in enumerate([*points, ("", "", "", ""), ("", "", "", "")]):
        data.update({f"points-{n}-{name}": value for name, value in zip(("x", "y", "lat", "lon"), point, strict=True)})
    return data


def georeference(client, survey_map, *points):
    url = f"/staff/maps/{survey_map.id}/georeference?lang=en"
    return post(client, url, rows(*points))


def test_editor_georeferences_a_map_with_two_points(client, db, editor):
    survey_map = make_map(db, editor)
    response = georeference(client, survey_map, ("0", "0", "55,0100", "11,9000"), ("100", "100", "55.004", "11.915"))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The georeference is saved." in page and "Two points always fit exactly" in page
    assert re.search(r"The map is about \d+ m wide.", page), re.findall(r"The map is about[^<]*", page)
    geo = stored(db)[0].georeference
    assert [round(v, 4) for v in geo.lat_lon(0, 0)] == [55.01, 11.9]


def test_four_points_show_how_well_they_agree_and_which_one_is_wrong(client, db, editor):
    survey_map = make_map(db, editor)
    good = [("0", "0", NORTH, WEST), ("100", "0", NORTH, EAST), ("100", "100", SOUTH, EAST)]
    response = georeference(client, survey_map, *[(x, y, str(lat), str(lon)) for x, y, lat, lon in good],
                            ("0", "100", str(SOUTH), str(WEST)))
    page = client.get(response.location).get_data(as_text=True)
    assert "The points agree with each other within 0 m." in page
    # The fourth point typed with the longitude of the right edge: 960 m off.
    response = georeference(client, survey_map, *[(x, y, str(lat), str(lon)) for x, y, lat, lon in good],
                            ("0", "100", str(SOUTH), str(EAST)))
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r"Point 4 is \d+ m from where the other points put it: check its numbers.", page)
    assert len(stored(db)[0].control_points) == 4


@pytest.mark.parametrize("points, message", [
    ([("10", "10", "55.01", "")], "Fill in all four numbers, or none."),
    ([("10", "10", "55.01", "elleve")], "Write a number, for example 55.0123."),
    ([("140", "10", "55.01", "11.9")], "Write 0 to 100."),
    ([("10", "10", "95", "11.9")], "Write a latitude from −90 to 90."),
    ([("10", "10", "55.01", "11.9")], "Give at least two points in different places"),
    ([("10", "10", "55.01", "11.9"), ("10", "10", "55.00", "11.91")], "Give at least two points in different places"),
])
def test_bad_control_points_are_refused_with_a_message_and_the_typed_numbers_stay(client, db, editor, points, message):
    survey_map = make_map(db, editor, control_points=[{"x": 0, "y": 0, "lat": NORTH, "lon": WEST},
                                                      {"x": 1, "y": 1, "lat": SOUTH, "lon": EAST}])
    response = georeference(client, survey_map, *points)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "The georeference was not saved" in page
    for value in points[-1]:
        assert f'value="{value}"' in page or not value
    assert stored(db)[0].control_points[0]["lat"] == NORTH  # unchanged


def test_emptying_every_row_removes_the_georeference(client, db, editor):
    survey_map = make_map(db, editor, control_points=[{"x": 0, "y": 0, "lat": NORTH, "lon": WEST},
                                                      {"x": 1, "y": 1, "lat": SOUTH, "lon": EAST}])
    response = georeference(client, survey_map)
    assert "The map has no georeference now." in client.get(response.location).get_data(as_text=True)
    assert stored(db)[0].georeference is None


def test_the_corners_of_a_north_up_map_georeference_it(client, db, editor):
    survey_map = make_map(db, editor)
    url = f"/staff/maps/{survey_map.id}/georeference?lang=en"
    response = client.post(f"/staff/maps/{survey_map.id}/corners", data={
        "corners-csrf_token": csrf_token(client, url).strip(), "corners-top": "55,0100", "corners-left": "11,9000",
        "corners-bottom": "55,0040", "corners-right": "11,9150"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.location).get_data(as_text=True)
    assert "The points agree with each other within 0 m." in page
    assert 'value="55.01"' in page and 'value="11.915"' in page  # shown in the corners form again
    geo = stored(db)[0].georeference
    lat, lon = geo.lat_lon(0.5, 0.5)
    assert abs(lat - 55.007) < 1e-6 and abs(lon - 11.9075) < 1e-6


def test_corners_the_wrong_way_round_are_refused_with_a_message(client, db, editor):
    survey_map = make_map(db, editor)
    url = f"/staff/maps/{survey_map.id}/georeference?lang=en"
    response = client.post(f"/staff/maps/{survey_map.id}/corners", data={
        "corners-csrf_token": csrf_token(client, url), "corners-top": "55.004", "corners-left": "11.9",
        "corners-bottom": "55.01", "corners-right": "11.915"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The top edge must be north of the bottom edge" in page and 'value="55.004"' in page
    assert stored(db)[0].georeference is None


def test_viewers_look_at_maps_but_change_nothing(client, db, staff):
    org = make_org(db)
    survey_map = make_map(db, org, name="Bymidten")
    staff(make_user(db, org, role="viewer"))
    assert client.get("/staff/maps/").status_code == 200
    page = client.get(f"/staff/maps/{survey_map.id}?lang=en").get_data(as_text=True)
    assert "Bymidten" in page and "Rename" not in page and "Delete the map" not in page
    token = csrf_token(client, "/staff/maps/")
    assert client.get("/staff/maps/new").status_code == 403
    assert client.post(f"/staff/maps/{survey_map.id}/delete", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/staff/maps/{survey_map.id}/georeference").status_code == 403
    assert len(stored(db)) == 1


def test_another_organisations_staff_get_404_for_the_map_and_its_picture(app, client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    foreign = make_map(db, theirs, name="Deres kort")
    staff(make_user(db, mine, role="admin"))
    token = csrf_token(client, "/staff/maps/")
    urls = routes_taking(app, "map_id", {"map_id": foreign.id})
    assert len(urls) >= 6
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token, "name": "Hacked",
                                                          "points-0-x": "0", "points-0-y": "0"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert "Deres kort" not in client.get("/staff/maps/").get_data(as_text=True)
    kept = stored(db)[0]
    assert kept.name == "Deres kort"


# The question editor for place questions ---------------------------------------------------------------

def new_place_question(client, survey, **fields):
    url = f"/staff/surveys/{survey.id}/questions/new?kind=map_point&lang=en"
    data = {"kind": "map_point", "prompt": "Markér, hvor du mødes med dine venner", "required": "y",
            "setting_max_points": "2", "setting_comment": "y", **fields}
    return post(client, url, data)


def test_editor_adds_a_place_question_with_named_areas(client, db, editor):
    from tests.builders import make_survey

    survey_map = make_map(db, editor, name="Bymidten")
    make_map(db, editor, name="Havneområdet")
    survey = make_survey(db, editor, status="draft")
    form = client.get(f"/staff/surveys/{survey.id}/questions/new?kind=map_point&lang=en").get_data(as_text=True)
    assert "Bymidten" in form and "Havneområdet" in form and "Name of area 1" in form
    response = new_place_question(client, survey, setting_map_id=str(survey_map.id),
                                  **{"choices-0-label": "Torvet", "choices-0-area": "10 10, 40 40",
                                     "choices-1-label": "Havnen", "choices-1-area": "70 70, 100 70, 100 100",
                                     "choices-2-label": "Skolen", "choices-2-area": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    question = db.session.get(type(survey), survey.id).questions[0]
    assert question.settings == {"map_id": survey_map.id, "max_points": 2, "comment": True}
    assert [(c.label, c.shape) for c in question.choices] == [
        ("Torvet", [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]),
        ("Havnen", [[0.7, 0.7], [1.0, 0.7], [1.0, 1.0]]), ("Skolen", None)]
    page = client.get(f"/staff/surveys/{survey.id}/questions/{question.id}?lang=en").get_data(as_text=True)
    assert 'value="10 10, 40 10, 40 40, 10 40"' in page and "<polygon" in page and ">Torvet</text>" in page
    assert "counts only the places marked from now on" not in page  # no answers yet


@pytest.mark.parametrize("typed, message", [
    ("10 10", "Write the corners in percent of the map"),
    ("10 10, 140 40", "Write the corners in percent of the map"),
    ("ti ti, tyve tyve", "Write the corners in percent of the map"),
])
def test_a_bad_area_is_refused_at_its_row_and_keeps_what_was_typed(client, db, editor, typed, message):
    from tests.builders import make_survey

    survey_map = make_map(db, editor)
    survey = make_survey(db, editor, status="draft")
    response = new_place_question(client, survey, setting_map_id=str(survey_map.id), **{
        "choices-0-label": "Torvet", "choices-0-area": "10 10, 40 40",
        "choices-1-label": "Havnen", "choices-1-area": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="choices-1-area-error">{message}' in page and f'value="{typed}"' in page
    assert 'href="#choices-1-area">Area 2:' in page  # the summary leads to the row
    assert not survey.questions


def test_an_area_needs_a_name(client, db, editor):
    from tests.builders import make_survey

    survey = make_survey(db, editor, status="draft")
    response = new_place_question(client, survey, setting_map_id=str(make_map(db, editor).id),
                                  **{"choices-0-label": "", "choices-0-area": "10 10, 40 40"})
    assert response.status_code == 422
    assert "Give the area a name, or empty this field." in response.get_data(as_text=True)


def test_a_place_question_needs_one_of_the_organisations_own_maps(client, db, editor):
    from tests.builders import make_survey

    survey = make_survey(db, editor, status="draft")
    page = client.get(f"/staff/surveys/{survey.id}/questions/new?kind=map_point&lang=en").get_data(as_text=True)
    assert "Your organisation has no maps yet." in page and 'href="/staff/maps/new"' in page
    response = new_place_question(client, survey)
    assert response.status_code == 422
    assert "Pick the map the question is asked on." in response.get_data(as_text=True)
    foreign = make_map(db, make_org(db), name="Deres kort")
    make_map(db, editor, name="Vores kort")
    response = new_place_question(client, survey, setting_map_id=str(foreign.id))
    assert response.status_code == 422 and "Deres kort" not in response.get_data(as_text=True)
    assert not survey.questions


def test_an_answered_place_question_says_a_changed_area_counts_only_new_places(client, db, editor):
    from surveys.models import Answer, Response

    survey_map = make_map(db, editor)
    survey = make_place_survey(db, editor, survey_map)
    question = survey.questions[0]
    response = Response(survey_id=survey.id, key="k" * 22)
    db.session.add(response)
    db.session.flush()
    db.session.add(Answer(response_id=response.id, question_id=question.id, x=0.2, y=0.2,
                          choice_id=question.choices[0].id))
    db.session.commit()
    url = f"/staff/surveys/{survey.id}/questions/{question.id}?lang=en"
    page = client.get(url).get_data(as_text=True)
    assert "The question has answers: a changed area counts only the places marked from now on." in page
    assert "1 answer" in page
    # Torvet is moved; its answer stays counted under it.
    saved = post(client, url, {"kind": "map_point", "prompt": question.prompt, "required": "y",
                               "setting_map_id": str(survey_map.id), "setting_max_points": "1",
                               "choices-0-choice_id": str(question.choices[0].id), "choices-0-label": "Torvet",
                               "choices-0-area": "50 10, 60 20",
                               "choices-1-choice_id": str(question.choices[1].id), "choices-1-label": "Havnen",
                               "choices-1-area": "70 70, 100 100"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(question), question.id).choices[0].shape[0] == [0.5, 0.1]


def test_the_areas_of_a_place_question_read_well_in_a_later_questions_show_if(client, db, editor):
    from tests.builders import make_survey  # noqa: F401

    survey = make_place_survey(db, editor, make_map(db, editor))
    later = survey.questions[1]
    page = client.get(f"/staff/surveys/{survey.id}/questions/{later.id}?lang=en").get_data(as_text=True)
    assert "1. Markér, hvor du mødes med dine venner → Torvet" in page
    assert "1. Markér, hvor du mødes med dine venner → Havnen" in page


def test_the_preview_shows_a_place_question_on_its_map(client, db, editor):
    survey = make_place_survey(db, editor, make_map(db, editor, name="Bymidten"))
    page = client.get(f"/staff/surveys/{survey.id}/preview?lang=en").get_data(as_text=True)
    assert "Map: Bymidten. Tap to mark a place." in page and "Torvet" in page


def test_the_survey_page_says_a_follow_up_depends_on_a_place_in_an_area(client, db, editor):
    from surveys.editing import QuestionEdit, save_question

    survey = make_place_survey(db, editor, make_map(db, editor))
    torvet = survey.questions[0].choices[0]
    save_question(db.session, survey, None, QuestionEdit(kind="short_text", prompt="Hvad laver du på Torvet?",
                                                         show_if_choice_id=torvet.id))
    db.session.commit()
    page = client.get(f"/staff/surveys/{survey.id}?lang=en").get_data(as_text=True)
    assert "Only if a place in “Torvet” was marked or picked" in page
