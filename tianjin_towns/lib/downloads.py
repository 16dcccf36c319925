"""Uploaded files going back out: only through a view that checked the permission, never by URL alone.

    return downloads.file_download(attachment.file, filename=attachment.name)

In production (DJANGO_MEDIA_ACCEL_REDIRECT=1) Django answers with X-Accel-Redirect and nginx sends the
bytes from its internal /protected-media/ location (deploy/nginx.conf); elsewhere Django streams the
file itself. Either way the file is an attachment that the browser may not sniff, render or script:
tianjin_towns.middleware.DownloadHeadersMiddleware adds those headers to every download.
"""

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

ACCEL_PREFIX = "/protected-media/"


def file_download(field_file: FieldFile, *, filename: str, content_type: str = "application/octet-stream"):
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = ACCEL_PREFIX + quote(field_file.name)
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
