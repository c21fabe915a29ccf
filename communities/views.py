"""Community pages: list, create, front page, members and settings. Thin: the services decide."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_POST

from accounts.avatars import group_avatar
from rdm.search.views import search_context

from . import permissions, queries, roles, services
from .api.views import cache_policy, logo_response
from .exceptions import CommunityDeleted, SlugMoved
from .forms import AccessForm, CreateForm, DeleteForm, LogoForm, ProfileForm, RenameForm, add_service_errors
from .models import Membership
from .serializers import member_entity


def community_page(view):
    """Resolve ``slug`` for the viewer: 404 if invisible, 301 for an old slug, 410 tombstone if deleted."""

    @functools.wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        try:
            community = services.get_community(request.user, slug)
        except SlugMoved as moved:
            new_path = request.path.replace(f"/communities/{slug}", f"/communities/{moved.community.slug}", 1)
            return redirect(new_path, permanent=True)
        except CommunityDeleted as deleted:
            return render(request, "communities/tombstone.html", {"community": deleted.community}, status=410)
        return view(request, community, *args, **kwargs)

    return wrapper


def _context(request, community, tab: str, **extra) -> dict:
    return {"community": community, "tab": tab, "can": _abilities(request.user, community), **extra}


def _abilities(user, community) -> dict:
    return {
        "update": permissions.can_update(user, community),
        "manage_members": permissions.can_manage_members(user, community),
        "read_members": permissions.can_read_members(user, community),
        "curate": permissions.can_curate(user, community),
    }


def _facet_links(request, result) -> dict:
    facets = {}
    for name, aggregation in result.aggregations.items():
        chosen = request.GET.getlist(name)
        facets[name] = [{"key": b["key"], "label": b["label"], "count": b["doc_count"],
                         "selected": b["key"] in chosen} for b in aggregation["buckets"]]
    return facets


def community_list(request):
    """All communities the viewer may see, or with ``?mine=1`` those they belong to."""
    params = request.GET
    mine = params.get("mine") == "1" and request.user.is_authenticated
    try:
        result = queries.search_communities(
            request.user, q=params.get("q", ""), sort=params.get("sort") or None,
            type=params.getlist("type") or None, visibility=params.getlist("visibility") or None,
            page=params.get("page", 1), size=20, mine=mine,
        )
    except ValidationError as error:
        return render(request, "communities/list.html", {"errors": error.messages}, status=400)
    pages = {"next": result.page + 1 if result.page * result.size < result.total else None,
             "prev": result.page - 1 if result.page > 1 else None}
    kept = params.copy()
    kept.pop("page", None)
    return render(request, "communities/list.html", {
        "result": result, "facets": _facet_links(request, result), "pages": pages,
        "can_create": permissions.can_create(request.user), "q": params.get("q", ""), "mine": mine,
        "kept_query": kept.urlencode(),
    })


@login_required
def community_new(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied("You may not create communities.")
    form = CreateForm(request.POST or None, initial={"visibility": "public"})
    if request.method == "POST" and form.is_valid():
        data = {"slug": form.cleaned_data["slug"], "metadata": form.metadata(),
                "access": {"visibility": form.cleaned_data["visibility"]}}
        try:
            community = services.create_community(request.user, data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your community was created. Add a logo in its settings.")
            return redirect("communities:detail", community.slug)
    return render(request, "communities/new.html", {"form": form})


@community_page
def community_detail(request, community):
    """The front page: profile, and the community's records searched as on /search (same query language,
    facets and permission filtering), limited to the community."""
    search, status = search_context(request, scope=queries.community_records_scope(community))
    return render(request, "communities/detail.html", _context(request, community, "home", **search),
                  status=status)


def community_logo(request, slug):
    """The logo, or the generated default (a letter avatar) when there is none."""
    try:
        community = services.get_community(request.user, slug, allow_deleted=True)
    except SlugMoved as moved:
        return redirect("communities:logo", moved.community.slug, permanent=True)
    versioned = "v" in request.GET
    if community.logo:
        return logo_response(request, community, versioned=versioned)
    avatar = group_avatar(community.title)
    response = HttpResponse(avatar.svg(), content_type="image/svg+xml")
    response["ETag"] = avatar.etag()
    patch_cache_control(response, **cache_policy(community, versioned))
    return get_conditional_response(request, etag=avatar.etag(), response=response)


# --- members --------------------------------------------------------------------------------------

MEMBERS_PAGE_SIZE = 25


def _member_rows(request, community, memberships):
    """Rows in the order given (the search's: by name, or best match for a query)."""
    manageable = permissions.manageable_roles(request.user, community)
    return [{
        "membership": membership,
        "entity": member_entity(membership),
        "role_title": roles.role_title(membership.role),
        "own": permissions.is_own_membership(request.user, membership),
        "can_update": permissions.can_update_member(request.user, membership, manageable=manageable),
    } for membership in memberships]


def _search_members(request, community, full: bool):
    """The "members" index as the API searches it: every member for members (with the role filter),
    publicly listed ones otherwise."""
    params = request.GET
    return queries.search_members(
        request.user, community, public=not full, q=params.get("q", ""),
        role=(params.getlist("role") or None) if full else None, page=params.get("page", 1),
        size=MEMBERS_PAGE_SIZE,
    )


@community_page
def community_members(request, community):
    full = permissions.can_read_members(request.user, community)
    manageable = permissions.manageable_roles(request.user, community)
    context = _context(
        request, community, "members", full=full, q=request.GET.get("q", ""),
        selected_roles=request.GET.getlist("role") if full else [],
        role_choices=[(name, title) for name, title in roles.choices() if name in manageable],
        groups=Group.objects.order_by("name") if manageable and settings.COMMUNITIES_GROUPS_ENABLED else [],
        roles=roles.all_roles(),
    )
    try:
        found = _search_members(request, community, full)
    except ValidationError as error:
        context["errors"] = error.messages
        return render(request, "communities/members.html", context, status=400)
    kept = request.GET.copy()
    kept.pop("page", None)
    context.update(
        rows=_member_rows(request, community, found.hits), total=found.total, kept_query=kept.urlencode(),
        role_facet=_facet_links(request, found).get("role", []) if full else [],
        pages={"next": found.page + 1 if found.page * found.size < found.total else None,
               "prev": found.page - 1 if found.page > 1 else None},
    )
    return render(request, "communities/members.html", context)


def _membership(community, member_id) -> Membership:
    memberships = community.memberships.select_related("user", "group", "community")
    membership = memberships.filter(uuid=member_id).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def _run(request, function, *args, success: str, **kwargs) -> bool:
    try:
        function(*args, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


@require_POST
@login_required
@community_page
def member_update(request, community, member_id):
    membership = _membership(community, member_id)
    if "role" in request.POST:
        _run(request, services.change_role, request.user, membership, request.POST["role"],
             success="The role was changed.")
    if "visible" in request.POST:
        _run(request, services.change_visibility, request.user, membership, request.POST["visible"] == "true",
             success="The visibility was changed.")
    return redirect("communities:members", community.slug)


@require_POST
@login_required
@community_page
def member_remove(request, community, member_id):
    membership = _membership(community, member_id)
    own = permissions.is_own_membership(request.user, membership)
    done = _run(request, services.remove_member, request.user, membership,
                success="You left the community." if own else "The member was removed.")
    if done and own and not permissions.can_read(request.user, community):
        return redirect("communities:list")
    return redirect("communities:members", community.slug)


@require_POST
@login_required
@community_page
def member_add_group(request, community):
    group = Group.objects.filter(name=request.POST.get("group", "")).first()
    if group is None:
        messages.error(request, "Choose a group.")
    else:
        _run(request, services.add_group_member, request.user, community, group, request.POST.get("role"),
             success=f"The group {group.name} was added.")
    return redirect("communities:members", community.slug)


# --- settings -------------------------------------------------------------------------------------

def _settings_forms(request, community, action: str | None) -> dict:
    def bound(name, form_class, initial):
        if action == name:
            return form_class(request.POST, request.FILES, initial=initial)
        return form_class(initial=initial)

    access = {name: getattr(community, name) for name in services.ACCESS_FIELDS}
    return {
        "profile": bound("profile", ProfileForm, ProfileForm.initial_for(community)),
        "access": bound("access", AccessForm, access),
        "logo": bound("logo", LogoForm, None),
        "rename": bound("rename", RenameForm, {"slug": community.slug}),
        "delete": bound("delete", DeleteForm, None),
    }


def _apply_settings(request, community, action: str, form) -> bool:
    """Run the service behind one settings form; False (with errors on the form) when refused."""
    user = request.user
    try:
        if action == "profile":
            services.update_community(user, community, {"metadata": form.metadata()})
        elif action == "access":
            services.update_community(user, community, {"access": dict(form.cleaned_data)})
        elif action == "logo":
            services.set_logo(user, community, form.cleaned_data["logo"])
        elif action == "delete_logo":
            services.delete_logo(user, community)
        elif action == "rename":
            services.rename_community(user, community, form.cleaned_data["slug"])
        elif action == "delete":
            if form.cleaned_data["confirm"].strip().lower() != community.slug:
                form.add_error("confirm", "This is not the community's identifier.")
                return False
            services.delete_community(user, community, form.cleaned_data.get("note", ""))
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
        else:
            add_service_errors(form, error)
        return False
    return True


@login_required
@community_page
def community_settings(request, community):
    if not permissions.can_update(request.user, community):
        raise PermissionDenied("Only owners may change the community's settings.")
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _settings_forms(request, community, action)
    if action:
        form = forms.get(action)
        if (form is None or form.is_valid()) and _apply_settings(request, community, action, form):
            messages.success(request, "The community was deleted." if action == "delete" else "Saved.")
            if action == "delete":
                return redirect("communities:list")
            return redirect(reverse("communities:settings", args=[community.slug]))
    return render(request, "communities/settings.html", _context(request, community, "settings", forms=forms))
