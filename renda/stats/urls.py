from django.urls import path

from renda.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.index, name="index"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/table.xlsx", views.report_download, name="report_download"),
    path("<int:code>/", views.region, name="region"),
    path("<int:code>/table.xlsx", views.table_xlsx, name="table_xlsx"),
    path("<int:code>/table.pdf", views.table_pdf, name="table_pdf"),
    path("<int:code>/districts.csv", views.counts_csv, name="counts_csv"),
    path("<int:code>/voters.csv", views.voters_csv, name="voters_csv"),
]
