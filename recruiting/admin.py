from django.contrib import admin

from recruiting.models import CV, Candidate, Company, Department, Interview, Job, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "plan", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role"]
    list_filter = ["role", "company"]
    autocomplete_fields = ["user", "company"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "company"]
    list_filter = ["company"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "status", "location", "created_at"]
    list_filter = ["status", "company"]
    search_fields = ["title"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "company", "created_at"]
    list_filter = ["company"]
    search_fields = ["full_name", "email"]


@admin.register(CV)
class CVAdmin(admin.ModelAdmin):
    list_display = ["original_filename", "company", "candidate", "status", "created_at"]
    list_filter = ["status", "company"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["candidate", "job", "company", "scheduled_at"]
    list_filter = ["company"]
