"""The one OpenAPI document, served by both services, and Swagger UI on top of it."""

import httpx
import openapi


def test_openapi_json_is_the_canonical_document(api: httpx.Client) -> None:
    response = api.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == openapi.load()


def test_openapi_json_is_the_same_bytes_from_both(clients: dict[str, httpx.Client]) -> None:
    fastapi = clients["fastapi"].get("/openapi.json")
    gin = clients["gin"].get("/openapi.json")

    assert fastapi.content == gin.content


def test_docs_page_shows_swagger_ui_on_the_document(api: httpx.Client) -> None:
    response = api.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == openapi.DOCS_PAGE
    assert 'url: "/openapi.json"' in response.text
