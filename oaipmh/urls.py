app_name = "oaipmh"

urlpatterns = []
