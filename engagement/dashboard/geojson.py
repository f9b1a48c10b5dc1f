"""GeoJSON (RFC 7946) of a place question, for the municipality's GIS (QGIS opens it as a layer).

Coordinates are [longitude, latitude] in WGS 84, from the map's georeference
(surveys.maps.Georeference); a map without one has no real coordinates and
gets no GeoJSON. Polygons are closed rings, the outer ring counter-clockwise
as the RFC asks. Text from people and staff is made formula-safe as in the
spreadsheet exports, since GIS users pass attribute tables on to Excel.
The points are written as they are read, so memory stays flat.
"""
import json
from collections.abc import Iterable, Iterator

from engagement.common.spreadsheets import formula_safe
from surveys.maps import Georeference
from surveys.timezone import to_local

FEATURES_PER_PIECE = 500


def collection(name: str, features: Iterable[dict]) -> Iterator[bytes]:
    """A FeatureCollection named `name`, in pieces of FEATURES_PER_PIECE features (each piece one call
    of the JSON encoder: a call per feature costs twice the time)."""
    yield (json.dumps({"type": "FeatureCollection", "name": name}, ensure_ascii=False)[:-1]
           + ', "features": [\n').encode("utf-8")
    batch, first = [], True
    for feature in features:
        batch.append(feature)
        if len(batch) == FEATURES_PER_PIECE:
            yield (("" if first else ",\n") + _features(batch)).encode("utf-8")
            batch, first = [], False
    yield (("" if first or not batch else ",\n") + _features(batch) + "\n]}\n").encode("utf-8")


def _features(batch: list[dict]) -> str:
    """The features as JSON, one a line, without the list's brackets."""
    return json.dumps(batch, ensure_ascii=False, separators=(",", ":"))[1:-1].replace("},{\"type\":\"Feature\"",
                                                                                    "},\n{\"type\":\"Feature\"")


def text(value) -> str | None:
    return None if value is None else formula_safe(value)


def point_features(rows: Iterable, georeference: Georeference, area_labels: dict[int, str],
                   touchpoint_names: dict[int, str]) -> Iterator[dict]:
    """A Point feature per row of surveys.places.points_of: where it is, the response it belongs to (its
    number, as in the spreadsheet export), the area that holds it, its comment, the touchpoint the person
    came through and when the response was completed (Danish time, with its offset)."""
    for answer_id, response_id, x, y, choice_id, comment, touchpoint_id, completed_at in rows:
        lat, lon = georeference.lat_lon(x, y)
        yield {"type": "Feature", "id": answer_id, "geometry": {"type": "Point", "coordinates": [lon, lat]},
               "properties": {"response": response_id, "area": text(area_labels.get(choice_id)),
                              "comment": text(comment), "touchpoint": text(touchpoint_names.get(touchpoint_id)),
                              "completed": to_local(completed_at).isoformat() if completed_at else None,
                              "x": x, "y": y}}


def area_features(choices: Iterable, georeference: Georeference, counts: dict[int, int]) -> list[dict]:
    """A Polygon feature per named area drawn on the map (areas only in the list have no shape), with its
    name and the places marked in it or picked from the list."""
    return [{"type": "Feature", "id": choice.id,
             "geometry": {"type": "Polygon", "coordinates": [ring(choice.shape, georeference)]},
             "properties": {"area": text(choice.label), "places": counts.get(choice.id, 0)}}
            for choice in choices if choice.shape and len(choice.shape) >= 3]


def ring(shape: list, georeference: Georeference) -> list[list[float]]:
    """The polygon (shares of the map) as a closed ring of [longitude, latitude], counter-clockwise."""
    corners = [list(reversed(georeference.lat_lon(x, y))) for x, y in shape]
    if signed_area(corners) < 0:  # staff type the corners either way round
        corners.reverse()
    return corners + [corners[0]]


def signed_area(corners: list[list[float]]) -> float:
    """Twice the area of the polygon, positive when its corners run counter-clockwise (shoelace)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True))
