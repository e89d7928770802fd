/* The palette toggle of the model pages (builder/render/templates/reproboard-lean-page.html), which run none of the
 * theme's scripts. The page names this script where the toggle goes, with the theme's palette in `data-palette`
 * (media, scheme, primary, accent, the toggle's name and icon per option). It runs before the page is drawn: it sets
 * the colours, then puts one button per option in its place, the current option's shown.
 *
 * The choice is kept as the theme keeps it (localStorage, "<site root>.__palette" = {index, color}), so a choice made
 * here holds on the theme's pages and the other way round. Like the theme: with no choice kept, the first option
 * whose media query matches (the system's light or dark); an option for "(prefers-color-scheme)" follows the system.
 * A click moves to the next option, and the focus stays on the toggle. */
(function () {
  "use strict";
  var script = document.currentScript;
  var options = JSON.parse(script.dataset.palette);
  var root = new URL("../..", script.src);  // this file is assets/reproboard/palette.js; the theme's scope is the site's root
  var key = root.pathname + ".__palette";
  var sprite = new URL("icons.svg", script.src).href;
  var SVG = "http://www.w3.org/2000/svg";

  function kept() {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }
  function keep(palette) {
    try { localStorage.setItem(key, JSON.stringify(palette)); } catch (e) { /* storage refused: the choice lasts this page */ }
  }
  function colours(option) {
    var source = option;
    if (option.media === "(prefers-color-scheme)") {
      var system = matchMedia("(prefers-color-scheme: light)").matches ? "(prefers-color-scheme: light)" : "(prefers-color-scheme: dark)";
      source = options.filter(function (o) { return o.media === system; })[0] || option;
    }
    return { media: option.media, scheme: source.scheme, primary: source.primary, accent: source.accent };
  }

  var buttons = [];
  function show(index) {
    var color = colours(options[index]);
    Object.keys(color).forEach(function (name) { document.body.setAttribute("data-md-color-" + name, color[name]); });
    buttons.forEach(function (button, i) { if (button) button.hidden = i !== index; });
    keep({ index: index, color: color });
  }

  var saved = kept();
  var index = saved && saved.index >= 0 && saved.index < options.length ? saved.index
    : options.findIndex(function (o) { return matchMedia(o.media).matches; });
  index = Math.max(0, index);

  var holder = document.createElement("div");
  holder.className = "md-header__option";
  holder.dataset.mdComponent = "palette";
  options.forEach(function (option, i) {
    if (!option.name) { buttons.push(null); return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button md-icon";
    button.title = option.name;
    button.setAttribute("aria-label", option.name);
    var svg = document.createElementNS(SVG, "svg"), use = document.createElementNS(SVG, "use");
    svg.setAttribute("viewBox", "0 0 24 24");
    use.setAttribute("href", sprite + "#" + option.icon);
    svg.appendChild(use);
    button.appendChild(svg);
    button.addEventListener("click", function () {
      var next = (i + 1) % options.length;
      show(next);
      if (buttons[next]) buttons[next].focus();
    });
    buttons.push(button);
    holder.appendChild(button);
  });
  script.parentNode.insertBefore(holder, script);
  show(index);
})();
