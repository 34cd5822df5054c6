"""`/healthz`: a liveness answer with no database query that no cache keeps."""


def test_liveness_answers_without_a_query_and_is_never_cached(client):
    # No `db` fixture: any query would fail the test ("Database access not allowed").
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
