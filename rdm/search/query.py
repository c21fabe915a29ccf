"""The query language: Lucene syntax parsed with luqum and checked against an index declaration.

``parse_query(index, text)`` returns a normalised luqum tree - the contract with the backends:

- field names are the index's canonical names (aliases and full paths are resolved);
- implicit operators are explicit (``AndOperation`` by default);
- words without any token in text fields (``&``, ``-``) are dropped, as an analyser would drop them;
- ``Group``/``FieldGroup`` stay, so ``str(tree)`` shows the parsed query faithfully;
- no regular expressions, no nested fields, ranges only on keyword and date fields;
- ``None`` means "match everything".

Every problem raises ``QueryError``, a ``ValidationError`` keyed by the parameter ("q"), so the API
answers 400 naming the problem.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from luqum import tree as lq
from luqum.auto_head_tail import auto_head_tail
from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse

from .index import DATE, TEXT, Field, Index, period_start, tokenize

_ESCAPED = re.compile(r"\\(.)")
WILDCARDS = ("*", "?")
MAX_FUZZINESS = 2  # Lucene's automata support up to two edits


class SearchError(ValidationError):
    """A search request the engine refuses; ``param`` names the offending request parameter."""

    def __init__(self, message: str, param: str):
        super().__init__({param: [message]})
        self.param = param
        self.detail = message

    def __str__(self):
        return self.detail


class QueryError(SearchError):
    """The query string is malformed, too large, or uses a field or syntax that is not allowed."""

    def __init__(self, message: str):
        super().__init__(message, "q")


class ParameterError(SearchError):
    """A filter, sort or pagination parameter is invalid."""


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def parse_query(index: Index, text: str | None, principals: Iterable[str] = ()) -> lq.Item | None:
    """Parse ``text`` for ``index`` as a caller holding ``principals`` (fields with ``readers`` need one
    of them); ``None`` for an empty query (match all). Raises ``QueryError``."""
    text = (text or "").strip()
    if not text:
        return None
    max_length = limit("RDM_SEARCH_MAX_QUERY_LENGTH", 1000)
    if len(text) > max_length:
        raise QueryError(f"The query is too long ({len(text)} characters; the limit is {max_length}).")
    try:
        tree = luqum_parse(text)
    except ParseError as exc:
        raise QueryError(f"The query could not be parsed: {exc}") from None
    except RecursionError:
        raise QueryError("The query is nested too deeply.") from None
    except (ValueError, ArithmeticError):
        # luqum converts the number after ~ or ^ itself (int() after a phrase, Decimal() elsewhere).
        raise QueryError("The query could not be parsed: the number after ~ or ^ is malformed "
                         '(a phrase takes a whole number, as in "open data"~2).') from None
    return _Normalizer(index, principals).run(tree)


def tree_key(node: lq.Item | None) -> tuple | None:
    """A hashable key, equal for trees luqum finds equal (same classes, ``_equality_attrs``, children)."""
    if node is None:
        return None
    attributes = tuple(getattr(node, name) for name in node._equality_attrs)
    return type(node), attributes, tuple(tree_key(child) for child in node.children)


def term_value(node: lq.Term) -> str:
    """The unescaped text of a ``Word`` or ``Phrase``."""
    value = node.value
    if isinstance(node, lq.Phrase):
        value = value[1:-1]
    return _ESCAPED.sub(r"\1", value)


def fuzziness(node: lq.Fuzzy) -> int:
    """The edit distance of ``word~N``: 0, 1 or 2 as Elasticsearch accepts it (it answers 400 to ``~3`` and
    ``~0.5``, and so do we). A bare ``word~`` uses ``RDM_SEARCH_DEFAULT_FUZZINESS`` (Lucene's 2; "AUTO"
    gives Elasticsearch's length-based 0/1/2, what its query_string applies to a bare ``~``)."""
    if node._implicit_degree:
        default = getattr(settings, "RDM_SEARCH_DEFAULT_FUZZINESS", MAX_FUZZINESS)
        return auto_fuzziness(term_value(node.term)) if str(default).upper() == "AUTO" else int(default)
    degree = node.degree
    if degree != degree.to_integral_value() or not 0 <= degree <= MAX_FUZZINESS:
        raise QueryError(f"The fuzziness of {str(node).strip()} must be 0, 1 or 2 (edits allowed).")
    return int(degree)


def auto_fuzziness(value: str) -> int:
    """Elasticsearch's ``AUTO``: no edit up to 2 characters, one up to 5, then two."""
    length = max((len(token) for token in tokenize(value)), default=0)
    return 0 if length <= 2 else 1 if length <= 5 else 2


def fuzzy_variant(text: str | None) -> str | None:
    """``text`` with its plain words made fuzzy by Elasticsearch's ``AUTO`` distance (``ocaen`` ->
    ``ocaen~1``): what to try when a query finds nothing. Words in a field, a phrase or a negation, and
    wildcards, stay as typed. None when no word changes (or ``text`` does not parse: it was refused)."""
    try:
        tree = luqum_parse((text or "").strip())
    except (ParseError, RecursionError, ValueError, ArithmeticError):
        return None
    variant = str(_fuzzed(tree)).strip()
    return None if variant == str(tree).strip() else variant


def _fuzzed(node: lq.Item) -> lq.Item:
    if isinstance(node, lq.Word):
        distance = 0 if has_wildcard(node) else auto_fuzziness(term_value(node))
        if not distance:
            return node
        fuzzy = lq.Fuzzy(lq.Word(node.value), distance)
        fuzzy.head, fuzzy.tail = node.head, node.tail
        return fuzzy
    if isinstance(node, (lq.BaseOperation, lq.Group, lq.Plus)):
        clone = node.clone_item()
        clone.children = [_fuzzed(child) for child in node.children]
        return clone
    return node


def proximity_slop(node: lq.Proximity) -> int:
    """The slop of ``"a b"~N``; a bare ``~`` means 0, as in Elasticsearch. Limited because words of two
    values of a field would otherwise meet (Elasticsearch leaves a gap of 100 positions between values)."""
    slop = 0 if node._implicit_degree else int(node.degree)
    max_slop = limit("RDM_SEARCH_MAX_PROXIMITY", 50)
    if slop > max_slop:
        raise QueryError(f"The distance of {str(node).strip()} is too large (the limit is {max_slop}).")
    return slop


def has_wildcard(node: lq.Item) -> bool:
    return isinstance(node, lq.Word) and any(char in _unescaped_specials(node.value) for char in WILDCARDS)


def is_match_all(node: lq.Item) -> bool:
    return isinstance(node, lq.Word) and node.value == "*"


def _unescaped_specials(value: str) -> str:
    return _ESCAPED.sub("", value)


class _Normalizer:
    """Walks a raw luqum tree once: resolves fields, checks limits, returns the normalised copy."""

    def __init__(self, index: Index, principals: Iterable[str] = ()):
        self.index = index
        self.principals = set(principals)
        self.max_depth = limit("RDM_SEARCH_MAX_QUERY_DEPTH", 20)
        self.max_terms = limit("RDM_SEARCH_MAX_QUERY_TERMS", 64)
        self.terms = 0
        self.typed_name = ""
        self.operation = lq.OrOperation if index.default_operator == "OR" else lq.AndOperation

    def run(self, tree: lq.Item) -> lq.Item | None:
        normalised = self.visit(tree, field=None, depth=1)
        return None if normalised is None else auto_head_tail(normalised)

    def visit(self, node: lq.Item, field: Field | None, depth: int) -> lq.Item | None:
        if depth > self.max_depth:
            raise QueryError(f"The query is nested too deeply (the limit is {self.max_depth} levels).")
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise QueryError(f"This query syntax is not supported: {str(node).strip()}")
        return method(node, field, depth)

    # Structure.

    def visit_SearchField(self, node, field, depth):
        if field is not None:
            raise QueryError(f'A field cannot contain another field: "{str(node).strip()}".')
        resolved = self.index.resolve_field(node.name)
        if resolved is None or not resolved.queryable_by(self.principals):
            allowed = ", ".join(self.index.queryable_names(self.principals))
            raise QueryError(f'Unknown search field "{node.name}". Allowed fields: {allowed}.')
        self.typed_name = node.name
        expr = self.visit(node.expr, resolved, depth + 1)
        if expr is None:
            return None
        others = [name for name in resolved.also_matches
                  if self.index.get_field(name).queryable_by(self.principals)]
        if not others:
            return lq.SearchField(resolved.name, expr)
        alternatives = [lq.SearchField(name, copy.deepcopy(expr)) for name in others]
        return lq.Group(lq.OrOperation(lq.SearchField(resolved.name, expr), *alternatives))

    def visit_Group(self, node, field, depth):
        expr = self.visit(node.expr, field, depth + 1)
        return None if expr is None else type(node)(expr)

    visit_FieldGroup = visit_Group

    def visit_AndOperation(self, node, field, depth):
        operands = [self.visit(child, field, depth + 1) for child in node.operands]
        operands = [operand for operand in operands if operand is not None]
        if not operands:
            return None
        return operands[0] if len(operands) == 1 else self._operation_class(node)(*operands)

    visit_OrOperation = visit_AndOperation
    visit_UnknownOperation = visit_AndOperation

    def _operation_class(self, node):
        return self.operation if isinstance(node, lq.UnknownOperation) else type(node)

    def visit_Not(self, node, field, depth):
        expr = self.visit(node.a, field, depth + 1)
        return None if expr is None else type(node)(expr)

    visit_Prohibit = visit_Not
    visit_Plus = visit_Not

    def visit_Boost(self, node, field, depth):
        expr = self.visit(node.expr, field, depth + 1)
        return None if expr is None else lq.Boost(expr, force=node.force)

    # Terms.

    def visit_Word(self, node, field, depth):
        self._count_term()
        if is_match_all(node):
            return lq.Word("*")
        if field is not None and field.kind != TEXT:
            self._check_keyword_value(node, field)
            return lq.Word(node.value)
        if not tokenize(_unescaped_specials(node.value).replace("*", "a").replace("?", "a")):
            return None
        return lq.Word(node.value)

    def visit_Phrase(self, node, field, depth):
        self._count_term()
        if field is not None and field.kind != TEXT:
            self._check_keyword_value(node, field)
            return lq.Phrase(node.value)
        return lq.Phrase(node.value) if tokenize(term_value(node)) else None

    def visit_Fuzzy(self, node, field, depth):
        term = self.visit(node.term, field, depth + 1)
        if term is None:
            return None
        distance = fuzziness(node)
        if distance and (field is None or field.kind == TEXT):
            self._check_fuzzy_length(node)
        return lq.Fuzzy(term, distance)

    def _check_fuzzy_length(self, node):
        """Matching a word within N edits costs more than linearly in its length (the database backend
        spells every variant out): a long fuzzy word is refused before anything is built."""
        longest = max((len(token) for token in tokenize(term_value(node.term))), default=0)
        max_length = limit("RDM_SEARCH_MAX_FUZZY_LENGTH", 30)
        if longest > max_length:
            raise QueryError(f"The fuzzy word {str(node).strip()[:60]} is too long ({longest} characters; "
                             f"fuzzy search allows at most {max_length}).")

    def visit_Proximity(self, node, field, depth):
        term = self.visit(node.term, field, depth + 1)
        return None if term is None else lq.Proximity(term, proximity_slop(node))

    def visit_Regex(self, node, field, depth):
        raise QueryError(f"Regular expressions are not supported: {node.value}")

    def visit_Range(self, node, field, depth):
        self._check_range_field(node, field)
        low, high = (self._range_bound(bound, field) for bound in (node.low, node.high))
        return lq.Range(low, high, include_low=node.include_low, include_high=node.include_high)

    def visit_From(self, node, field, depth):
        self._check_range_field(node, field)
        return type(node)(self._range_bound(node.a, field), include=node.include)

    visit_To = visit_From

    def _range_bound(self, bound, field):
        self._count_term()
        if not isinstance(bound, (lq.Word, lq.Phrase)):
            raise QueryError(f'A range bound must be a single value: "{str(bound).strip()}".')
        if not is_match_all(bound):
            if field.kind == DATE and has_wildcard(bound):
                raise QueryError(f'A date range bound must be a date (YYYY-MM-DD) or *: "{bound.value}".')
            self._check_keyword_value(bound, field)
        return type(bound)(bound.value)

    def _check_range_field(self, node, field):
        if field is None:
            raise QueryError(f'A range needs a field, as in year:[2019 TO 2021]: "{str(node).strip()}".')
        if field.kind == TEXT:
            raise QueryError(f'The field "{self.typed_name}" does not support ranges.')

    def _check_keyword_value(self, node, field):
        if field.kind == DATE and not has_wildcard(node) and period_start(term_value(node)) is None:
            value = term_value(node)
            raise QueryError(f'"{value}" is not a date for the field "{self.typed_name}" (use YYYY-MM-DD).')

    def _count_term(self):
        self.terms += 1
        if self.terms > self.max_terms:
            raise QueryError(f"The query has too many terms (the limit is {self.max_terms}).")
