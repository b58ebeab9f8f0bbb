"""Every static file a template names exists: in production the manifest storage answers a
missing one with a server error on the page that names it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]""")

REFERENCES = sorted(
    (template.relative_to(ROOT).as_posix(), name)
    for template in (ROOT / "templates").rglob("*.html")
    for name in STATIC.findall(template.read_text())
)


def test_templates_name_static_files():
    assert len(REFERENCES) > 10


@pytest.mark.parametrize(("template", "name"), REFERENCES)
def test_the_static_file_exists(template, name):
    assert (ROOT / "static" / name).is_file(), f"{template} names static/{name}, which is missing"
