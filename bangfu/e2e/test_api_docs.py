"""The API documentation (Swagger UI) in Chromium: it loads the schema and logs no CSP violation."""

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_the_schema_under_the_policy(page, world):
    login(page, "helper")
    page.goto(page.base_url + "/api/docs/")
    # Drawn by the separately served init script from the schema it fetched.
    page.wait_for_selector(".swagger-ui .info .title")
    assert "帮扶 bangfu API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector("#operations-activities-activities_list")
    page.click("#operations-activities-activities_list .opblock-summary")
    page.wait_for_selector("#operations-activities-activities_list .opblock-body")
    shot(page, "api-docs")
