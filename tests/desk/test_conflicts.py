"""Two people edit the same story: the second save is refused, nothing typed is lost."""

import pytest
from django.test import Client

from articles.editorial import services
from articles.models import Article

from ..helpers.factories import make_article, make_draft, make_staff
from ..helpers.workflow_forms import change_url, opened_form, read_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(db):
    first, second = Client(), Client()
    first.force_login(make_staff("amina", role="Editor"))
    second.force_login(make_staff("bruno", role="Editor"))
    return first, second


def test_second_save_is_refused_and_keeps_what_was_typed(two_editors):
    amina, bruno = two_editors
    article = make_draft(
        headline="Council approves the new bridge",
        body="<p>The council voted on Tuesday to build the bridge.</p>",
    )
    services.publish_article(article=article, user=None)  # version 2, with its revision
    url = change_url(article)
    amina_form, bruno_form = opened_form(amina, article), opened_form(bruno, article)
    assert amina_form["opened_version"] == bruno_form["opened_version"] == "2"
    # The story is live: each save here publishes its changes (not just a working draft).
    amina_form["_publish_changes"] = bruno_form["_publish_changes"] = "Publish changes"

    amina_form["body"] = "<p>The council voted on Tuesday to build the new river bridge.</p>"
    assert amina.post(url, amina_form).status_code == 302

    bruno_form["headline"] = "Council says yes to the bridge"
    bruno_form["standfirst"] = "Bruno's carefully written standfirst."
    response = bruno.post(url, bruno_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: amina saved this story at" in page
    # Bruno's typing is still in the form...
    kept = read_form(page)
    assert kept["headline"] == "Council says yes to the bridge"
    assert kept["standfirst"] == "Bruno's carefully written standfirst."
    # ...and he sees, word by word, what Amina changed since he opened it.
    assert "Changed by someone else since you opened this story" in page
    assert "<ins>new river</ins>" in page

    # Amina's save stands; Bruno's changed nothing.
    article.refresh_from_db()
    assert article.headline == "Council approves the new bridge"
    assert "new river bridge" in article.body
    assert article.version == 3
    assert article.revisions.count() == 2

    # Having merged by hand, Bruno saves again from the re-shown form: now it goes through.
    kept["body"] = "<p>The council voted on Tuesday to build the new river bridge.</p>"
    assert kept["opened_version"] == "3"
    assert bruno.post(url, kept | {"_publish_changes": "Publish changes"}).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Council says yes to the bridge"
    assert "new river bridge" in article.body
    assert article.version == 4


def test_a_post_without_its_version_is_refused(two_editors):
    amina, _ = two_editors
    article = make_article(headline="Original headline")
    data = opened_form(amina, article)
    del data["opened_version"]
    data["headline"] = "Overwritten blind"
    response = amina.post(change_url(article), data)
    assert response.status_code == 200
    assert "missing its version" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == "Original headline"


def test_saves_by_the_same_person_in_sequence_do_not_conflict(two_editors):
    amina, _ = two_editors
    article = make_article()
    for n in range(3):
        data = opened_form(amina, article)
        data["headline"] = f"Take {n}"
        assert amina.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).version == 4


def test_a_story_saved_before_revisions_existed_still_shows_the_conflict(two_editors):
    amina, bruno = two_editors
    article = make_article(headline="Legacy story")  # no revision stored for version 1
    amina_form, bruno_form = opened_form(amina, article), opened_form(bruno, article)
    assert amina.post(change_url(article), amina_form | {"headline": "Amina's"}).status_code == 302
    response = bruno.post(change_url(article), bruno_form | {"headline": "Bruno's"})
    page = response.content.decode()
    assert "No revision of the version you opened is stored" in page
    assert "<ins>Amina&#x27;s</ins>" in page
    # Amina's save went into the live story's working draft; readers still see the old headline.
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.working_draft["headline"]) == ("Legacy story", "Amina's")
