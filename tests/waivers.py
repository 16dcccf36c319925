"""The office verifies a follow-up reported done without evidence (an action item, a problem found on a visit)
only with a waiver of its own, recorded in the history (issue 19): the steps that check it through the service,
the page and the API, the same for both kinds (their statuses take tianjin_towns.lib.choices' follow-up values)."""

import pytest
from django.core.exceptions import ValidationError

DONE, VERIFIED = "done", "verified"


def assert_verified_only_with_a_waiver(subject, verify, *, office, refusal: str, waiver: str, **blank) -> None:
    """`verify(**arguments)`, the service with its actor `office` and `subject` given, is refused without a
    waiver (`blank`: the arguments of that try) with `refusal` on `evidence_waiver`, and `subject` stays done;
    with `waiver` it is verified, the waiver an event of `office`'s right before the verification."""
    with pytest.raises(ValidationError) as error:
        verify(**blank)
    assert refusal in error.value.message_dict["evidence_waiver"][0]
    subject.refresh_from_db()
    assert subject.status == DONE
    verify(evidence_waiver=waiver)
    subject.refresh_from_db()
    assert subject.status == VERIFIED
    waived, verified = subject.events.order_by("at", "pk")[2:]
    assert (waived.action, waived.actor, waived.note) == ("waive_evidence", office, waiver)
    assert verified.action == "verify"


def assert_the_reason_is_no_waiver(subject, verify, *, waiver: str) -> None:
    """The unit's reason for having no evidence does not stand for the office's waiver: `verify()` is refused on
    `evidence_waiver` until it gives `waiver`."""
    with pytest.raises(ValidationError) as error:
        verify()
    assert "evidence_waiver" in error.value.message_dict
    verify(evidence_waiver=waiver)
    subject.refresh_from_db()
    assert subject.status == VERIFIED


def assert_the_page_verifies_only_with_a_waiver(
    office, subject, *, detail_url: str, verify_url: str, refused_with: dict, refusal: str, waiver: str
) -> None:
    """The subject's page (`office`: a page client of the office) asks for the waiver and says there is no
    evidence; the verify dialog posted with `refused_with` shows `refusal` and leaves `subject` done; posted
    with `waiver` it verifies `subject`."""
    page = office.get(detail_url).content.decode()
    assert 'name="evidence_waiver"' in page and "未上传" in page
    response = office.post(verify_url, refused_with, follow=True)
    assert refusal in response.content.decode()
    subject.refresh_from_db()
    assert subject.status == DONE
    office.post(verify_url, {"evidence_waiver": waiver})
    subject.refresh_from_db()
    assert subject.status == VERIFIED


def assert_the_api_verifies_only_with_a_waiver(office, reader, url: str, *, waiver: str) -> None:
    """POST `url`verify/ (`url`: the subject's address in the API, `office`: an API client of the office) is a
    400 on `evidence_waiver` without a waiver and verifies with `waiver`; the history (`reader`'s API client)
    ends with the waiver and the verification."""
    refused = office.post(f"{url}verify/", {}, format="json")
    assert refused.status_code == 400 and "evidence_waiver" in refused.json()
    waived = office.post(f"{url}verify/", {"evidence_waiver": waiver}, format="json")
    assert waived.status_code == 200 and waived.json()["status"] == VERIFIED
    history = reader.get(f"{url}history/").json()
    assert [(e["action"], e["note"]) for e in history[-2:]] == [("waive_evidence", waiver), ("verify", "")]
