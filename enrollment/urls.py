from django.urls import path

from . import agent_views, arrears_views, export_views, import_views, payment_views, views

urlpatterns = [
    path("pendaftaran/", views.RegistrationListView.as_view(), name="registration_list"),
    path("pendaftaran/baru/", views.registration_create, name="registration_create"),
    path("pendaftaran/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("pendaftaran/<int:pk>/ubah/", views.registration_edit, name="registration_edit"),
    path("pendaftaran/<int:pk>/verifikasi/", views.registration_verify, name="registration_verify"),
    path("pendaftaran/<int:pk>/tolak/", views.registration_reject, name="registration_reject"),
    path("pendaftaran/<int:pk>/tarik/", views.registration_withdraw, name="registration_withdraw"),
    path(
        "pendaftaran/<int:pk>/aktifkan/", views.registration_activate, name="registration_activate"
    ),
    path(
        "pendaftaran/<int:pk>/pendanaan/", views.funded_period_create, name="funded_period_create"
    ),
    path("verifikasi/", views.verification_queue, name="verification_queue"),
    path("pendaftaran/segera-berakhir/", agent_views.lapsing_list, name="lapsing_list"),
    path("agen/", agent_views.agent_list, name="agent_list"),
    path("agen/<int:pk>/", agent_views.agent_detail, name="agent_detail"),
    path("pendaftaran/impor/", import_views.registration_import, name="registration_import"),
    path(
        "pendaftaran/impor/templat.<str:fmt>",
        import_views.registration_import_template,
        name="registration_import_template",
    ),
    path(
        "pendaftaran/impor/<int:pk>/",
        import_views.registration_import_preview,
        name="registration_import_preview",
    ),
    path(
        "pendaftaran/impor/<int:pk>/kesalahan/",
        import_views.registration_import_errors,
        name="registration_import_errors",
    ),
    path(
        "pendaftaran/impor/<int:pk>/simpan/",
        import_views.registration_import_confirm,
        name="registration_import_confirm",
    ),
    path(
        "pendaftaran/ekspor.<str:fmt>",
        export_views.registration_export,
        name="registration_export",
    ),
    path("iuran/", payment_views.payment_upload, name="payment_upload"),
    path(
        "iuran/templat.<str:fmt>",
        payment_views.payment_upload_template,
        name="payment_upload_template",
    ),
    path("iuran/<int:pk>/", payment_views.payment_upload_preview, name="payment_upload_preview"),
    path(
        "iuran/<int:pk>/simpan/",
        payment_views.payment_upload_confirm,
        name="payment_upload_confirm",
    ),
    path(
        "iuran/<int:pk>/kesalahan/",
        payment_views.payment_upload_errors,
        name="payment_upload_errors",
    ),
    path("pendaftaran/menunggak/", arrears_views.arrears_list, name="arrears_list"),
    path(
        "pendaftaran/<int:pk>/menunggak/tindak-lanjut/",
        arrears_views.arrears_follow_up,
        name="arrears_follow_up",
    ),
]
