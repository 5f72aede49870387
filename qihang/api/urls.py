from django.urls import path

from qihang.api.api import api

urlpatterns = [path("v1/", api.urls)]
