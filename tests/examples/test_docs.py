"""The generated parts of docs/ are up to date with srcad: the reference and the pasted output."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(name_):
    path = os.path.join(ROOT, "docs", name_)
    spec = importlib.util.spec_from_file_location(f"docs_{name_[:-3]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_is_generated_from_the_rule_tables():
    if importlib.util.find_spec("scipy") is None:  # the reference includes the scipy table
        pytest.skip("docs/reference.md is generated with scipy installed")
    generator = load("generate_reference.py")
    with open(generator.OUTPUT, encoding="utf-8") as file:
        checked_in = file.read()
    assert checked_in == generator.reference(), \
        "docs/reference.md is out of date: run python docs/generate_reference.py"


def test_reference_lists_every_rule():
    generator = load("generate_reference.py")
    text = generator.reference()
    for module in generator.DOMAINS:
        for key in getattr(module, "VJP", {}):
            assert f"| `{generator.cell(generator.key_text(key))}` |" in text


def test_tutorial_code_blocks_are_srcads_output():
    filler = load("fill_snippets.py")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for doc in filler.DOCS:
            with open(doc, encoding="utf-8") as file:
                text = file.read()
            assert filler.BLOCK.search(text), f"{doc} has no generated block"
            assert filler.filled(text) == text, \
                f"{doc} is out of date: run python docs/fill_snippets.py"
    finally:
        os.chdir(cwd)
