from django.urls import path

from renda.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_index, name="index"),
    path("search/", views.region_search, name="search"),
    path("<int:code>/", views.region_detail, name="detail"),
    path("<int:code>/districts/new/", views.district_create, name="district_create"),
    path("districts/<int:code>/", views.district_detail, name="district"),
    path("districts/<int:code>/edit/", views.district_edit, name="district_edit"),
    path("districts/<int:code>/delete/", views.district_delete, name="district_delete"),
]
