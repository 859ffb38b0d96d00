"""Convert the demo report's Word and Excel files to PDF and page 1 to PNG (CI runs this).

    .venv/bin/python scripts/render_demo_pages.py [demo-workspace/reports/2025-05/v1]

Uses LibreOffice (``soffice --headless --convert-to pdf``) and poppler's ``pdftoppm``;
fails (exit 1) if a conversion fails or a page 1 is blank (almost no dark pixels).
The PDFs and PNGs are written to ``<report folder>/pdf/``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

INK_SHARE = 0.002  # at least 0.2 % of page 1's pixels dark: not a blank page


def render(document: Path, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="cchc-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), str(document)],
                       check=True, capture_output=True, timeout=300)
    pdf = out / (document.stem + ".pdf")
    if not pdf.is_file():
        raise SystemExit(f"LibreOffice wrote no PDF for {document.name}")
    stem = out / f"{document.stem}-{document.suffix.lstrip('.')}-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(stem)], check=True, timeout=120)
    return stem.with_suffix(".png")


def ink(png: Path) -> float:
    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
        dark = sum(histogram[:128])
        return dark / (grey.width * grey.height)


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(
        "demo-workspace/reports/2025-05/v1")
    documents = sorted([*folder.glob("*.docx"), *folder.glob("*.xlsx")])
    if len(documents) < 2:
        print(f"no .docx and .xlsx in {folder}", file=sys.stderr)
        return 1
    out = folder / "pdf"
    out.mkdir(exist_ok=True)
    failed = 0
    for document in documents:
        png = render(document, out)
        share = ink(png)
        verdict = "ok" if share >= INK_SHARE else "BLANK"
        failed += verdict != "ok"
        print(f"{document.name}: page 1 → {png} ({share:.1%} dark pixels) {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
