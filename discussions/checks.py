from django.core.checks import Error, Tags, register
from django.db import connections

OLD_LAYOUT_TABLE = "discussions_group"


@register(Tags.database)
def made_before_the_split(app_configs, databases=None, **kwargs) -> list[Error]:
    """Groups, agendas and meetings were once tables of this app. Their data has
    no migration to the apps that hold them now (no database was deployed), so a
    database from then is refused before `migrate` can half-apply to it."""
    return [
        Error(
            f"The database {alias!r} was made by an older Marginalia, before its apps were "
            "split; nothing in it carries over. Delete it (for SQLite: rm db.sqlite3) "
            "and run `make run` again.",
            id="discussions.E001",
        )
        for alias in databases or []
        if OLD_LAYOUT_TABLE in connections[alias].introspection.table_names()
    ]
