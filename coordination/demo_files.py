"""The evidence files of the demo (seed_demo): reports of completion must carry evidence (issue 19), so the
demo's action items and rectified problems point at a few small PDFs written once into the media storage and
shared by all of them, instead of writing a file per report."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

# A one-page blank PDF: what matters to the demo is that the report has a file one can open.
BLANK_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_evidence_file(folder: str, number: int) -> str:
    """The stored name of the demo's `number`th evidence file in `folder` (written when missing)."""
    name = f"{folder}/demo/evidence-{number}.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(BLANK_PDF))
    return name
