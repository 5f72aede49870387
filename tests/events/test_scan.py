"""The ticket's QR code (segno, server-side) is what the door's scanner (jsQR, vendored) reads:
the code comes back exactly. Runs jsQR under node on the QR code's pixels."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import segno

from qihang.events.services import new_code

ROOT = Path(__file__).resolve().parents[2]
JSQR = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not JSQR.exists(), reason="needs node and `npm ci`"
)

SCRIPT = """
const jsQR = require(process.argv[1]);
const {width, height, pixels} = JSON.parse(require("fs").readFileSync(0, "utf8"));
const data = new Uint8ClampedArray(width * height * 4);
pixels.forEach((dark, i) => { const v = dark ? 0 : 255; data.set([v, v, v, 255], i * 4); });
const found = jsQR(data, width, height);
process.stdout.write(found ? found.data : "");
"""


def test_the_scanner_reads_the_tickets_code():
    code = new_code()
    scale = 4
    rows = [
        [bool(cell) for cell in row for _ in range(scale)]
        for row in segno.make_qr(code, error="m").matrix_iter(scale=1, border=4)
        for _ in range(scale)
    ]
    image = {
        "width": len(rows[0]),
        "height": len(rows),
        "pixels": [cell for row in rows for cell in row],
    }
    out = subprocess.run(  # noqa: S603 (a fixed script, our own input)
        ["node", "-e", SCRIPT, str(JSQR)],  # noqa: S607
        input=json.dumps(image),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout == code
