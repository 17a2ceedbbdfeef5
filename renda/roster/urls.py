from django.urls import path

from renda.roster import views, views_seats

app_name = "roster"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("upload/", views.upload, name="upload"),
    path("mapping/", views.mapping, name="mapping"),
    path("expected/", views.expected, name="expected"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/", views.review_item, name="review_item"),
    path("report/", views.report, name="report"),
    path("report/run/", views.report_run, name="report_run"),
    path("report/<str:section>/", views.report_list, name="report_list"),
    path("seats/", views_seats.seats_index, name="seats_index"),
    path("seats/<int:code>/", views_seats.seats_page, name="seats"),
    path("seats/<int:code>/export.xlsx", views_seats.seats_export, name="seats_export"),
]
