"""The API's description is generated from the code: the committed document must be current."""
from chalicelib.tools import openapi


def test_the_committed_openapi_document_is_current():
    assert openapi.main(["--check"]) == 0, "run: python -m chalicelib.tools.openapi"


def test_every_route_is_in_the_document_with_its_statuses(http):
    document = http.request("GET", "/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    hold = document["paths"]["/bookings/hold"]["post"]["responses"]
    assert {"201", "400", "401", "404", "409", "422", "500"} <= set(hold)
    assert document["paths"]["/bookings"]["post"]["parameters"][0]["required"] is True


def test_the_served_document_is_valid_openapi_3_1(http):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator
    validate(http.request("GET", "/openapi.json").json(), cls=OpenAPIV31SpecValidator)


def test_the_reference_page_lists_every_operation_of_the_document():
    import json
    from pathlib import Path
    docs = Path(__file__).resolve().parents[2] / "docs"
    document = json.loads((docs / "openapi.json").read_text())
    page = (docs / "api.md").read_text()
    for path, item in document["paths"].items():
        for method in item:
            assert f"#### `{method.upper()} {path}`" in page
    assert "../shared" not in page and "CONTRACT" not in page
