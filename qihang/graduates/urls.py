app_name = "graduates"
urlpatterns: list = []
