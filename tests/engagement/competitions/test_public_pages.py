"""The public side of a competition: the brief in each phase, the gallery, idea pages and photos."""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from engagement.competitions import services
from engagement.competitions.models import CompetitionStatus
from engagement.competitions.services import CleanPhoto
from extensions import utcnow
from tests.builders import make_competition, make_idea, make_org


def clean_photo(colour="#2e86de", size=(1200, 900)) -> CleanPhoto:
    """A stored photo as the photo cleaner leaves it: a WebP and its thumbnail."""
    def webp(side):
        picture = Image.new("RGB", size, colour)
        picture.thumbnail((side, side))
        out = io.BytesIO()
        picture.save(out, "WEBP")
        return out.getvalue(), picture.size
    (data, (width, height)), (thumb, _) = webp(1600), webp(480)
    return CleanPhoto("image/webp", width, height, data, thumb, b"")  # no print JPEG: not printed here


def page(client, url) -> str:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def ids_in(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="idea-card[^"]*" id="idea-(\d+)"', html)]


@pytest.fixture
def org(db):
    return make_org(db)


def test_a_draft_competition_is_not_found(client, db, org):
    draft = make_competition(db, org, status="draft")
    assert client.get(f"/c/{draft.slug}").status_code == 404
    assert client.get(f"/c/{draft.slug}/ideas").status_code == 404


def test_before_submissions_open_the_brief_says_when_and_shows_no_form(client, db, org):
    later = make_competition(db, org, submissions_open_at=utcnow() + timedelta(days=3))
    html = page(client, f"/c/{later.slug}")
    assert "You can send ideas from" in html and "Algade 12" in html
    assert "<form" not in html


def test_while_collecting_the_brief_carries_the_form(client, db, org):
    html = page(client, f"/c/{make_competition(db, org).slug}")
    assert 'name="title"' in html and 'name="description"' in html and "Send idea" in html


def test_during_voting_the_brief_leads_to_the_gallery_and_no_form(client, db, org):
    voting = make_competition(db, org, voting_opens_at=utcnow() - timedelta(hours=1))
    html = page(client, f"/c/{voting.slug}")
    assert "See the ideas and vote" in html and 'name="title"' not in html


def test_after_closing_the_brief_thanks_everyone(client, db, org):
    closed = make_competition(db, org, status="closed")
    make_idea(db, closed)
    html = page(client, f"/c/{closed.slug}")
    assert "The competition has closed" in html and "See the ideas" in html


def test_the_gallery_shows_published_ideas_only(client, db, org):
    competition = make_competition(db, org)
    shown = make_idea(db, competition, title="Et værksted")
    winner = make_idea(db, competition, status="winner", title="Skatehal")
    make_idea(db, competition, status="pending", title="Venter stadig")
    make_idea(db, competition, status="rejected", title="Afvist forslag")
    html = page(client, f"/c/{competition.slug}/ideas")
    assert sorted(ids_in(html)) == sorted([shown.id, winner.id])
    assert "Venter stadig" not in html and "Afvist forslag" not in html
    assert re.search(rf'class="idea-card winner" id="idea-{winner.id}".*?Winner', html, re.S)


def test_titles_and_descriptions_with_markup_are_shown_as_text(client, db, org):
    competition = make_competition(db, org)
    idea = make_idea(db, competition, title='<script>alert(1)</script>',
                     description='<img src=x onerror="alert(2)">', nickname="<b>Bo</b>")
    for url in (f"/c/{competition.slug}/ideas", f"/c/{competition.slug}/idea/{idea.id}"):
        html = page(client, url)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>Bo</b>" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html


def test_vote_counts_are_hidden_while_collecting_and_shown_when_closed(client, db, org):
    competition = make_competition(db, org)
    idea = make_idea(db, competition)
    services.set_vote(db.session, competition, idea, "device-a", 1)
    db.session.commit()
    assert "1 vote" not in page(client, f"/c/{competition.slug}/ideas")
    competition.status = CompetitionStatus.closed
    db.session.commit()
    assert "1 vote" in page(client, f"/c/{competition.slug}/ideas")
    assert "1 vote" in page(client, f"/c/{competition.slug}/idea/{idea.id}")


def test_the_gallery_pages_sorts_by_votes_and_filters_by_theme_in_the_address(client, db, org):
    competition = make_competition(db, org, categories=["Kultur", "Sport"], status="closed")
    culture, sport = (c.id for c in competition.categories)
    ideas = [make_idea(db, competition, category_id=culture if n % 2 else sport) for n in range(14)]
    for device in ("a", "b", "c"):
        services.set_vote(db.session, competition, ideas[3], device, 1)
    db.session.commit()
    first = page(client, f"/c/{competition.slug}/ideas")
    assert len(ids_in(first)) == 12 and "Page 1 of 2" in first
    assert 'rel="next" href="/c/%s/ideas?page=2"' % competition.slug in first
    assert len(ids_in(page(client, f"/c/{competition.slug}/ideas?page=2"))) == 2
    assert ids_in(page(client, f"/c/{competition.slug}/ideas?sort=votes"))[0] == ideas[3].id
    only_sport = ids_in(page(client, f"/c/{competition.slug}/ideas?category={sport}"))
    assert sorted(only_sport) == sorted(i.id for n, i in enumerate(ideas) if n % 2 == 0)
    # Nonsense in the address falls back to the plain gallery instead of failing.
    assert len(ids_in(page(client, f"/c/{competition.slug}/ideas?sort=x&category=abc&page=-4"))) == 12


def test_an_idea_page_is_not_found_unless_the_idea_is_published(client, db, org):
    competition = make_competition(db, org)
    pending = make_idea(db, competition, status="pending")
    rejected = make_idea(db, competition, status="rejected")
    other = make_idea(db, make_competition(db, org))
    for idea in (pending, rejected, other):
        assert client.get(f"/c/{competition.slug}/idea/{idea.id}").status_code == 404
    approved = make_idea(db, competition, title="Lys i gyden")
    assert "Lys i gyden" in page(client, f"/c/{competition.slug}/idea/{approved.id}")


def test_a_published_photo_is_served_with_its_type_and_cache_headers(client, db, org):
    competition = make_competition(db, org)
    idea = make_idea(db, competition, photo=clean_photo())
    for part, side in (("photo", 1200), ("thumb", 480)):
        response = client.get(f"/c/{competition.slug}/idea/{idea.id}/{part}")
        assert response.status_code == 200 and response.content_type == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=3600" in response.headers["Cache-Control"]
        assert Image.open(io.BytesIO(response.data)).size[0] == side
        again = client.get(f"/c/{competition.slug}/idea/{idea.id}/{part}",
                           headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


def test_the_photo_of_an_idea_waiting_for_review_is_not_shown_to_the_public(client, db, org):
    competition = make_competition(db, org)
    pending = make_idea(db, competition, status="pending", photo=clean_photo())
    for part in ("photo", "thumb"):
        assert client.get(f"/c/{competition.slug}/idea/{pending.id}/{part}").status_code == 404
    without = make_idea(db, competition)
    assert client.get(f"/c/{competition.slug}/idea/{without.id}/photo").status_code == 404


def test_gallery_thumbnails_load_lazily_with_their_size_and_the_title_as_alt(client, db, org):
    competition = make_competition(db, org)
    idea = make_idea(db, competition, title="Grøn gård", photo=clean_photo(size=(1200, 900)))
    html = page(client, f"/c/{competition.slug}/ideas")
    img = re.search(r"<img [^>]*/thumb[^>]*>", html).group(0)
    assert 'alt="Grøn gård"' in img and 'loading="lazy"' in img
    assert 'width="480"' in img and 'height="360"' in img
    photo = re.search(r"<img [^>]*/photo\"[^>]*>", page(client, f"/c/{competition.slug}/idea/{idea.id}")).group(0)
    assert 'width="1200"' in photo and 'height="900"' in photo
