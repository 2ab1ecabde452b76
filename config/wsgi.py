import os
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Each view (imported through the URLconf, which the first reverse() loads and
# indexes), each cache's backend (with redis-py: a quarter of a second to
# import) and each of the project's templates (compiled into the template
# cache) loaded now, as the server starts, and not by a worker's first
# requests: about three quarters of a second of CPU in each worker. With
# gunicorn's --preload this happens once, before it forks the workers.
reverse("healthz")
for alias in caches:
    caches[alias]
for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
    get_template(str(template.relative_to(settings.BASE_DIR / "templates")))
