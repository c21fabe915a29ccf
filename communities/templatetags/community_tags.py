"""Template tags other pages use: featured communities (front page) and record branding (landing)."""

from django import template

from .. import queries

register = template.Library()


@register.inclusion_tag("communities/_featured.html")
def featured_communities(limit=6):
    """``{% load community_tags %}{% featured_communities %}``: currently featured public communities."""
    return {"communities": list(queries.featured_communities()[:limit])}


@register.inclusion_tag("communities/_branding.html", takes_context=True)
def record_communities(context, record):
    """``{% record_communities record %}`` (a record, draft, parent or pid): "Part of …" with the
    communities the viewer may see, the record's default community first."""
    request = context.get("request")
    user = request.user if request else context.get("user")
    if isinstance(record, str):
        from rdm.records.services import find_parent

        parent = find_parent(record)
    else:
        parent = getattr(record, "parent", record)
    return {"communities": queries.record_communities(user, parent) if parent is not None else []}
