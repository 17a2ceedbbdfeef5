from django.urls import path

from renda.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/progress/", views.run_progress, name="progress"),
    path("<int:pk>/report.xlsx", views.run_report, name="report"),
    path("<int:pk>/output.xlsx", views.run_output, name="output"),
    path("<int:pk>/cancel/", views.run_cancel, name="cancel"),
    path("<int:pk>/retry/", views.run_retry, name="retry"),
]
