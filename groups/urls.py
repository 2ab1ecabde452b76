from django.urls import path

from .views import groups, home, members, syllabus

app_name = "groups"

urlpatterns = [
    path("", home.home, name="home"),
    path("g/new/", groups.create, name="group_create"),
    path("g/<slug:slug>/", groups.group_home, name="group"),
    path("g/<slug:slug>/edit/", groups.edit, name="edit"),
    path("g/<slug:slug>/delete/", groups.delete, name="delete"),
    path("g/<slug:slug>/join/<str:code>/", members.join, name="join"),
    path("g/<slug:slug>/leave/", members.leave, name="leave"),
    path("g/<slug:slug>/members/", members.members, name="members"),
    path("g/<slug:slug>/members/<int:user_id>/role/", members.change_role, name="change_role"),
    path("g/<slug:slug>/members/<int:user_id>/remove/", members.remove, name="remove_member"),
    path("g/<slug:slug>/invite/", members.invite, name="invite"),
    path("g/<slug:slug>/invite/rotate/", members.rotate_link, name="rotate_link"),
    path("g/<slug:slug>/syllabus/", syllabus.assign, name="assign"),
    path(
        "g/<slug:slug>/syllabus/<int:assignment_id>/edit/",
        syllabus.edit,
        name="edit_assignment",
    ),
    path("g/<slug:slug>/syllabus/<int:assignment_id>/remove/", syllabus.unassign, name="unassign"),
]
