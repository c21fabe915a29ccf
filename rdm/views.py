from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render

from rdm.records import presenters, services

RECENT_UPLOADS = 5


def front_page(request):
    # Asked as an anonymous visitor: the front page lists public records only, whoever is looking.
    result = services.search_records(AnonymousUser(), q="", sort="newest", page=1, size=RECENT_UPLOADS)
    return render(request, "front_page.html", {"recent": presenters.summary_items(result.hits)})
