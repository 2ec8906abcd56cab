from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Performance measures and actions"

    def ready(self) -> None:
        from measures.sections import ActionSection, MeasureSection
        from perfmon.sections import sections

        sections.register(ActionSection())
        sections.register(MeasureSection())
