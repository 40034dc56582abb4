from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from . import account_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("campaigns.home_urls")),
    path("tanpa-peran/", views.no_role, name="no_role"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz/", account_views.health, name="health"),
    path("i18n/setlang/", views.login_not_required(set_language), name="set_language"),
    path("", include("campaigns.urls")),
    path("", include("enrollment.urls")),
    path("", include("enrollment.follow_up_urls")),
    path("", include("campaigns.account_urls")),
    path("", include("portal.two_factor_urls")),
    path("", include("campaigns.village_data_urls")),
    path("", include("opensid.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "portal.errors.server_error"
