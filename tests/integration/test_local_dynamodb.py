"""The local stack's DynamoDB (moto with chalicelib/local/moto_patches.py) answers as DynamoDB
does: transactions are all or nothing (no stream record of a failed one), Query returns what
moto returned before the patches, and streams never skip, invent or reuse a record.

Answers are compared with an unpatched moto server in a process of its own."""
import random
import subprocess
import sys
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.local import moto_patches

PLAIN_MOTO = """
import socket, sys
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import ThreadedWSGIServer

class Server(ThreadedWSGIServer):
    def get_request(self):  # no 40 ms delayed-ACK stalls on every request
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

server = Server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app))
print(server.server_port, flush=True)
server.serve_forever()
"""


def clients(endpoint):
    options = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                   aws_secret_access_key="local",
                   config=Config(retries={"max_attempts": 1}))
    return boto3.client("dynamodb", **options), boto3.client("dynamodbstreams", **options)


@pytest.fixture(scope="module")
def plain_moto():
    """moto 5.2 as released, with none of the local stack's patches."""
    process = subprocess.Popen([sys.executable, "-c", PLAIN_MOTO], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(process.stdout.readline())
        yield clients(f"http://127.0.0.1:{port}")
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def local(stack):
    return clients(stack.moto.url)


def create_table(dynamodb, name):
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in (
            ("pk", "S"), ("sk", "S"), ("owner", "S"), ("rank", "N"), ("kind", "S"),
            ("score", "N"))],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "byOwner", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"},
                           {"AttributeName": "rank", "KeyType": "RANGE"}]},
            {"IndexName": "byKind", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}]}],
        LocalSecondaryIndexes=[
            {"IndexName": "byScore", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "score", "KeyType": "RANGE"}]}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return name


def unordered_sets(value):
    """DynamoDB sets have no order (moto's follows Python's per-process string hashing)."""
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else unordered_sets(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [unordered_sets(v) for v in value]
    return value


def outcome(call):
    """What a request answered: its result without metadata, or its error."""
    try:
        result = call()
    except ClientError as e:
        return {"error": e.response["Error"]["Code"],
                "reasons": unordered_sets(e.response.get("CancellationReasons"))}
    result.pop("ResponseMetadata", None)
    return unordered_sets(result)


def both(local, plain_moto, action, **kwargs):
    """The same request to the local stack's moto and to plain moto; both answers."""
    return (outcome(lambda: getattr(local[0], action)(**kwargs)),
            outcome(lambda: getattr(plain_moto[0], action)(**kwargs)))


def same(local, plain_moto, action, **kwargs):
    mine, theirs = both(local, plain_moto, action, **kwargs)
    assert mine == theirs, (action, kwargs)
    return mine


def s(value):
    return {"S": value}


def n(value):
    return {"N": str(value)}


def random_item(rng, pk, sk):
    item = {"pk": s(pk), "sk": s(sk), "payload": s("x" * rng.randrange(0, 40))}
    if rng.random() < 0.7:
        item["owner"] = s(rng.choice(["ann", "bob", "cy", "dee"]))
    if rng.random() < 0.8:
        item["rank"] = n(rng.randrange(-5, 30))
    if rng.random() < 0.6:
        item["kind"] = s(rng.choice(["seat", "hold", "booking"]))
    if rng.random() < 0.7:
        item["score"] = n(rng.randrange(0, 100) / 4)
    return item


def everything(dynamodb, table):
    found = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(found, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def unread(streams, iterator):
    answer = streams.get_records(ShardIterator=iterator)
    return answer["Records"], answer["NextShardIterator"]


def latest_iterator(dynamodb, streams, table):
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                      ShardIteratorType="LATEST")["ShardIterator"]


def four_items(dynamodb, table):
    for i in range(1, 5):
        dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s(f"S{i}"), "v": n(i),
                                                 "owner": s("ann"), "rank": n(i)})


def third_of_four_fails(table):
    return [
        {"Update": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S1")},
                    "UpdateExpression": "SET v = :v, #o = :o",
                    "ExpressionAttributeNames": {"#o": "owner"},
                    "ExpressionAttributeValues": {":v": n(10), ":o": s("bob")}}},
        {"Put": {"TableName": table, "Item": {"pk": s("P"), "sk": s("S2"), "v": n(20)},
                 "ConditionExpression": "attribute_exists(pk)"}},
        {"Update": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S3")},
                    "UpdateExpression": "SET v = :v",
                    "ConditionExpression": "v = :expected",
                    "ExpressionAttributeValues": {":v": n(30), ":expected": n(99)},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Delete": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S4")}}}]


# --- transactions -------------------------------------------------------------------------

def test_a_transaction_whose_third_of_four_actions_fails_leaves_every_item_and_the_stream_unchanged(
        local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, streams in (local, plain_moto):
        create_table(dynamodb, table)
        four_items(dynamodb, table)
    before = everything(local[0], table)
    iterator = latest_iterator(*local, table)

    mine = same(local, plain_moto, "transact_write_items", TransactItems=third_of_four_fails(table))

    assert mine["error"] == "TransactionCanceledException"
    # One reason per action, in order; "None" for those that would have passed (as the
    # DynamoDB API reference documents CancellationReasons).
    assert [r["Code"] for r in mine["reasons"]] == ["None", "None", "ConditionalCheckFailed",
                                                     "None"]
    assert everything(local[0], table) == before == everything(plain_moto[0], table)
    assert same(local, plain_moto, "query", TableName=table, IndexName="byOwner",
                KeyConditionExpression="#o = :o", ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":o": s("bob")})["Items"] == []
    records, _ = unread(local[1], iterator)
    assert records == []


def test_return_values_on_condition_check_failure_all_old_returns_the_old_item(local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        four_items(dynamodb, table)
    mine = same(local, plain_moto, "transact_write_items", TransactItems=third_of_four_fails(table))
    assert mine["reasons"][2] == {
        "Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
        "Item": {"pk": s("P"), "sk": s("S3"), "v": n(3), "owner": s("ann"), "rank": n(3)}}
    assert "Item" not in mine["reasons"][1]


def test_a_transaction_naming_one_item_twice_is_a_validation_exception_and_changes_nothing(
        local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        four_items(dynamodb, table)
    before = everything(local[0], table)
    mine = same(local, plain_moto, "transact_write_items", TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": s("P"), "sk": s("S9")}}},
        {"Update": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S1")},
                    "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": n(5)}}},
        {"Delete": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S1")}}}])
    assert mine == {"error": "ValidationException", "reasons": None}
    assert everything(local[0], table) == before


def test_an_action_failing_while_being_applied_undoes_the_writes_before_it(local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        four_items(dynamodb, table)
        dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s("S5"), "v": s("text")})
    before = everything(local[0], table)
    iterator = latest_iterator(*local, table)
    mine = same(local, plain_moto, "transact_write_items", TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": s("P"), "sk": s("S1"), "owner": s("cy"),
                                              "rank": n(7)}}},
        {"Update": {"TableName": table, "Key": {"pk": s("Q"), "sk": s("new")},
                    "UpdateExpression": "SET #o = :o, #r = :r",
                    "ExpressionAttributeNames": {"#o": "owner", "#r": "rank"},
                    "ExpressionAttributeValues": {":o": s("cy"), ":r": n(1)}}},
        {"Delete": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S2")}}},
        # Adding a number to a string fails only when the update is applied.
        {"Update": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S5")},
                    "UpdateExpression": "SET v = v + :one",
                    "ExpressionAttributeValues": {":one": n(1)}}}])
    assert mine["error"] == "ValidationException"
    assert everything(local[0], table) == before == everything(plain_moto[0], table)
    assert same(local, plain_moto, "query", TableName=table, IndexName="byOwner",
                KeyConditionExpression="#o = :o", ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":o": s("cy")})["Items"] == []
    assert unread(local[1], iterator)[0] == []


def test_a_failed_transaction_leaves_no_stream_record_and_the_next_write_is_not_skipped(local):
    dynamodb, streams = local
    table = create_table(dynamodb, "t-" + uuid.uuid4().hex[:8])
    four_items(dynamodb, table)
    # Taken before the failed transaction, as the relay holds one between two requests.
    iterator = latest_iterator(dynamodb, streams, table)
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=third_of_four_fails(table))
    dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s("after"), "v": n(1)})

    records, _ = unread(streams, iterator)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"]) for r in records] == [
        ("INSERT", "after")]


def test_a_successful_transaction_writes_what_moto_writes_and_one_record_per_item(
        local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        four_items(dynamodb, table)
    iterator = latest_iterator(*local, table)
    actions = third_of_four_fails(table)
    actions[2]["Update"]["ExpressionAttributeValues"][":expected"] = n(3)
    actions.append({"ConditionCheck": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S9")},
                                       "ConditionExpression": "attribute_not_exists(pk)"}})
    assert "error" not in same(local, plain_moto, "transact_write_items", TransactItems=actions)
    assert everything(local[0], table) == everything(plain_moto[0], table)
    records, _ = unread(local[1], iterator)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"]) for r in records] == [
        ("MODIFY", "S1"), ("MODIFY", "S2"), ("MODIFY", "S3"), ("REMOVE", "S4")]


def test_an_update_that_creates_an_item_writes_one_insert_record(local):
    dynamodb, streams = local
    table = create_table(dynamodb, "t-" + uuid.uuid4().hex[:8])
    iterator = latest_iterator(dynamodb, streams, table)
    dynamodb.update_item(TableName=table, Key={"pk": s("P"), "sk": s("new")},
                         UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": n(1)})
    records, _ = unread(streams, iterator)
    assert [(r["eventName"], r["dynamodb"]["NewImage"]) for r in records] == [
        ("INSERT", {"pk": s("P"), "sk": s("new"), "v": n(1)})]


# --- queries ------------------------------------------------------------------------------

PARTITIONS = [f"P{i}" for i in range(6)]


def load_and_churn(dynamodb, table, seed=11):
    """Items, then the writes that move items between index partitions."""
    rng = random.Random(seed)
    keys = [(pk, f"{rng.choice('AB')}#{i:03d}") for pk in PARTITIONS for i in range(25)]
    for start in range(0, len(keys), 25):
        dynamodb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": random_item(rng, pk, sk)}}
            for pk, sk in keys[start:start + 25]]})
    for pk, sk in rng.sample(keys, 30):
        dynamodb.update_item(TableName=table, Key={"pk": s(pk), "sk": s(sk)},
                             UpdateExpression="SET #o = :o, #r = :r",
                             ExpressionAttributeNames={"#o": "owner", "#r": "rank"},
                             ExpressionAttributeValues={":o": s(rng.choice(["ann", "eve"])),
                                                        ":r": n(rng.randrange(50))})
    for pk, sk in rng.sample(keys, 15):
        dynamodb.update_item(TableName=table, Key={"pk": s(pk), "sk": s(sk)},
                             UpdateExpression="REMOVE #o, kind",
                             ExpressionAttributeNames={"#o": "owner"})
    for pk, sk in rng.sample(keys, 15):
        dynamodb.delete_item(TableName=table, Key={"pk": s(pk), "sk": s(sk)})
    for pk, sk in rng.sample(keys, 10):
        dynamodb.put_item(TableName=table, Item=random_item(rng, pk, sk))
    dynamodb.batch_write_item(RequestItems={table: [
        {"DeleteRequest": {"Key": {"pk": s(pk), "sk": s(sk)}}} for pk, sk in rng.sample(keys, 5)]})
    dynamodb.transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": {"pk": s("P0"), "sk": s(f"T#{i}")},
                    "UpdateExpression": "SET #o = :o, #r = :r, kind = :k",
                    "ExpressionAttributeNames": {"#o": "owner", "#r": "rank"},
                    "ExpressionAttributeValues": {":o": s("dee"), ":r": n(i), ":k": s("hold")}}}
        for i in range(5)])
    with pytest.raises(ClientError):  # undone: leaves the indexes as they were
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": s("P1"), "sk": s("U#1"),
                                                  "owner": s("ann"), "rank": n(1)}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": s("P0"), "sk": s("T#1")},
                                "ConditionExpression": "attribute_not_exists(pk)"}}])


def pages(local, plain_moto, **query) -> list:
    """Every item of a query, page by page, from both; asserts each page is the same."""
    found, start = [], None
    while True:
        page = same(local, plain_moto, "query", **query,
                    **({"ExclusiveStartKey": start} if start else {}))
        assert "error" not in page, page
        found += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def key_conditions():
    yield "pk = :p", {}
    yield "pk = :p AND begins_with(sk, :a)", {":a": s("A#")}
    yield "pk = :p AND sk BETWEEN :lo AND :hi", {":lo": s("A#005"), ":hi": s("B#015")}
    yield "pk = :p AND sk < :b", {":b": s("B")}
    yield "pk = :p AND sk > :b", {":b": s("B")}
    yield "pk = :p AND sk <= :b", {":b": s("A#010")}
    yield "pk = :p AND sk >= :b", {":b": s("B#010")}


def test_queries_of_the_table_answer_as_moto_did(local, plain_moto):
    table = "q-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        load_and_churn(dynamodb, table)
    assert everything(local[0], table) == everything(plain_moto[0], table)
    assert len(pages(local, plain_moto, TableName=table, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": s("P0")})) > 20
    for pk in PARTITIONS + ["nobody"]:
        for condition, values in key_conditions():
            for extra in ({}, {"ScanIndexForward": False}, {"Limit": 7},
                          {"Limit": 4, "ScanIndexForward": False},
                          {"FilterExpression": "attribute_exists(#o) AND #r > :r",
                           "ExpressionAttributeNames": {"#o": "owner", "#r": "rank"},
                           "Limit": 6},
                          {"ProjectionExpression": "sk, kind"}):
                extra = dict(extra)
                more_values = {":r": n(3)} if "FilterExpression" in extra else {}
                pages(local, plain_moto, TableName=table, KeyConditionExpression=condition,
                      ExpressionAttributeValues={":p": s(pk), **values, **more_values}, **extra)
        pages(local, plain_moto, TableName=table, IndexName="byScore",
              KeyConditionExpression="pk = :p AND score > :x", Limit=5,
              ExpressionAttributeValues={":p": s(pk), ":x": n(10)})


def test_queries_of_global_secondary_indexes_answer_as_moto_did_sparse_items_included(
        local, plain_moto):
    table = "q-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        load_and_churn(dynamodb, table)
    assert len(pages(local, plain_moto, TableName=table, IndexName="byOwner",
                     KeyConditionExpression="#o = :o", ExpressionAttributeNames={"#o": "owner"},
                     ExpressionAttributeValues={":o": s("dee")})) >= 10
    for owner in ["ann", "bob", "cy", "dee", "eve", "nobody"]:
        values = {":o": s(owner)}
        for condition, more in (("#o = :o", {}), ("#o = :o AND #r BETWEEN :lo AND :hi",
                                                  {":lo": n(0), ":hi": n(12)}),
                                ("#o = :o AND #r < :hi", {":hi": n(5)}),
                                ("#o = :o AND #r >= :lo", {":lo": n(20)})):
            for extra in ({}, {"ScanIndexForward": False}, {"Limit": 5},
                          {"Limit": 3, "ScanIndexForward": False},
                          {"FilterExpression": "begins_with(sk, :a)", "Limit": 4}):
                extra = dict(extra)
                filter_values = {":a": s("B#")} if "FilterExpression" in extra else {}
                pages(local, plain_moto, TableName=table, IndexName="byOwner",
                      KeyConditionExpression=condition,
                      ExpressionAttributeNames={"#o": "owner", "#r": "rank"}
                      if "#r" in condition else {"#o": "owner"},
                      ExpressionAttributeValues={**values, **more, **filter_values}, **extra)
    for kind in ["seat", "hold", "booking", "none"]:
        for extra in ({}, {"Limit": 4}, {"ScanIndexForward": False, "Limit": 6}):
            pages(local, plain_moto, TableName=table, IndexName="byKind",
                  KeyConditionExpression="kind = :k", ExpressionAttributeValues={":k": s(kind)},
                  **extra)


def test_a_query_of_an_unknown_index_is_refused_as_moto_refused_it(local, plain_moto):
    table = "q-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
    mine = same(local, plain_moto, "query", TableName=table, IndexName="nope",
                KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": s("x")})
    assert "error" in mine


# --- streams ------------------------------------------------------------------------------

def trim_horizon(dynamodb, streams, table):
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]


def read_all(streams, iterator, limit=1000):
    found = []
    while True:
        answer = streams.get_records(ShardIterator=iterator, Limit=limit)
        found += answer["Records"]
        iterator = answer["NextShardIterator"]
        if not answer["Records"]:
            return found, iterator


def sequence_numbers(records):
    return [int(r["dynamodb"]["SequenceNumber"]) for r in records]


def test_records_every_reader_has_passed_are_trimmed_beyond_a_window_and_unread_ones_kept(
        local, monkeypatch):
    monkeypatch.setattr(moto_patches, "READ_RECORDS_KEPT", 5)
    dynamodb, streams = local
    table = create_table(dynamodb, "t-" + uuid.uuid4().hex[:8])
    fast, slow = trim_horizon(dynamodb, streams, table), trim_horizon(dynamodb, streams, table)
    for i in range(40):
        dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s(f"{i:03d}")})

    answer = streams.get_records(ShardIterator=slow, Limit=10)
    slow_first, slow = answer["Records"], answer["NextShardIterator"]
    fast_records, fast = read_all(streams, fast, limit=7)
    # The fast reader passed every record; the slow one still gets each it has not read.
    slow_rest, slow = read_all(streams, slow)
    assert sequence_numbers(slow_first + slow_rest) == sequence_numbers(fast_records)
    assert len(fast_records) == 40

    # Now both are past every record: only the newest 5 read ones stay.
    kept, _ = read_all(streams, trim_horizon(dynamodb, streams, table))
    assert sequence_numbers(kept) == sequence_numbers(fast_records)[-5:]


def test_an_iterator_into_trimmed_records_is_refused_rather_than_skipping_them(
        local, monkeypatch):
    monkeypatch.setattr(moto_patches, "READ_RECORDS_KEPT", 2)
    dynamodb, streams = local
    table = create_table(dynamodb, "t-" + uuid.uuid4().hex[:8])
    reader = trim_horizon(dynamodb, streams, table)
    for i in range(20):
        dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s(f"{i:03d}")})
    first = streams.get_records(ShardIterator=reader, Limit=1)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    # An iterator nobody reads from holds nothing back (as on AWS, where records expire).
    stale = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=first["Records"][0]["dynamodb"]["SequenceNumber"])["ShardIterator"]
    read_all(streams, first["NextShardIterator"], limit=3)

    with pytest.raises(ClientError) as refused:
        streams.get_records(ShardIterator=stale)
    assert refused.value.response["Error"]["Code"] == "TrimmedDataAccessException"


def test_sequence_numbers_only_grow_even_across_a_rolled_back_transaction(local):
    dynamodb, streams = local
    table = create_table(dynamodb, "t-" + uuid.uuid4().hex[:8])
    iterator = trim_horizon(dynamodb, streams, table)
    dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s("S5"), "v": s("text")})
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": s("P"), "sk": s("S1")}}},
            {"Update": {"TableName": table, "Key": {"pk": s("P"), "sk": s("S5")},
                        "UpdateExpression": "SET v = v + :one",
                        "ExpressionAttributeValues": {":one": n(1)}}}])
    dynamodb.put_item(TableName=table, Item={"pk": s("P"), "sk": s("S2")})
    records, _ = read_all(streams, iterator)
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in records] == ["S5", "S2"]
    numbers = sequence_numbers(records)
    assert numbers == sorted(set(numbers))


# --- responses ----------------------------------------------------------------------------

EVERY_TYPE = {"pk": s("P"), "sk": s("every-type"), "text": s(""), "number": n("-1.50"),
              "binary": {"B": b"\x00\x01bytes"}, "strings": {"SS": ["a", "b"]},
              "numbers": {"NS": ["1", "2.5"]}, "binaries": {"BS": [b"x", b"y"]},
              "flag": {"BOOL": False}, "nothing": {"NULL": True},
              "list": {"L": [s("x"), n(1), {"M": {"deep": {"L": [{"BOOL": True}]}}}, {"B": b"z"}]},
              "map": {"M": {"a": s("b"), "empty": {"M": {}}, "none": {"L": []}}}}


def test_items_of_every_attribute_type_read_back_as_moto_returns_them(local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
        dynamodb.put_item(TableName=table, Item=EVERY_TYPE)
    key = {"pk": s("P"), "sk": s("every-type")}
    assert same(local, plain_moto, "get_item", TableName=table, Key=key)["Item"] == \
        unordered_sets(EVERY_TYPE)
    same(local, plain_moto, "query", TableName=table, KeyConditionExpression="pk = :p",
         ExpressionAttributeValues={":p": s("P")})
    same(local, plain_moto, "transact_get_items", TransactItems=[
        {"Get": {"TableName": table, "Key": key}}])
    same(local, plain_moto, "batch_get_item", RequestItems={table: {"Keys": [key]}})
    for projection in ("pk, #n, strings, binaries, #m", "#m.a, #l[1], #l[2].#m.deep, flag",
                       "#l, #l[0]", "#n, pk, #n"):
        names = {k: v for k, v in (("#n", "number"), ("#m", "map"), ("#l", "list"))
                 if k in projection}
        same(local, plain_moto, "get_item", TableName=table, Key=key,
             ProjectionExpression=projection, ExpressionAttributeNames=names)
    same(local, plain_moto, "update_item", TableName=table, Key=key,
         UpdateExpression="SET #m.a = :v", ExpressionAttributeNames={"#m": "map"},
         ExpressionAttributeValues={":v": s("c")}, ReturnValues="ALL_NEW")
    images = [[unordered_sets([r["eventName"], r["dynamodb"].get("OldImage"),
                               r["dynamodb"]["NewImage"]])
               for r in read_all(streams, trim_horizon(dynamodb, streams, table))[0]]
              for dynamodb, streams in (local, plain_moto)]
    assert images[0] == images[1] and len(images[0]) == 2


def test_an_item_over_400_kb_is_refused_as_moto_refuses_it(local, plain_moto):
    table = "t-" + uuid.uuid4().hex[:8]
    for dynamodb, _ in (local, plain_moto):
        create_table(dynamodb, table)
    just_under = {"pk": s("P"), "sk": s("big"), "a": s("x" * 200_000), "b": s("y" * 204_000)}
    assert "error" not in same(local, plain_moto, "put_item", TableName=table, Item=just_under)
    over = {**just_under, "c": s("z" * 2_000)}
    assert same(local, plain_moto, "put_item", TableName=table, Item=over)["error"] == \
        "ValidationException"


def test_moto_forgets_the_items_it_no_longer_holds(stack):
    import gc

    from moto.dynamodb.models.dynamo_type import Item
    gc.collect()
    before = len(Item.instances_tracked)
    for number in range(1000):
        Item(moto_patches.DynamoType({"S": "P"}), None, {"pk": s("P"), "n": n(number)})
    gc.collect()
    assert len(Item.instances_tracked) - before < 100
    kept = Item(moto_patches.DynamoType({"S": "P"}), None, {"pk": s("P")})
    assert any(instance is kept for instance in Item.instances_tracked)
