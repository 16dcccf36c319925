import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their models) lives as long as the worker: take it out of
# the garbage collector's sight, so the full collections that a request sometimes triggers scan only
# what requests allocate. In the benchmark such a collection added some 80 ms to a district's
# dashboard page once in every forty requests; frozen, none did.
gc.collect()
gc.freeze()
