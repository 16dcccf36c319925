"""Screenshots of the inspection pages (issue 5), taken with a real browser against a freshly seeded server.

Not a pytest test (the file name does not start with test_). Usage, as tests/e2e/screenshots.py:

    python manage.py migrate && python manage.py seed_demo
    python manage.py runserver 127.0.0.1:8105 --noreload &
    python inspections/tests/screenshots.py --base-url http://127.0.0.1:8105

The walk: the office's coordination group records today's visit to 东丽区 on a 390 px phone (a photo
from the camera input, four problems: on the spot, the same day, two to rectify), the district's
officer reports a rectification with a photo, the office rejects one and verifies another; then the
lists, the measures, the district page and the circular. PNGs go to tests/e2e/screenshots/5-*.png.
"""

import datetime
import struct
import sys
import tempfile
import zlib
from pathlib import Path

from playwright.sync_api import Page, expect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "e2e"))
import screenshots as e2e  # noqa: E402  (tests/e2e/screenshots.py: the browser, the sign-in, the shots)

login = e2e.login


def photo_png(path: Path, seed: int = 0) -> Path:
    """A 640×480 PNG that looks like an outdoor photo: sky, a building block, ground."""
    width, height = 640, 480
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if y < 260:
                r, g, b = 120 + y // 6, 170 + y // 8, 235
                if 180 + seed * 20 < x < 420 + seed * 20 and y > 110:
                    r, g, b = (200, 196, 186) if (x // 24 + y // 30) % 3 else (90, 120, 160)
            else:
                r, g, b = 96 + (x * 7 + y) % 20, 128 + (y - 260) // 6, 72
            row += bytes((r, g, b))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return path


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    e2e.shot(page, f"5-{name}", full_page=full_page)


def add_problem(
    page: Page,
    *,
    town: str,
    category: str,
    text: str,
    responsible: str,
    outcome: str,
    due: str = "",
    photo=None,
    again=True,
) -> None:
    page.select_option("#id_town", label=town)
    page.select_option("#id_category", label=category)
    page.fill("#id_description", text)
    page.select_option("#id_responsible", label=responsible)
    page.locator(f".choice-option:has(input[name=outcome][value={outcome}])").click()
    if due:
        page.fill("#id_due_on", due)
    if photo:
        page.set_input_files("#id_photos", str(photo))
    page.click(f"button[name=next][value={'another' if again else 'visit'}]")
    expect(page.locator(".alert-success")).to_be_visible()


def main() -> int:
    args = e2e.arguments(__doc__, 8105).parse_args()
    base = args.base_url.rstrip("/")
    tmp = Path(tempfile.mkdtemp())
    photos = [photo_png(tmp / f"现场照片{n}.png", n) for n in range(3)]
    today = datetime.date.today()

    with e2e.chromium(args) as browser:
        desktop = e2e.desktop(browser)
        phone = e2e.phone(browser, is_mobile=True, has_touch=True)
        phone.on("dialog", lambda dialog: dialog.accept())  # "closed on the spot cannot be undone"

        visit_url = office_records_the_visit(phone, base, today, photos)
        problem_url = officer_reports_a_rectification(phone, base, visit_url, photos)
        office_rejects_then_verifies(desktop, phone, base, problem_url, photos)
        lists_measures_district_circular(desktop, phone, base, visit_url, today)
    return 0


def problems_of_huaming(today: datetime.date, photos: list[Path]) -> list[dict]:
    """The visit's problems of 华明: closed on the spot, the same day, and two to rectify."""
    rectify_by = [(today + datetime.timedelta(days=days)).isoformat() for days in (20, 30)]
    return [
        {"category": "审批", "text": "产业园二期施工用电增容报装手续未完成，影响设备调试", "responsible": "东丽区", "outcome": "on_site", "photo": photos[2]},
        {"category": "政策", "text": "入驻企业反映人才公寓申请条件不清楚，需要政策解读", "responsible": "市发展改革委", "outcome": "same_day"},
        {"category": "基础设施", "text": "主干道路与外部路网衔接段尚未贯通，影响企业物流", "responsible": "东丽区", "outcome": "open", "due": rectify_by[0]},
        {"category": "土地", "text": "二期产业用地指标尚未落实，影响项目按期开工", "responsible": "市国土房管局", "outcome": "open", "due": rectify_by[1]},
    ]  # fmt: skip


def office_records_the_visit(phone: Page, base: str, today: datetime.date, photos: list[Path]) -> str:
    """The office's coordination group, on a phone; returns the visit's URL."""
    problems = problems_of_huaming(today, photos)
    print("office (phone): record today's visit with a photo and four problems")
    login(phone, base, "office-coord")
    phone.goto(f"{base}/inspections/new/")
    phone.locator(".choice-option:has(input[value=onsite_supervision])").click()
    phone.select_option("#id_district", label="东丽区")
    phone.fill("#id_title", f"{today.year}年第{(today.month - 1) // 3 + 1}季度现场督办服务（东丽区·华明）")
    phone.locator(".check-option:has-text('华明智能制造小镇')").click()
    for unit in ("市国土房管局", "市规划局", "市发展改革委"):
        phone.locator(f".check-option:has-text('{unit}')").click()
    phone.fill("#id_participants", "市特镇办协调推动组；市国土房管局、市规划局、市发展改革委；东丽区特镇办、华明街道")
    phone.fill("#id_summary", "听取华明智能制造小镇二期建设进展汇报，实地查看产业园二期和主干道路施工现场。")
    phone.set_input_files("#id_photos", [str(photos[0]), str(photos[1])])
    shot(phone, "visit-form-phone")
    phone.click("button[type=submit]:has-text('登记并继续登记问题')")
    expect(phone.locator(".alert-success")).to_be_visible()
    visit_url = phone.url
    phone.click("a.btn:has-text('登记问题') >> nth=0")
    for problem in problems[:3]:
        add_problem(phone, town="华明智能制造小镇", **problem)
    shot(phone, "problem-form-phone")
    add_problem(phone, town="华明智能制造小镇", **problems[3], again=False)
    phone.goto(visit_url)
    shot(phone, "visit-detail-phone")
    return visit_url


def officer_reports_a_rectification(phone: Page, base: str, visit_url: str, photos: list[Path]) -> str:
    """The district's officer, on a phone; returns the URL of the problem rectified."""
    print("district officer (phone): home, report a rectification with a photo")
    login(phone, base, "dongli-officer")
    phone.goto(f"{base}/")
    shot(phone, "home-officer-phone")
    phone.goto(visit_url)
    phone.click("a.problem-item-title:has-text('主干道路')")
    problem_url = phone.url
    phone.click("a:has-text('整改完成，提交核验')")
    modal = phone.locator("#modal-rectify")
    expect(modal).to_be_visible()
    modal.locator("textarea[name=note]").fill("衔接段已完成施工并通车，附现场照片。")
    modal.locator("input[name=photos]").set_input_files(str(photos[1]))
    shot(phone, "rectify-modal-phone", full_page=False)
    modal.locator("button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    return problem_url


def office_rejects_then_verifies(desktop: Page, phone: Page, base: str, problem_url: str, photos: list[Path]) -> None:
    """The office rejects the rectification (desktop), the officer rectifies again (phone), the office verifies."""
    print("office (desktop): reject once, then the unit rectifies again, then verify")
    login(desktop, base, "office-coord")
    desktop.goto(f"{base}/")
    shot(desktop, "home-office")
    desktop.goto(problem_url)
    desktop.click("a:has-text('退回整改')")
    desktop.locator("#modal-reject textarea[name=reason]").fill(
        "现场核查发现衔接段标线和路灯尚未完成，请完善后重新报送。"
    )
    desktop.locator("#modal-reject button[type=submit]").click()
    expect(desktop.locator(".alert-success")).to_be_visible()
    login(phone, base, "dongli-officer")
    phone.goto(problem_url)
    shot(phone, "problem-rejected-phone")
    phone.click("a:has-text('整改完成，提交核验')")
    modal = phone.locator("#modal-rectify")
    modal.locator("textarea[name=note]").fill("标线和路灯已完成安装，附照片。")
    modal.locator("input[name=photos]").set_input_files(str(photos[2]))
    modal.locator("button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    desktop.goto(problem_url)
    shot(desktop, "problem-detail-awaiting")
    desktop.click("button:has-text('核验销号')")
    desktop.locator("#modal-verify textarea[name=note]").fill("现场核查已整改到位。")
    desktop.locator("#modal-verify button[type=submit]").click()
    expect(desktop.locator(".alert-success")).to_be_visible()
    shot(desktop, "problem-detail-verified")


def lists_measures_district_circular(
    desktop: Page, phone: Page, base: str, visit_url: str, today: datetime.date
) -> None:
    print("lists, measures, district page, circular")
    desktop.goto(f"{base}/inspections/")
    shot(desktop, "visit-list")
    desktop.goto(visit_url)
    shot(desktop, "visit-detail")
    desktop.goto(f"{base}/problems/?overdue=on")
    shot(desktop, "problem-list-overdue")
    desktop.goto(f"{base}/inspections/measures/")
    shot(desktop, "measures")
    desktop.click("a:has-text('东丽区') >> nth=0")
    shot(desktop, "district")
    desktop.goto(f"{base}/inspections/circular/?year={today.year}")
    shot(desktop, "circular")
    phone.goto(f"{base}/inspections/")
    shot(phone, "visit-list-phone")
    login(phone, base, "office-coord")
    phone.goto(f"{base}/inspections/measures/")
    shot(phone, "measures-phone")


if __name__ == "__main__":
    sys.exit(main())
