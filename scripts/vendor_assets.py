"""Copy the front-end libraries installed by `npm ci` into qihang/static/vendor.

The app serves them itself (no CDN): campus intranets often cannot reach the internet.
Source maps travel with their files: the minified files name them, and the hashed-names
storage of production (`collectstatic`) refuses a reference to a file that is not there.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "qihang" / "static" / "vendor"
FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts.min.js",
    "axe-core/axe.min.js": "axe.min.js",  # used by the browser tests only
    "jsqr/dist/jsQR.js": "jsQR.js",  # events app: the check-in page's camera scan
}


def main() -> int:
    modules = ROOT / "node_modules"
    DEST.mkdir(parents=True, exist_ok=True)
    missing = [src for src in FILES if not (modules / src).exists()]
    if missing:
        print("missing (run `npm ci` first):", ", ".join(missing), file=sys.stderr)
        return 1
    copied = 0
    for src, name in FILES.items():
        shutil.copyfile(modules / src, DEST / name)
        source_map = modules / (src + ".map")
        if source_map.exists():
            shutil.copyfile(source_map, DEST / (name + ".map"))
            copied += 1
        copied += 1
    print(f"copied {copied} files to {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
