from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Priority projects"

    def ready(self) -> None:
        from perfmon.sections import sections
        from projects.sections import ProjectSection

        sections.register(ProjectSection())
