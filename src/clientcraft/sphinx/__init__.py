"""Sphinx extension: practice exercises in the course book, rendered from the scenario bank.

Enable it in ``book/_config.yml`` (``sphinx: extra_extensions: [clientcraft.sphinx]``); set
``clientcraft_bank`` to the bank folder relative to the book (default ``../exercises``). The
JavaScript and CSS ship in ``static/`` and are served from the built site, so pages work offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from clientcraft.sphinx import bank_cache, nodes
from clientcraft.sphinx.directives import ScenarioDirective, ScenariosDirective

STATIC = Path(__file__).parent / "static"


def _add_static(app: Sphinx, config: Config) -> None:
    """Serve ``static/`` (scenario.js, scenario.css) from the built site's ``_static``."""
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("clientcraft_bank", "../exercises", "env", [str])
    nodes.register(app)
    app.add_directive("scenario", ScenarioDirective)
    app.add_directive("scenarios", ScenariosDirective)
    app.connect("config-inited", _add_static)
    app.connect("builder-inited", bank_cache.load)
    app.connect("env-get-outdated", bank_cache.outdated_on_new_files)
    app.connect("env-purge-doc", bank_cache.purge_doc)
    app.connect("env-merge-info", bank_cache.merge_info)
    app.connect("env-check-consistency", bank_cache.check_each_scenario_once)
    app.add_js_file("scenario.js", loading_method="defer")
    app.add_css_file("scenario.css")
    return {
        "version": "1",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 2,
    }
