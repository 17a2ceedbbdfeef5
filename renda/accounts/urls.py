from django.urls import path

from renda.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("import/", views.account_import, name="import"),
    path("import/template.xlsx", views.account_import_template, name="import_template"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/reset/", views.lockout_reset, name="lockout_reset"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/active/", views.account_set_active, name="set_active"),
    path("<int:pk>/reset-password/", views.account_reset_password, name="reset_password"),
    path("<int:pk>/roles/", views.role_grant, name="grant"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.role_revoke, name="revoke"),
]
