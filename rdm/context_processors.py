from django.conf import settings


def site(request):
    return {"site_name": settings.RDM_SITE_NAME, "site_url": settings.RDM_SITE_URL}
