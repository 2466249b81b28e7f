"""transforms/memo.py: derived values built once per source objects, not per batch."""

from __future__ import annotations

from transforms.memo import by_identity


def test_a_value_is_built_once_per_source_objects_and_extras() -> None:
    built: list[str] = []

    def build(label: str):  # noqa: ANN202
        def make() -> str:
            built.append(label)
            return label

        return make

    table, other = [1, 2], [1, 2]  # equal, but not the same object
    assert by_identity("test memo", (table,), build("a")) == "a"
    assert by_identity("test memo", (table,), build("b")) == "a"  # reused, not rebuilt
    assert by_identity("test memo", (other,), build("c")) == "c"  # another object
    assert by_identity("test memo", (table,), build("d"), frozenset({"x"})) == "d"  # extras
    assert by_identity("other memo", (table,), build("e")) == "e"  # another name
    assert built == ["a", "c", "d", "e"]
