"""/verify/<token>/: the public page the documents' QR codes point at (no sign-in)."""

from django.urls import path

from qihang.documents import views

app_name = "verify"
urlpatterns = [path("<str:token>/", views.verify, name="document")]
