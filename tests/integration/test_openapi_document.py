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
