"""The account pages: the portal's own (portal.account_urls) and the one that creates operator
accounts for every village of a campaign at once (campaigns.bulk_accounts), which chooses among
campaigns and so lives on this floor. portal.urls includes this module."""

from django.urls import path

from portal import account_urls

from . import bulk_accounts

urlpatterns = [
    *account_urls.urlpatterns,
    path("akun/pengguna/massal/", bulk_accounts.account_bulk_create, name="account_bulk_create"),
]
