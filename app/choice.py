"""A set of buttons drawn as one element: the page menu, the priorities shown, a section's views.

Each Streamlit widget costs the browser time on every change to its page (measured in Chromium's CPU time: a
button about 1.4 ms, tabs about 15 ms, a selectbox about 10 ms); this whole set of buttons costs about 3 ms. The
buttons are real ``<button>`` elements: Tab reaches each one, Enter or Space presses it, and the one chosen is
marked for screen readers (``aria-current`` in a menu, ``aria-pressed`` in a row of views). A press reaches the
server as a one-off trigger, read in a callback before the page runs, so a press while a text box still holds
typed text both keeps the text and acts (the box commits its text first).

The labels are the app's own words or workbook text, set as text (``textContent``), never as markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import streamlit as st

# The app's own look (no user text): a menu like Streamlit's own page links, a row like its pills; colours at
# least 4.5:1 (WCAG 2.1 AA). Streamlit reads inline CSS without a line break as a file name.
_CSS = """
.pprr-choice { display: flex; gap: 0.15rem; font-family: inherit; }
.pprr-choice.menu, .pprr-choice.list { flex-direction: column; }
.pprr-choice.row { flex-wrap: wrap; gap: 0.4rem; margin: 0.25rem 0 0.5rem 0; }
.pprr-choice button { font: inherit; cursor: pointer; color: #1B1F24; background: transparent;
    border: 1px solid transparent; border-radius: 0.5rem; text-align: left; }
.pprr-choice.menu button { font-size: 1rem; min-height: 2.1rem; padding: 0.2rem 0.6rem; width: 100%; }
.pprr-choice.menu button:hover { background: #E3E7ED; }
.pprr-choice.menu button[aria-current="page"] { background: #1F4E79; color: #FFFFFF; }
.pprr-choice.row button { font-size: 0.875rem; padding: 0.3rem 0.8rem; border-color: #B9C0CA; background: #FFFFFF; }
.pprr-choice.row button:hover { border-color: #1F4E79; color: #1F4E79; }
.pprr-choice.row button[aria-pressed="true"] { background: #1F4E79; border-color: #1F4E79; color: #FFFFFF; }
.pprr-choice.list { gap: 0.3rem; margin: 0.25rem 0 0.75rem 0; }
.pprr-choice.list button { font-size: 0.95rem; padding: 0.4rem 0.75rem; border-color: #D5D8DE; background: #FFFFFF; }
.pprr-choice.list button:hover { border-color: #1F4E79; }
.pprr-choice.list button[aria-pressed="true"] { background: #1F4E79; border-color: #1F4E79; color: #FFFFFF; }
.pprr-choice button:focus-visible { outline: 2px solid #1F4E79; outline-offset: 2px; }
"""

# Buttons are changed in place on each run (not made anew), so the one pressed keeps the keyboard's focus.
_JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  const host = parentElement.querySelector(".pprr-choice-host");
  const kind = ["menu", "list"].includes(data.kind) ? data.kind : "row";
  let box = host.firstElementChild;
  if (!box || box.dataset.kind !== kind) {
    box = document.createElement(kind === "menu" ? "nav" : "div");
    box.dataset.kind = kind;
    box.className = "pprr-choice " + kind;
    if (kind !== "menu") box.setAttribute("role", "group");
    host.replaceChildren(box);
  }
  box.setAttribute("aria-label", data.label);
  while (box.children.length > data.labels.length) box.lastElementChild.remove();
  data.labels.forEach((text, i) => {
    let button = box.children[i];
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.dataset.index = String(i);
      button.addEventListener("click", () => setTriggerValue("chosen", Number(button.dataset.index)));
      box.append(button);
    }
    if (button.textContent !== text) button.textContent = text;
    const here = i === data.chosen;
    if (kind === "menu") {
      if (here) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
    } else {
      button.setAttribute("aria-pressed", here ? "true" : "false");
    }
  });
}
"""

_COMPONENT = st.components.v2.component("pprr_choice", html='<div class="pprr-choice-host"></div>', css=_CSS,
                                        js=_JS)


def choice(labels: Sequence[str], chosen: int | None, *, key: str, on_choose: Callable[[int], None], label: str,
           kind: str = "row") -> None:
    """Draw ``labels`` as buttons, ``chosen`` (an index) marked; a press calls ``on_choose(index)`` before the
    next run. ``label`` names the set for screen readers; ``kind`` is "menu" (a page menu), "row" (a few short
    labels side by side) or "list" (long labels, one under another)."""

    def pressed() -> None:
        value = st.session_state[key]["chosen"]
        if value is not None and 0 <= int(value) < len(labels):
            on_choose(int(value))

    _COMPONENT(data={"labels": list(labels), "chosen": chosen, "label": label, "kind": kind}, key=key,
               on_chosen_change=pressed)


def drawn(element) -> dict:
    """What a choice element was drawn with (for tests, given an AppTest element): its labels, the index chosen,
    its label and kind; an empty dict for any other element."""
    proto = getattr(element, "proto", None)
    if getattr(proto, "component_name", None) != "pprr_choice":
        return {}
    return json.loads(proto.json)
