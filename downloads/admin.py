"""Background downloads in the admin site, to read only: who asked for what, how far it came,
and why one failed. Files and jobs go by themselves (``downloads.jobs.expire``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from downloads.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "title", "format", "status", "progress", "owner", "finished_at"]
    list_filter = ["status", "format", "list_name"]
    search_fields = ["owner__username", "owner__email", "list_name", "query_string"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    @admin.display(description=_("progress"))
    def progress(self, job: ExportJob) -> str:
        if job.rows_total is None:
            return f"{job.rows_written:,}"
        return f"{job.rows_written:,} / {job.rows_total:,}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
