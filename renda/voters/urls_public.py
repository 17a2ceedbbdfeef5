"""The public self-service pages (选民自助) under /self/: no login, rate-limited."""

from django.urls import path

from renda.voters.views import selfservice

app_name = "self"
urlpatterns = [
    path("", selfservice.self_index, name="index"),
    path("check/", selfservice.self_check, name="check"),
    path("request/", selfservice.self_request, name="request"),
    path("request/done/", selfservice.self_done, name="done"),
]
