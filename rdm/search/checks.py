"""System checks: every registered index declaration must be consistent (``manage.py check``)."""

from django.core.checks import Error

from .index import ANY, DATE, KEYWORD, PUBLIC, Index, all_indexes

RESERVED_PREFIXES = ("_", "rdm_")  # backend bookkeeping fields (principals, sort keys, stored document)


def check_indexes(app_configs=None, **kwargs) -> list[Error]:
    return [error for index in all_indexes() for error in check_index(index)]


def check_index(index: Index) -> list[Error]:
    errors = []
    fields = {field.name: field for field in index.fields}
    for facet in index.facets:
        if getattr(fields.get(facet.field), "kind", None) != KEYWORD:
            errors.append(_error(index, f'facet "{facet.field}" must name a KeywordField', "search.E001"))
    for name, option in index.sort_options.items():
        for key, direction in option.keys:
            if key != "_score" and not getattr(fields.get(key), "sortable", False):
                message = f'sort "{name}" uses "{key}", which is not a sortable field'
                errors.append(_error(index, message, "search.E002"))
            if direction not in ("asc", "desc"):
                errors.append(_error(index, f'sort "{name}" has direction "{direction}"', "search.E002"))
    for default in (index.default_sort, index.default_sort_with_query):
        if default and default not in index.sort_options:
            errors.append(_error(index, f'default sort "{default}" is not a sort option', "search.E003"))
    for field in index.fields:
        for other in field.also_matches:
            if getattr(fields.get(other), "kind", None) != field.kind:
                message = f'field "{field.name}" also matches "{other}", which is not a field of its kind'
                errors.append(_error(index, message, "search.E006"))
    for scope in index.counted_scopes:
        for name, value in scope.items():
            kind = getattr(fields.get(name), "kind", None)
            if not isinstance(value, str) or not (kind == KEYWORD or (kind == DATE and value == ANY)):
                message = (f'counted scope {scope!r} must map KeywordField names to one value each '
                           '(or a DateField name to ANY)')
                errors.append(_error(index, message, "search.E007"))
        if list(scope.values()).count(ANY) > 1:
            message = f'counted scope {scope!r} may give ANY to one field at most'
            errors.append(_error(index, message, "search.E007"))
    readers = tuple(index.counted_readers)
    if not (1 <= len(readers) <= 2 and readers[0] == PUBLIC and PUBLIC not in readers[1:]):
        message = f'counted readers {readers!r} must be "{PUBLIC}" and at most one other principal'
        errors.append(_error(index, message, "search.E007"))
    errors.extend(_name_errors(index))
    return errors


def _name_errors(index: Index) -> list[Error]:
    errors, owners = [], {}
    for field in index.fields:
        if field.name.startswith(RESERVED_PREFIXES):
            errors.append(_error(index, f'field "{field.name}" uses a reserved prefix', "search.E005"))
        for typed in field.names:
            if owners.setdefault(typed, field.name) != field.name:
                message = f'"{typed}" names both "{owners[typed]}" and "{field.name}"'
                errors.append(_error(index, message, "search.E004"))
    return errors


def _error(index: Index, message: str, check_id: str) -> Error:
    return Error(f'Search index "{index.name}": {message}.', obj=index, id=check_id)
