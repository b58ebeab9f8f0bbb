from django.contrib import admin

from .models import AuditEntry, Award, AwardRole, Category, Criterion, Round


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0


class AwardRoleInline(admin.TabularInline):
    model = AwardRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "status", "submissions_close_at"]
    list_filter = ["status", "edition"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name", "edition"]}
    # Status changes go through services.award_transition (organiser page), never here.
    readonly_fields = ["status"]
    inlines = [CategoryInline, CriterionInline, RoundInline, AwardRoleInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "award", "actor", "action", "object_type", "object_id"]
    list_filter = ["award", "action"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
