import pytest

def test_html(world, api, make_report):
    r = make_report("draft")
    c = api(world.users.officer)
    for url in ["/api/v1/monthly-reports/", f"/api/v1/monthly-reports/{r.pk}/", f"/api/v1/monthly-reports/{r.pk}/history/", "/api/v1/projects/", "/api/v1/towns/", f"/api/v1/towns/{world.town.pk}/", "/api/v1/org-units/", "/api/v1/indicators/"]:
        resp = c.get(url, HTTP_ACCEPT="text/html")
        print(url, resp.status_code, resp["Content-Type"])
        assert resp.status_code == 200
    resp = c.get(f"/api/v1/ledgers/export/?year=2026", HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    print(resp.status_code, resp["Content-Type"], resp["Content-Disposition"])
    resp = c.get(f"/api/v1/ledgers/export/?year=x", HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    print(resp.status_code, resp["Content-Type"], resp.content)
    resp = c.get(f"/api/v1/ledgers/export/?year=2026", HTTP_ACCEPT="text/html")
    print(resp.status_code, resp["Content-Type"])
