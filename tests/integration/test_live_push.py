"""The AWS side of the live seat map's fan-out, against botocore's own request stubs: frames
go out through the management API and a 410 means the connection is gone; fan-out jobs go
to the Boxoffice bus (where the packaged rules listen), ten to a call, and rejected entries are sent again."""
import json

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.adapters.websocket_push import (ApiGatewayPusher, EventBridgeFanOut,
                                                management_endpoint)
from chalicelib.domain.live import FanOutJob, SeatChange

URL = "wss://abc123.execute-api.eu-west-1.amazonaws.com/v1/"
OFFLINE = {"region_name": "eu-west-1", "aws_access_key_id": "stub", "aws_secret_access_key": "stub"}


def test_the_management_endpoint_is_the_stage_url_over_https():
    assert management_endpoint(URL) == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"


def test_a_connection_answering_410_is_reported_gone_and_the_others_are_sent():
    client = boto3.client("apigatewaymanagementapi", endpoint_url=management_endpoint(URL),
                          **OFFLINE)
    with Stubber(client) as stub:
        stub.add_response("post_to_connection", {},
                          {"ConnectionId": "c1", "Data": b'{"type":"pong"}'})
        stub.add_client_error("post_to_connection", service_error_code="GoneException",
                              http_status_code=410)
        stub.add_client_error("post_to_connection", service_error_code="ForbiddenException",
                              http_status_code=403)
        pusher = ApiGatewayPusher(URL, "eu-west-1", threads=1, client=client)
        gone = pusher.push([("c1", {"type": "pong"}), ("c2", {"type": "pong"}),
                            ("c3", {"type": "pong"})])
        stub.assert_no_pending_responses()
    assert gone == {"c2"}  # c3 failed otherwise: logged, not dropped


def test_a_pusher_without_a_websocket_url_says_so():
    with pytest.raises(RuntimeError, match="WEBSOCKET_URL"):
        ApiGatewayPusher(None, "eu-west-1").push([("c1", {"type": "pong"})])


def test_fan_out_jobs_go_to_the_boxoffice_bus_ten_at_a_time_and_rejections_are_resent():
    client = boto3.client("events", **OFFLINE)
    jobs = [FanOutJob("evt-1", shard, "2026-11-01T12:00:00Z", (SeatChange("A-1-1", "held"),))
            for shard in range(12)]
    with Stubber(client) as stub:
        stub.add_response("put_events", {"FailedEntryCount": 1, "Entries": [
            {"EventId": str(n)} if n != 4 else {"ErrorCode": "ThrottlingException"}
            for n in range(10)]})
        stub.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "x"}]})
        stub.add_response("put_events", {"FailedEntryCount": 0,
                                          "Entries": [{"EventId": "y"}, {"EventId": "z"}]})
        EventBridgeFanOut("eu-west-1", "boxoffice-dev", client=client).dispatch(jobs)
        stub.assert_no_pending_responses()


def test_a_fan_out_entry_carries_the_job_for_the_live_fan_out_rule():
    client = boto3.client("events", **OFFLINE)
    job = FanOutJob("evt-1", 2, "2026-11-01T12:00:00Z", (SeatChange("B-3-4", "sold"),))
    with Stubber(client) as stub:
        stub.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}]},
                          {"Entries": [{"Source": "boxoffice.live",
                                        "DetailType": "SeatMapFanOut",
                                        "Detail": json.dumps(job.to_detail(),
                                                             separators=(",", ":")),
                                        "EventBusName": "boxoffice-dev"}]})
        EventBridgeFanOut("eu-west-1", "boxoffice-dev", client=client).dispatch([job])
        stub.assert_no_pending_responses()
