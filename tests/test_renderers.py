"""The API's JSON renderer writes with orjson exactly what DRF's JSONRenderer writes."""

import datetime
import decimal
import random
import struct
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from rdm.renderers import JSONRenderer, may_hold_small_float

ODD_TEXT = "".join(map(chr, range(0x80))) + "\u2028\u2029\ud7ff\ue000\uffff\U0001f600 é ü 漢字"


def both(data, accepted_media_type=None, renderer_context=None):
    return (JSONRenderer().render(data, accepted_media_type, renderer_context),
            DRFJSONRenderer().render(data, accepted_media_type, renderer_context))


@pytest.mark.parametrize("data", [
    {"text": ODD_TEXT, "keys": {ODD_TEXT: [ODD_TEXT]}},
    {"ints": [0, -1, 2**63 - 1, -(2**63)], "flags": [True, False, None], "nested": [[{}], [], {"a": []}]},
    {"big": 2**70, "int_keys": {1: "one", 2: "two"}},
    {"when": datetime.datetime(2024, 5, 1, 12, 30, 1, 123456, tzinfo=datetime.UTC),
     "naive": datetime.datetime(2024, 5, 1, 12, 30), "day": datetime.date(2024, 5, 1),
     "time": datetime.time(8, 15), "span": datetime.timedelta(hours=2)},
    {"decimal": decimal.Decimal("1.10"), "uuid": uuid.UUID(int=7), "lazy": gettext_lazy("Records"),
     "set": {3}, "tuple": (1, "two")},
    {"floats": [0.0, -0.0, 1.5, 0.1, 1e15, 1e16, 1e22, 123456789.125, 5e-324, 1e-4, 9.99e-5, 1e-05, 2.5e-9]},
    {"looks_like_floats": "0.00001 1e-5 version 2e-3", "time": "12:00:31.907249+00:00"},
    [], {}, "text", 7,
])
def test_it_writes_what_drf_writes(data):
    fast, drf = both(data)

    assert fast == drf


def test_floats_of_every_magnitude_come_out_as_drf_writes_them():
    rng = random.Random(20261125)
    values = [struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(5000)]
    values += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30) for _ in range(5000)]
    finite = [value for value in values if value == value and abs(value) != float("inf")]

    for start in range(0, len(finite), 50):
        fast, drf = both({"values": finite[start:start + 50]})
        assert fast == drf


def test_pretty_printing_is_drfs():
    data = {"a": [1, {"b": "c"}]}

    assert both(data, "application/json; indent=4")[0] == both(data, "application/json; indent=4")[1]
    assert both(data, None, {"indent": 2})[0] == both(data, None, {"indent": 2})[1]
    assert b"\n" in JSONRenderer().render(data, "application/json; indent=4")


def test_small_floats_and_text_like_them_take_drfs_path():
    assert may_hold_small_float(b'{"a":0.00001}')
    assert may_hold_small_float(b'{"a":[1.5e-9]}')
    assert may_hold_small_float(b'{"a":"x 2e-3"}')
    assert not may_hold_small_float(b'{"a":1e+16,"b":"free-text","c":"2024-05-01T12:00:31.907249"}')

