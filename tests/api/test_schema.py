"""The API as documented: the OpenAPI schema is valid, says how a token is sent, and every
endpoint it documents answers as documented — for each GET whose address needs nothing but
the award's slug, the answer on a published award, with an organiser's token, validates
against the schema of its 200 answer (so endpoints added later are covered without a
test of their own). And the documentation page is our own files, without inline code."""

import copy
import re

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.api.test_public import results_url
from tests.results.test_public_results import publish
from tests.results.test_publication import decided_award

pytestmark = pytest.mark.django_db

SCHEMA = reverse("api:schema")
DOCS = reverse("api:docs")


def schema_of(client, language: str = "en") -> dict:
    answer = client.get(SCHEMA, {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    return answer.json()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_schema_is_valid_openapi_3(api_client, language):
    schema = schema_of(api_client, language)

    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_is_yaml_by_default_and_needs_no_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer lrl_not-a-token")

    answer = api_client.get(SCHEMA)

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi")
    assert answer.content.startswith(b"openapi: 3.")


def test_the_schema_says_how_a_token_is_sent(api_client):
    schema = schema_of(api_client)

    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    public = schema["paths"]["/api/v1/public/awards/{slug}/results/"]["get"]
    assert public.get("security", [{}]) in ([{}], [])  # no token needed
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/awards/"):
            for operation in operations.values():
                assert operation["security"] == [{"bearerAuth": []}], path


# --- Every documented endpoint answers as documented -----------------------------------------


def json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` becomes a ``null`` alternative."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node and "enum" not in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


FILLED = {"slug", "id", "round_number"}


def simple_gets(schema: dict):
    """``(path, operation)`` of every GET whose path parameters the test can fill (``{slug}``,
    an entry's ``{id}``, a ``{round_number}``): all but the signed download link."""
    for path, operations in sorted(schema["paths"].items()):
        operation = operations.get("get")
        if operation is None or set(re.findall(r"{(\w+)}", path)) - FILLED:
            continue
        required = [
            p for p in operation.get("parameters", []) if p.get("required") and p["in"] != "path"
        ]
        if not required:
            yield path, operation


def test_every_simple_get_answers_as_documented(api_client, token_for):
    scene = publish(decided_award())
    schema = schema_of(api_client)
    components = json_schema(copy.deepcopy(schema["components"]))
    token = token_for(scene.organiser, scene.award)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    checked, problems = [], []

    for path, operation in simple_gets(schema):
        url = (
            path.replace("{slug}", scene.award.slug)
            .replace("{id}", str(scene.e.pavilion.pk))
            .replace("{round_number}", str(scene.round.number))
        )
        answer = api_client.get(url)
        checked.append(path)
        if answer.status_code != 200:
            problems.append(f"{path}: {answer.status_code} {answer.content[:200]!r}")
            continue
        documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**json_schema(documented), "components": components})
        for error in validator.iter_errors(answer.json()):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{path}: {where}: {error.message[:300]}")

    assert problems == []
    assert "/api/v1/public/awards/" in checked
    assert "/api/v1/public/awards/{slug}/results/" in checked
    # Every documented GET but the signed file link was called.
    documented = {path for path, ops in schema["paths"].items() if "get" in ops}
    assert documented - set(checked) == {"/api/v1/awards/{slug}/files/{signed}/"}


def test_the_check_catches_an_answer_that_differs(api_client):
    """The schema-driven check above is not vacuous: a wrong answer fails it."""
    scene = publish(decided_award())
    schema = schema_of(api_client)
    components = json_schema(copy.deepcopy(schema["components"]))
    operation = schema["paths"]["/api/v1/public/awards/{slug}/results/"]["get"]
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**json_schema(documented), "components": components})
    answer = api_client.get(results_url(scene.award)).json()
    assert list(validator.iter_errors(answer)) == []

    answer["categories"][0]["winners"][0]["place"] = "first"
    del answer["slug"]

    assert len(list(validator.iter_errors(answer))) == 2


# --- The documentation page ---------------------------------------------------------------


def test_the_docs_are_our_own_files_without_inline_code(client):
    answer = client.get(DOCS)

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(body.strip() == "" for _attrs, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(source.startswith("/") for source in sources), sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy

    script = client.get(f"{DOCS}?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA in script.content.decode()
