"""Read-mostly admin for support staff. Jurors, conflicts and reviews are changed through the
organisers' pages, whose services write the audit log; the admin does not offer adding or
changing reviews and scores, so nothing bypasses it there."""

from django.contrib import admin

from .models import Assignment, Conflict, Juror, JurorCategory, JuryInvitation, Review, Score


class JurorCategoryInline(admin.TabularInline):
    model = JurorCategory
    extra = 0


@admin.register(Juror)
class JurorAdmin(admin.ModelAdmin):
    list_display = ["user", "award", "role", "is_active", "conflicts_declared_at"]
    list_filter = ["award", "role", "is_active"]
    search_fields = ["user__email", "user__full_name", "affiliation"]
    inlines = [JurorCategoryInline]
    raw_id_fields = ["user"]


@admin.register(JuryInvitation)
class JuryInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "award", "role", "status", "expires_at"]
    list_filter = ["award", "status"]
    search_fields = ["email", "name"]
    exclude = ["nonce"]
    readonly_fields = ["juror", "invited_by", "responded_at"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["juror", "submission", "organisation", "status", "source", "updated_at"]
    list_filter = ["status", "source", "juror__award"]
    raw_id_fields = ["juror", "submission", "organisation"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "value", "comment"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "version", "submitted_at"]
    list_filter = ["status", "assignment__round__award"]
    readonly_fields = [f.name for f in Review._meta.fields]
    inlines = [ScoreInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["juror", "submission", "round", "source", "created_at"]
    list_filter = ["round__award", "round", "source"]
    raw_id_fields = ["juror", "submission", "round", "created_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
