import json

import pytest

from articles.ingest.models import IngestChannel

from ..helpers.factories import make_source


def ninjs(uri, version=1, headline="Floods close roads", body="The river burst its banks.", **more):
    doc = {
        "uri": uri,
        "version": str(version),
        "headline": headline,
        "body_html": f"<p>{body}</p>",
        "pubstatus": "usable",
        **more,
    }
    return json.dumps(doc)


WIRE_TEXT = """Storm reaches the coast

Winds of 150 km/h hit the port overnight.

Fishing boats were moved inland before the storm.
"""


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "drop"
    path.mkdir()
    return path


@pytest.fixture
def folder_channel(db, folder):
    return IngestChannel.objects.create(
        name="Agency X",
        kind=IngestChannel.Kind.FOLDER,
        location=str(folder),
        default_tags="World, Weather",
        source=make_source("Agency X"),
        desk="World",
    )
