from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from renda.accounts import views as account_views
from renda.accounts.auth_forms import LoginForm
from renda.api import views as api_views
from renda.api.urls import api
from renda.core import notification_views
from renda.core import views as core_views
from renda.voters.views import public as voter_public

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.password_change, name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("regions/", include("renda.regions.urls")),
    path("accounts/", include("renda.accounts.urls")),
    path("imports/", include("renda.imports.urls")),
    path("voters/", include("renda.voters.urls")),
    path("roster/", include("renda.roster.urls")),
    path("stats/", include("renda.stats.urls")),
    path("verify/<str:code>/", voter_public.verify, name="verify"),
    path("self/", include("renda.voters.urls_public")),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("audit/", include("renda.core.urls")),
    path("api/v1/", api.urls),
    path("api-tokens/", api_views.token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", api_views.token_revoke, name="api_token_revoke"),
    path("django-admin/", admin.site.urls),
]

handler403 = "renda.core.views.permission_denied"
handler404 = "renda.core.views.page_not_found"
handler500 = "renda.core.views.server_error"
