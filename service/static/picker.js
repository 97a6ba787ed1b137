// Occupation picker: search ESCO as you type (the taxonomy search API), pick with mouse or keys.
// A file, not inline: the pages allow no inline scripts. Without JavaScript the server resolves the text.
(() => {
  const lang = document.documentElement.lang || "nl";
  const setup = (box) => {
    const input = box.querySelector("[data-picker-input]");
    const uri = box.querySelector("[data-picker-uri]");
    const list = box.querySelector("[data-picker-list]");
    if (!input || !uri || !list) return;
    let timer = null, hits = [], active = -1, asked = 0;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    const slot = box.querySelector("[data-picker-tag]");
    const mark = (hit) => {  // "EN" when ESCO has no term in the page's language
      if (!hit.label_lang || hit.label_lang === lang) return null;
      const tag = document.createElement("abbr"); tag.className = "label-lang";
      tag.title = box.dataset.langTitle || ""; tag.textContent = hit.label_lang.toUpperCase();
      return tag;
    };
    const choose = (i) => {
      const hit = hits[i]; if (!hit) return;
      input.value = hit.label; uri.value = hit.uri; close();
      if (slot) { const tag = mark(hit); slot.replaceChildren(...(tag ? [" ", tag] : [])); }
    };
    const show = () => {
      list.replaceChildren();
      hits.forEach((hit, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`; li.setAttribute("role", "option"); li.textContent = hit.label;
        const tag = mark(hit);
        if (tag) { li.lang = hit.label_lang; li.append(" ", tag); }
        if (hit.matched_label && hit.matched_label.toLowerCase() !== hit.label.toLowerCase()) {
          const small = document.createElement("span"); small.className = "muted small";
          small.textContent = ` (${hit.matched_label})`; li.append(small);
        }
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
        list.append(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
      else input.removeAttribute("aria-activedescendant");
    };
    const ask = async () => {
      const q = input.value.trim(); const n = ++asked;
      if (q.length < 2) { hits = []; show(); return; }
      const r = await fetch(`/api/taxonomy/search?kind=occupation&top=8&lang=${lang}&q=${encodeURIComponent(q)}`,
        { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!r.ok || n !== asked) return;
      hits = await r.json(); active = -1; show();
    };
    input.addEventListener("input", () => {
      uri.value = ""; if (slot) slot.replaceChildren(); clearTimeout(timer); timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(hits.length - 1, active + 1); show(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); show(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  };
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-picker]").forEach(setup));
})();
