app_name = "communities_api"

urlpatterns = []
