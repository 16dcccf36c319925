"""An example client of the data-sharing feed (docs/api-feed.md): keeps a local copy of the accepted figures
it is shared, in a JSON file, up to date from GET /api/v1/accepted-figures/. Python 3 standard library only.

    python feed_client.py --base https://towns.example.gov.cn --token <key> --store figures.json

The first run reads everything; each later run asks for what changed since the last one (with a few
minutes' overlap, since rows are written idempotently), replaces accepted figures and drops withdrawn ones.
"""

import argparse
import datetime
import json
import urllib.parse
import urllib.request
from pathlib import Path

OVERLAP = datetime.timedelta(minutes=5)


def fetch(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def sync(base: str, token: str, store: Path) -> None:
    state = json.loads(store.read_text()) if store.exists() else {"since": None, "figures": {}}
    query = {"page_size": 1000}
    if state["since"]:
        since = datetime.datetime.fromisoformat(state["since"]) - OVERLAP
        query["updated_since"] = since.isoformat()
    url = f"{base.rstrip('/')}/api/v1/accepted-figures/?{urllib.parse.urlencode(query)}"
    changed = withdrawn = 0
    while url:
        page = fetch(url, token)
        for row in page["results"]:
            key = f"{row['town_code']}|{row['period']}|{row['indicator']}"
            if row["state"] == "accepted":
                state["figures"][key] = {"value": row["value"], "unit": row["unit"], "check_state": row["check_state"]}
                changed += 1
            else:  # the month was reopened for a correction: its figures are withdrawn until accepted again
                withdrawn += state["figures"].pop(key, None) is not None
            state["since"] = max(state["since"] or "", row["updated_at"])
        url = page["next"]
    store.write_text(json.dumps(state, ensure_ascii=False, indent=1))
    print(f"{changed} figures updated, {withdrawn} withdrawn, {len(state['figures'])} held")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Keep a local copy of the shared accepted figures.")
    parser.add_argument("--base", required=True, help="the platform's address, e.g. https://towns.example.gov.cn")
    parser.add_argument("--token", required=True, help="the client's token (系统管理 → 接口客户端)")
    parser.add_argument("--store", type=Path, default=Path("figures.json"))
    args = parser.parse_args()
    sync(args.base, args.token, args.store)
