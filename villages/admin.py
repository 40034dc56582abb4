from django.contrib import admin

from .models import BranchOffice, Coverage, District, Province, Regency, Village


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency"]
    search_fields = ["code", "name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district", "population", "working_age_population"]
    search_fields = ["code", "name", "district__name"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 1
    autocomplete_fields = ["regency"]


@admin.register(BranchOffice)
class BranchOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    list_select_related = ["parent"]
    inlines = [CoverageInline]
