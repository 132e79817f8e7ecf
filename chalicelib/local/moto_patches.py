"""Patches to moto 5.2 that make the local stack behave like DynamoDB under load.

Each patch fixes one way moto differs from DynamoDB (or leaks) that the local stack hit; each
is applied once per process by `apply()`, and they assume what SerialisedMoto guarantees:
one request at a time."""
from __future__ import annotations

import bisect
import copy
import threading
import time
import weakref
from collections import OrderedDict

from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.exceptions import (ConditionalCheckFailed, MockValidationException,
                                      MultipleTransactionsException,
                                      TooManyTransactionsException,
                                      TransactionCanceledException,
                                      TransactWriteSingleOpException)
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

# Read stream records kept for a reader that asks again from an older position (a reader
# retrying a batch is covered anyway: a batch counts as read once the next one is asked for).
# Unread records are kept up to MAX_STREAM_RECORDS, the local stand-in for DynamoDB's 24 h.
READ_RECORDS_KEPT = 100
MAX_STREAM_RECORDS = 100_000
# DynamoDB expires a shard iterator after 15 minutes; the local stack also caps how many
# it remembers, since every GetRecords mints a new one.
ITERATOR_SECONDS = 15 * 60
MAX_ITERATORS = 1_000

_applied = False
_lock = threading.Lock()


def apply() -> None:
    global _applied
    with _lock:
        if _applied:
            return
        track_instances_weakly()
        keep_a_bounded_stream_window()
        check_every_condition_before_writing()
        query_one_partition()
        write_one_insert_record_per_new_item()
        serialise_attribute_values_directly()
        size_items_once()
        lex_each_expression_once()
        project_top_level_attributes_directly()
        find_services_once()
        _applied = True


# --- memory -------------------------------------------------------------------------------

class WeakInstances:
    """What moto's `instances_tracked` lists are used for (its dashboard lists live models),
    without keeping every item, stream record and table copy ever made alive forever."""

    def __init__(self, existing=()):
        self._refs: list = []
        self._strong: list = []
        self._compact_at = 64
        for instance in existing:
            self.append(instance)

    def append(self, instance) -> None:
        try:
            self._refs.append(weakref.ref(instance))
        except TypeError:  # a model that cannot be weakly referenced stays tracked
            self._strong.append(instance)
            return
        if len(self._refs) >= self._compact_at:
            self._refs = [r for r in self._refs if r() is not None]
            self._compact_at = max(64, 2 * len(self._refs))

    def __iter__(self):
        yield from list(self._strong)
        for ref in list(self._refs):
            instance = ref()
            if instance is not None:
                yield instance

    def __len__(self) -> int:
        return sum(1 for _ in self)


def track_instances_weakly() -> None:
    """moto's BaseModel appends every instance to a class-level list and never removes it:
    every Item (including the copy each Query and UpdateItem makes), every stream record and
    every table copy: a hold and its release added megabytes, more with every cycle."""
    original_new = BaseModel.__new__

    def __new__(cls, *args, **kwargs):
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakInstances):
            # Also after moto's reset_model_data() put a plain list back.
            cls.instances_tracked = WeakInstances(tracked or ())
        return original_new(cls, *args, **kwargs)
    BaseModel.__new__ = staticmethod(__new__)


# --- streams ------------------------------------------------------------------------------

class TrimmedDataAccessException(JsonRESTError):
    def __init__(self):
        super().__init__("TrimmedDataAccessException",
                         "The operation attempted to read past the oldest stream record in a "
                         "shard.")


class ExpiredIteratorException(JsonRESTError):
    def __init__(self):
        super().__init__("ExpiredIteratorException", "Iterator expired.")


def _shard_state(shard: StreamShard) -> dict:
    state = shard.__dict__.get("_boxoffice")
    if state is None:
        # The next sequence number to hand out, the last one trimmed away, and where each
        # reader (a chain of iterators) last asked from: it has read everything before.
        state = shard.__dict__["_boxoffice"] = {
            "next": shard.starting_sequence_number + len(shard.items),
            "trimmed_through": shard.starting_sequence_number - 1, "readers": {}}
        for offset, record in enumerate(shard.items):
            record.seq = shard.starting_sequence_number + offset
    return state


def keep_a_bounded_stream_window() -> None:
    """moto numbers stream records by their index in a list that only grows (and that every
    table copy copied). DynamoDB never reuses a sequence number and trims records after
    24 h: here, records every recent reader has passed are trimmed, beyond a window of
    READ_RECORDS_KEPT, and the oldest beyond MAX_STREAM_RECORDS in any case."""
    from moto.awslambda.utils import get_backend

    def add(self: StreamShard, old, new) -> None:
        state = _shard_state(self)
        view = self.table.stream_specification["StreamViewType"]
        event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        seq, state["next"] = state["next"], state["next"] + 1
        record = StreamRecord(self.table, view, event_name, old, new, seq)
        record.seq = seq
        self.items.append(record)
        if len(self.items) > MAX_STREAM_RECORDS + MAX_STREAM_RECORDS // 10:
            _trim(self, state, len(self.items) - MAX_STREAM_RECORDS)
        result = None
        for arn, esm in self.table.lambda_event_source_mappings.items():
            result = get_backend(self.account_id, arn.split(":")[3]).send_dynamodb_items(
                arn, self.items, esm.event_source_arn)
        if result:
            _trim(self, state, len(self.items))

    def get(self: StreamShard, start: int, quantity: int) -> list[dict]:
        state = _shard_state(self)
        if start <= state["trimmed_through"]:
            raise TrimmedDataAccessException()
        first = bisect.bisect_left(self.items, start, key=lambda r: r.seq)
        return [r.to_json() for r in self.items[first:first + quantity]]

    StreamShard.add = add
    StreamShard.get = get

    original_init = ShardIterator.__init__

    def iterator_init(self, streams_backend, stream_shard, shard_iterator_type,
                      sequence_number=None):
        original_init(self, streams_backend, stream_shard, shard_iterator_type, sequence_number)
        state = _shard_state(stream_shard)
        if shard_iterator_type == "TRIM_HORIZON":
            self.sequence_number = state["trimmed_through"] + 1
        elif shard_iterator_type == "LATEST":
            self.sequence_number = state["next"]
        self.created = time.monotonic()
        self.reader = object()

    def iterator_get(self, limit: int = 1000) -> dict:
        shard = self.stream_shard
        records = shard.get(self.sequence_number, limit)
        if records:
            after = int(records[-1]["dynamodb"]["SequenceNumber"])
            following = ShardIterator(self.streams_backend, shard, "AFTER_SEQUENCE_NUMBER",
                                      after)
        else:
            following = ShardIterator(self.streams_backend, shard, "AT_SEQUENCE_NUMBER",
                                      self.sequence_number)
        following.reader = self.reader
        self.streams_backend.shard_iterators[following.arn] = following
        _forget_read_records(shard, self.reader, self.sequence_number)
        return {"NextShardIterator": following.arn, "Records": records}

    ShardIterator.__init__ = iterator_init
    ShardIterator.get = iterator_get

    def shard_iterators(self):
        iterators = self.__dict__.get("shard_iterators")
        if not isinstance(iterators, RecentIterators):
            iterators = self.__dict__["shard_iterators"] = RecentIterators(iterators or {})
        return iterators

    def set_shard_iterators(self, value):
        self.__dict__["shard_iterators"] = RecentIterators(value)
    DynamoDBStreamsBackend.shard_iterators = property(shard_iterators, set_shard_iterators)

    def get_records(self, iterator_arn: str, limit: int) -> dict:
        iterator = self.shard_iterators.get(iterator_arn)
        if iterator is None:
            raise ExpiredIteratorException()
        return iterator.get(limit)
    DynamoDBStreamsBackend.get_records = get_records


def _forget_read_records(shard: StreamShard, reader, read_below: int) -> None:
    state = _shard_state(shard)
    now = time.monotonic()
    readers = state["readers"]
    readers[reader] = (read_below, now)
    for stale in [r for r, (_, seen) in readers.items() if now - seen > ITERATOR_SECONDS]:
        del readers[stale]
    every_reader_read_below = min(position for position, _ in readers.values())
    read = bisect.bisect_left(shard.items, every_reader_read_below, key=lambda r: r.seq)
    if read > 2 * READ_RECORDS_KEPT:
        _trim(shard, state, read - READ_RECORDS_KEPT)


def _trim(shard: StreamShard, state: dict, count: int) -> None:
    if count <= 0:
        return
    state["trimmed_through"] = max(state["trimmed_through"], shard.items[count - 1].seq)
    del shard.items[:count]


class RecentIterators(OrderedDict):
    """Shard iterators by id, forgetting those older than 15 minutes or beyond the newest
    MAX_ITERATORS (a reader that uses a forgotten one gets ExpiredIteratorException)."""

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)
        now = time.monotonic()
        while self and (len(self) > MAX_ITERATORS or
                        now - getattr(next(iter(self.values())), "created", now)
                        > ITERATOR_SECONDS):
            self.popitem(last=False)

    def get(self, key, default=None):
        iterator = super().get(key, default)
        if iterator is not None and time.monotonic() - getattr(iterator, "created", 0) \
                > ITERATOR_SECONDS:
            return default
        return iterator


# --- transactions -------------------------------------------------------------------------

class UndoLog:
    """What a transaction changed (items and stream records), to put back if an action fails
    while being applied; replaces moto's deep copy of every table the transaction touches."""

    def __init__(self, backend: DynamoDBBackend):
        self._backend = backend
        self._items: list = []
        self._streams: dict = {}

    def remember(self, table_name: str, key: dict, op_type: str) -> None:
        table = self._backend.get_table(table_name)
        hash_key, range_key = self._backend.get_keys_value(table, key)
        before = _stored(table, hash_key, range_key)
        if op_type == "Update":
            # UpdateItem changes the stored item in place; Put and Delete replace it.
            before = copy.deepcopy(before)
        self._items.append((table, hash_key, range_key, before))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self._streams:
            self._streams[id(shard)] = (shard, len(shard.items))

    def roll_back(self) -> None:
        for table, hash_key, range_key, before in reversed(self._items):
            if table.range_key_attr is None:
                if before is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = before
            else:
                partition = table.items.get(hash_key)
                if before is None:
                    if partition is not None:
                        partition.pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = before
            _reindex(table, hash_key, range_key)
        for shard, length in self._streams.values():
            del shard.items[length:]


def _stored(table: Table, hash_key: DynamoType, range_key: DynamoType | None):
    partition = table.items.get(hash_key)
    if table.range_key_attr is None:
        return partition if partition is not None and not isinstance(partition, dict) else None
    return partition.get(range_key) if partition else None


def check_every_condition_before_writing() -> None:
    """moto applies a transaction's actions one by one and, when one fails, swaps in a deep
    copy of each table (stream included) taken beforehand: 30 ms per transaction at 125
    items and 2.5 s at 20,000, and a relay holding the old stream object read the records of
    writes that never happened. DynamoDB checks every condition against the state before the
    transaction and then writes all or nothing: so do we, with an undo log for an action that
    fails while being applied. Errors, their order and CancellationReasons are moto's."""

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        targets: set = set()
        checked: list = []
        errors: list = []
        for item in transact_items:
            original_item = None
            if len(list(item.keys())) > 1:
                raise TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                if op_type == "Put":
                    attrs = op["Item"]
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                target = (str(table_name), str(dict(sorted(key.items()))))
                if target in targets:
                    raise MultipleTransactionsException()
                targets.add(target)
                current = self.get_item(table_name, key)
                condition = op.get("ConditionExpression")
                if condition is not None:
                    condition_op = get_filter_expression(
                        condition, op.get("ExpressionAttributeNames"),
                        op.get("ExpressionAttributeValues"))
                    if not condition_op.expr(current):
                        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                checked.append((op_type, op, table_name, key))
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:  # noqa: BLE001 - moto reports any other error per action
                errors.append((type(e).__name__, str(e), original_item))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)

        undo = UndoLog(self)
        try:
            for position, (op_type, op, table_name, key) in enumerate(checked):
                if op_type == "ConditionCheck":
                    continue
                undo.remember(table_name, key, op_type)
                try:
                    _apply(self, op_type, op, table_name, key)
                except (MultipleTransactionsException, MockValidationException):
                    raise
                except Exception as e:  # noqa: BLE001 - as moto: reported for this action
                    errors[position] = (type(e).__name__, str(e), None)
            if any(code is not None for code, _, _ in errors):
                raise TransactionCanceledException(errors)
        except BaseException:
            undo.roll_back()
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


def _apply(backend: DynamoDBBackend, op_type: str, op: dict, table_name: str, key: dict):
    # Conditions were checked against this same state (no item appears twice), so they are
    # not parsed and evaluated a second time here.
    if op_type == "Put":
        backend.put_item(table_name, op["Item"])
    elif op_type == "Delete":
        backend.delete_item(table_name, key)
    else:
        backend.update_item(table_name, key, update_expression=op["UpdateExpression"],
                            expression_attribute_names=op.get("ExpressionAttributeNames"),
                            expression_attribute_values=op.get("ExpressionAttributeValues"))


# --- queries ------------------------------------------------------------------------------

_scope = threading.local()


class GsiPartitions:
    """One global secondary index: the primary keys of the items in each index partition."""

    def __init__(self, table: Table, hash_attrs: tuple):
        self.hash_attrs = hash_attrs
        self.owner = table.items
        self.buckets: dict = {}
        self.where: dict = {}
        for partition in list(table.items.values()):
            for item in (partition.values() if isinstance(partition, dict) else [partition]):
                self.put(item.hash_key, item.range_key, item)

    def put(self, hash_key, range_key, item) -> None:
        primary = (hash_key, range_key)
        old = self.where.pop(primary, None)
        if old is not None:
            bucket = self.buckets[old]
            bucket.discard(primary)
            if not bucket:
                del self.buckets[old]
        if item is None:
            return
        values = tuple(item.attrs.get(name) for name in self.hash_attrs)
        if any(value is None for value in values):
            return  # sparse: not in this index
        self.where[primary] = values
        self.buckets.setdefault(values, set()).add(primary)


def _gsi(table: Table, index) -> GsiPartitions:
    hash_attrs = tuple(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
    indexes = table.__dict__.setdefault("_boxoffice_gsi", {})
    built = indexes.get(index.name)
    if built is None or built.hash_attrs != hash_attrs or built.owner is not table.items:
        built = indexes[index.name] = GsiPartitions(table, hash_attrs)
    return built


def _reindex(table: Table, hash_key, range_key) -> None:
    indexes = table.__dict__.get("_boxoffice_gsi")
    if not indexes:
        return
    item = _stored(table, hash_key, range_key)
    for built in indexes.values():
        built.put(hash_key, range_key, item)


def _partition(table: Table, hash_key, index_name, hash_key_conditions):
    """The items a Query can return, or None to let moto look at every item."""
    if hash_key is None:
        return None
    index = None
    if index_name:
        index = {i.name: i for i in table.all_indexes()}.get(index_name)
        if index is None:
            return None
    if index is None or index in (table.indexes or []):
        stored = table.items.get(hash_key)
        if table.range_key_attr is None:
            return [stored] if stored is not None and not isinstance(stored, dict) else []
        return list(stored.values()) if stored else []
    conditions = dict(hash_key_conditions or [])
    built = _gsi(table, index)
    if any(name not in conditions for name in built.hash_attrs):
        return None
    primaries = built.buckets.get(tuple(conditions[name] for name in built.hash_attrs), ())
    found = (_stored(table, h, r) for h, r in primaries)
    return [item for item in found if item is not None]


def query_one_partition() -> None:
    """moto's Query sorts the whole table and, on an index, reads every item: the idle
    sweeper held the lock 84% of the time at 20,000 items. A Query reads one partition, so
    give moto only that partition's items (a GSI's partitions are kept up to date on every
    write); moto still filters, sorts and pages them as before."""
    original_query = Table.query
    original_all_items = Table.all_items

    def all_items(self):
        scoped = getattr(_scope, "items", None)
        if scoped is not None and scoped[0] is self:
            return scoped[1]
        return original_all_items(self)

    def query(self, hash_key, *args, **kwargs):
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        candidates = _partition(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
        if candidates is None:
            return original_query(self, hash_key, *args, **kwargs)
        outer = getattr(_scope, "items", None)
        _scope.items = (self, candidates)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _scope.items = outer

    original_put, original_delete = Table.put_item, Table.delete_item

    def put_item(self, *args, **kwargs):
        item = original_put(self, *args, **kwargs)
        _reindex(self, item.hash_key, item.range_key)
        return item

    def delete_item(self, hash_key, range_key):
        item = original_delete(self, hash_key, range_key)
        if item is not None:
            _reindex(self, hash_key, range_key)
        return item

    original_update = DynamoDBBackend.update_item

    def update_item(self, table_name, key, *args, **kwargs):
        # UpdateItem changes the stored item in place, index keys included.
        table = self.get_table(table_name)
        try:
            return original_update(self, table_name, key, *args, **kwargs)
        finally:
            hash_key, range_key = _key_of(table, key)
            if hash_key is not None:
                _reindex(table, hash_key, range_key)

    Table.all_items = all_items
    Table.query = query
    Table.put_item = put_item
    Table.delete_item = delete_item
    DynamoDBBackend.update_item = update_item


def write_one_insert_record_per_new_item() -> None:
    """An UpdateItem that creates an item: moto stores a keys-only item first, then updates
    it, and writes a stream record for each. DynamoDB writes one INSERT, with the new image;
    the keys-only one describes an item that never existed."""
    original_update = DynamoDBBackend.update_item

    def update_item(self, table_name, key, *args, **kwargs):
        table = self.get_table(table_name)
        shard = table.stream_shard
        hash_key, range_key = _key_of(table, key)
        if shard is None or hash_key is None or _stored(table, hash_key, range_key) is not None:
            return original_update(self, table_name, key, *args, **kwargs)
        written = len(shard.items)
        try:
            return original_update(self, table_name, key, *args, **kwargs)
        finally:
            if len(shard.items) == written + 2:
                del shard.items[written]
    DynamoDBBackend.update_item = update_item


def _key_of(table: Table, key: dict):
    try:
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = (DynamoType(key[table.range_key_attr])
                     if table.range_key_attr is not None else None)
    except (KeyError, TypeError, AttributeError):
        return None, None
    return hash_key, range_key


# --- responses ----------------------------------------------------------------------------

_SLOW = object()


def _plain_attribute_value(value):
    """An AttributeValue exactly as moto's serializer would write it, or _SLOW for the
    shapes left to it (binary values, anything unexpected)."""
    if type(value) is not dict or len(value) != 1:
        return _SLOW
    (kind, inner), = value.items()
    if kind in ("S", "N"):
        return value if type(inner) is str else _SLOW
    if kind in ("BOOL", "NULL"):
        return value if type(inner) is bool else _SLOW
    if kind in ("SS", "NS"):
        return {kind: list(inner)} if (type(inner) is list and
                                       all(type(v) is str for v in inner)) else _SLOW
    if kind == "M" and type(inner) is dict:
        members = {}
        for name, member in inner.items():
            members[name] = _plain_attribute_value(member)
            if members[name] is _SLOW:
                return _SLOW
        return {"M": members}
    if kind == "L" and type(inner) is list:
        elements = [_plain_attribute_value(element) for element in inner]
        return _SLOW if any(e is _SLOW for e in elements) else {"L": elements}
    return _SLOW


def serialise_attribute_values_directly() -> None:
    """moto writes every response through botocore's shapes, trying each of the ten members
    of AttributeValue for every attribute of every item: 40% of the time a GetItem holds the
    lock. Items are already in DynamoDB's JSON form, so write them as they are (binary
    values still go the long way)."""
    from moto.core.serialize import BaseJSONSerializer
    original = BaseJSONSerializer._serialize_type_structure

    def _serialize_type_structure(self, serialized, value, shape, key):
        if key and shape.name == "AttributeValue":
            plain = _plain_attribute_value(value)
            if plain is not _SLOW:
                self._default_serialize(serialized, plain, shape, key)
                return
        original(self, serialized, value, shape, key)
    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure


def size_items_once() -> None:
    """moto checks the 400 KB item limit by re-measuring every attribute each time it adds
    one (quadratic in attributes: a sixth of a hold's time in moto). Measure the whole item
    once: the last of moto's checks is the same sum, so the same items are refused."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def item_init(self, hash_key, range_key, attrs):
        self.hash_key, self.range_key = hash_key, range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > 405000:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, converted)
    Item.__init__ = item_init


def lex_each_expression_once() -> None:
    """moto lexes a condition expression with a dozen regular expressions, token by token,
    on every request; an app sends the same few expressions over and over. The tokens depend
    on the text alone (names and values are resolved after), so remember them."""
    from collections import deque

    from moto.dynamodb.comparisons import ConditionExpressionParser
    original = ConditionExpressionParser._lex_condition_expression
    lexed: OrderedDict = OrderedDict()

    def _lex_condition_expression(self):
        text = self.condition_expression
        nodes = lexed.get(text)
        if nodes is None:
            nodes = lexed[text] = tuple(original(self))
            if len(lexed) > 1024:
                lexed.popitem(last=False)
        return deque(node._replace(children=[]) for node in nodes)
    ConditionExpressionParser._lex_condition_expression = _lex_condition_expression


def project_top_level_attributes_directly() -> None:
    """To keep a few attributes (an index's KEYS_ONLY projection, ProjectionExpression), moto
    converts the whole item to Python once per attribute kept: a 20-hold sweep of gsi2 took
    12 ms. Convert only the attributes kept; nested paths still go the long way."""
    from moto.dynamodb.models.dynamo_type import Item, deserializer, serializer
    original = Item.project

    def project(self, projection_expressions):
        names = [path[0] for path in projection_expressions
                 if len(path) == 1 and "[" not in path[0]]
        if len(names) != len(projection_expressions) or len(set(names)) != len(names):
            return original(self, projection_expressions)
        kept = {name: deserializer.deserialize(self.attrs[name].to_regular_json())
                for name in names if name in self.attrs}
        return Item(hash_key=self.hash_key, range_key=self.range_key,
                    attrs=serializer.serialize(kept)["M"])
    Item.project = project


def find_services_once() -> None:
    """moto lists its own package directory (60 stat calls) on every request to route it."""
    from moto import backends
    listed = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listed
