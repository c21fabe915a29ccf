from django.shortcuts import render

from rdm.search.views import recent_uploads

RECENT_UPLOADS = 5


def front_page(request):
    # Searched as an anonymous visitor: the front page lists public records only, whoever is looking.
    return render(request, "front_page.html", {"recent": recent_uploads(RECENT_UPLOADS)})
