from django.urls import path

from . import two_factor

urlpatterns = [
    path("akun/dua-langkah/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("akun/dua-langkah/matikan/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("akun/dua-langkah/kode/", two_factor.two_factor_verify, name="two_factor_verify"),
]
