"""The Django admin, with the desk's own site (articles/desk/site.py) as its default site."""

from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    default_site = "articles.desk.site.DeskAdminSite"
