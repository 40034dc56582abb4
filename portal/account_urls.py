from django.urls import path

from . import account_admin_views, notification_views

urlpatterns = [
    path("akun/", account_admin_views.account_settings, name="account_settings"),
    path("akun/pengguna/", account_admin_views.account_list, name="account_list"),
    path("akun/pengguna/baru/", account_admin_views.account_create, name="account_create"),
    path(
        "akun/pengguna/staf-baru/",
        account_admin_views.staff_account_create,
        name="staff_account_create",
    ),
    path(
        "akun/pengguna/<int:pk>/nonaktifkan/",
        account_admin_views.account_deactivate,
        name="account_deactivate",
    ),
    path(
        "akun/pengguna/<int:pk>/undangan/",
        account_admin_views.invitation_renew,
        name="invitation_renew",
    ),
    path("akun/pengguna/slip/", account_admin_views.invitation_slips, name="invitation_slips"),
    path("undangan/<str:token>/", account_admin_views.invitation_accept, name="invitation_accept"),
    path("notifikasi/", notification_views.notification_list, name="notification_list"),
    path(
        "notifikasi/<int:pk>/baca/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifikasi/baca-semua/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
]
