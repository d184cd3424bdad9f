"""A doctree node for the exercise markup (``<section>``, ``<details>``, ``<summary>``, ARIA).

docutils has no node for ``<details>`` or for ARIA attributes, so the exercise is built from one
generic element node that the HTML writer prints as the tag and attributes it carries. Other
writers (LaTeX, text) just render its children.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx


class html_element(nodes.General, nodes.Element):
    """An HTML element: ``tag`` plus ``attributes`` (ids and classes as on any docutils node)."""


def element(
    tag: str,
    children: list[nodes.Node] | tuple[nodes.Node, ...] = (),
    *,
    classes: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
    **attributes: str,
) -> html_element:
    """An :class:`html_element`; attribute names use ``_`` for ``-`` (``aria_live="polite"``)."""
    node = html_element(tag=tag, attributes={k.replace("_", "-"): v for k, v in attributes.items()})
    node["classes"].extend(classes)
    node["ids"].extend(ids)
    node.extend(children)
    return node


def visit_html(self: Any, node: html_element) -> None:
    self.body.append(self.starttag(node, node["tag"], "", **node["attributes"]))


def depart_html(self: Any, node: html_element) -> None:
    self.body.append(f"</{node['tag']}>\n")


def _pass(self: Any, node: html_element) -> None:
    """Other writers render only the element's children."""


def register(app: Sphinx) -> None:
    """Teach Sphinx's writers the :class:`html_element` node."""
    app.add_node(
        html_element,
        html=(visit_html, depart_html),
        latex=(_pass, _pass),
        text=(_pass, _pass),
        man=(_pass, _pass),
        texinfo=(_pass, _pass),
    )
