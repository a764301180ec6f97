"""Harvesting literal constructor arguments from call sites (``ast`` only, no TensorFlow)."""

from __future__ import annotations

from pathlib import Path

from keras_varlint.discovery.modules import module_name
from keras_varlint.runtime.harvest import ARGS_KEY, harvest_call_sites

from .project import write


def test_literal_call_sites_are_resolved_through_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/layers.py": """
                class Dense2:
                    pass

                example = Dense2(8, activation="relu")
            """,
            "pkg/model.py": """
                from .layers import Dense2 as D
                import pkg.layers as L
                import pkg

                a = D(units=4, kernel_size=(3, 3))
                b = L.Dense2(units=5)
                c = pkg.layers.Dense2(units=6, name=None)
                d = D(units=4, kernel_size=(3, 3))  # the same arguments again: kept once
            """,
            "tests/test_it.py": """
                from pkg.layers import Dense2

                def test():
                    Dense2(units=7, initializer=make_init())  # a non-literal keyword is dropped
                    Dense2(size(), units=9)  # a non-literal positional argument: skipped
                    Dense2(*args)
                    Dense2(**config)
            """,
            "elsewhere.py": "from vendor import Dense2\nDense2(units=99)\nUnrelated(units=1)\n",
        },
    )
    files = sorted(tmp_path.rglob("*.py"))
    harvested = harvest_call_sites(files, {"Dense2"}, [tmp_path])
    assert harvested == {
        "pkg.layers:Dense2": [
            {"activation": "relu", ARGS_KEY: [8]},
            {"units": 4, "kernel_size": (3, 3)},
            {"units": 5},
            {"units": 6, "name": None},
            {"units": 7},
        ],
        "vendor:Dense2": [{"units": 99}],
    }


def test_files_that_do_not_mention_a_class_are_not_parsed(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "def (:\n", "ok.py": "from m import Layer\nLayer(units=2)\n"})
    assert harvest_call_sites(sorted(tmp_path.glob("*.py")), {"Layer"}) == {"m:Layer": [{"units": 2}]}
    write(tmp_path, {"broken_mentions.py": "Layer(\n"})  # a syntax error in a file that mentions it: skipped
    assert harvest_call_sites(sorted(tmp_path.glob("*.py")), {"Layer"}) == {"m:Layer": [{"units": 2}]}


def test_unresolved_calls_are_keyed_by_the_bare_class_name(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "from .sibling import Thing\nThing(n=1)\n"})
    assert harvest_call_sites([tmp_path / "a.py"], {"Thing"}) == {"Thing": [{"n": 1}]}


def test_module_name_is_relative_to_the_deepest_root(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    roots = [tmp_path, tmp_path / "src"]
    assert module_name(tmp_path / "src" / "pkg" / "mod.py", {}, roots) == ("pkg.mod", False)
    assert module_name(tmp_path / "src" / "pkg" / "__init__.py", {}, roots) == ("pkg", True)
    assert module_name(tmp_path / "top.py", {}, roots) == ("top", False)
    assert module_name(Path("/nowhere/x.py"), {}, roots) == ("x", False)


def test_a_file_given_as_root_stands_for_its_folder(tmp_path: Path) -> None:
    layer = tmp_path / "layers.py"
    layer.write_text("x = 1\n")
    assert harvest_call_sites([layer], {"X"}, [layer]) == {}
    assert module_name(layer, {}, []) == ("layers", False)
