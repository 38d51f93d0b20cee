"""The OpenAPI schema and the Swagger UI page."""

import re

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn raises on any warning; --validate checks it against OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    paths = schema["paths"]
    for name in ("regions", "organisations", "people", "pairings", "needs", "plans"):
        assert f"/api/v1/{name}/" in paths
    for name in ("activities", "dispatches", "support"):
        assert f"/api/v1/{name}/{{id}}/" in paths
    activity = paths["/api/v1/activities/{id}/"]
    assert {"get", "put", "patch"} <= set(activity) and "delete" not in activity
    body = activity["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/PatchedActivityWriteRequest")
    assert "post" in paths["/api/v1/needs/{id}/claim/"]
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert "id_number_masked" in person and "id_number_enc" not in person


def test_signed_in_users_read_the_schema(world, client_for):
    response = client_for("helper").get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/activities/" in response.json()["paths"]
    anonymous = client_for("anonymous").get(reverse("api:schema"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_docs_page_runs_under_the_strict_policy(world, client_for):
    client = client_for("coordinator")
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # No inline script or style, nothing from another origin.
    assert "<style" not in html and " style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    assert "http://" not in html and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html

    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "no-store" in script["Cache-Control"]
