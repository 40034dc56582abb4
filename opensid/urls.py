from django.urls import path

from . import views

urlpatterns = [
    path("opensid/", views.resident_upload, name="opensid_upload"),
    path(
        "opensid/contoh-ekspor-penduduk.xlsx",
        views.resident_demo_export,
        name="opensid_demo_export",
    ),
    path("opensid/<int:pk>/", views.resident_candidates, name="opensid_candidates"),
    path("opensid/<int:pk>/daftarkan/", views.resident_register, name="opensid_register"),
    path("opensid/<int:pk>/hapus/", views.resident_upload_delete, name="opensid_upload_delete"),
    path(
        "opensid/<int:pk>/pendaftaran/<int:batch_pk>/",
        views.resident_batch,
        name="opensid_batch",
    ),
    path(
        "opensid/<int:pk>/pendaftaran/<int:batch_pk>/simpan/",
        views.resident_batch_confirm,
        name="opensid_batch_confirm",
    ),
    path(
        "opensid/program-bantuan/<slug:campaign>/<str:village>/",
        views.programme_export,
        name="opensid_programme_export",
    ),
]
