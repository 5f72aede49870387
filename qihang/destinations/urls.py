app_name = "destinations"
urlpatterns: list = []
