from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.project_page, name="project"),
]
