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

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from luqum import tree as lq
from luqum.auto_head_tail import auto_head_tail
from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse

from .index import DATE, TEXT, Field, Index, period_start, tokenize

_ESCAPED = re.compile(r"\\(.)")
WILDCARDS = ("*", "?")


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


def parse_query(index: Index, text: str | None) -> lq.Item | None:
    """Parse ``text`` for ``index``; ``None`` for an empty query (match all). Raises ``QueryError``."""
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
    return _Normalizer(index).run(tree)


def term_value(node: lq.Term) -> str:
    """The unescaped text of a ``Word`` or ``Phrase``."""
    value = node.value
    if isinstance(node, lq.Phrase):
        value = value[1:-1]
    return _ESCAPED.sub(r"\1", value)


def has_wildcard(node: lq.Item) -> bool:
    return isinstance(node, lq.Word) and any(char in _unescaped_specials(node.value) for char in WILDCARDS)


def is_match_all(node: lq.Item) -> bool:
    return isinstance(node, lq.Word) and node.value == "*"


def _unescaped_specials(value: str) -> str:
    return _ESCAPED.sub("", value)


class _Normalizer:
    """Walks a raw luqum tree once: resolves fields, checks limits, returns the normalised copy."""

    def __init__(self, index: Index):
        self.index = index
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
        if resolved is None:
            allowed = ", ".join(self.index.queryable_names())
            raise QueryError(f'Unknown search field "{node.name}". Allowed fields: {allowed}.')
        self.typed_name = node.name
        expr = self.visit(node.expr, resolved, depth + 1)
        return None if expr is None else lq.SearchField(resolved.name, expr)

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
        return None if term is None else lq.Fuzzy(term, node.degree)

    def visit_Proximity(self, node, field, depth):
        term = self.visit(node.term, field, depth + 1)
        return None if term is None else lq.Proximity(term, node.degree)

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
