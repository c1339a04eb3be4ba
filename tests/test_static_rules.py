"""Code rules from the security checklist (D6, E1, E2), checked over the source."""

import re

import pytest

from market import PROJECT_ROOT

PYTHON_BANS = {
    "render_template_string": re.compile(r"\brender_template_string\b"),
    "jinja Template() on data": re.compile(r"\bjinja2\.Template\(|\bfrom jinja2 import Template\b"),
    "eval": re.compile(r"(?<![\w.])eval\("),
    "exec": re.compile(r"(?<![\w.])exec\("),
    "pickle": re.compile(r"\bimport pickle\b|\bpickle\.loads?\("),
    "shell=True": re.compile(r"shell\s*=\s*True"),
    "Markup on data": re.compile(r"\bMarkup\("),
    "get_json(force=True)": re.compile(r"get_json\([^)]*force\s*=\s*True"),
    "SQL built with f-strings": re.compile(r"""(text|exec_driver_sql)\(\s*f["']"""),
}
TEMPLATE_BANS = {
    "|safe": re.compile(r"\|\s*safe\b"),
    "autoescape false": re.compile(r"autoescape\s+false"),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"),
    "inline style attribute": re.compile(r"\sstyle\s*="),
    "inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']"),
}


def python_sources():
    return sorted((PROJECT_ROOT / "market").rglob("*.py"))


def templates():
    return sorted((PROJECT_ROOT / "templates").rglob("*"))


@pytest.mark.parametrize("rule", sorted(PYTHON_BANS))
def test_application_code_avoids_dangerous_constructs(rule):
    pattern = PYTHON_BANS[rule]
    hits = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in python_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("rule", sorted(TEMPLATE_BANS))
def test_templates_avoid_unescaped_output_and_inline_code(rule):
    pattern = TEMPLATE_BANS[rule]
    hits = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in templates()
        if path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


# Plain-text e-mail bodies (text/plain, never served as a page): HTML escaping
# would only garble them ("&amp;" in a title), so they are the one exception.
TEXT_MAIL_TEMPLATES = PROJECT_ROOT / "templates" / "notifications" / "mail"


def test_every_template_ends_in_html_so_flask_autoescapes_it():
    others = [
        p.name
        for p in templates()
        if p.is_file()
        and p.suffix != ".html"
        and not (p.suffix == ".txt" and p.parent == TEXT_MAIL_TEMPLATES)
    ]
    assert others == []


def test_no_html_template_includes_a_text_mail_template():
    """A .txt template included into a page would be rendered unescaped there."""
    pattern = re.compile(r"""(include|import|extends)\s+["'][^"']*\.txt["']""")
    hits = [
        str(path.relative_to(PROJECT_ROOT))
        for path in templates()
        if path.is_file() and path.suffix == ".html"
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert hits == []
