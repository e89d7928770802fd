/* ReproBoard leaderboard: sort, filter, search, page and show benchmark columns.
   No framework, no network but this site. The data is the JSON in #rb-board-data;
   rows are built with DOM methods and textContent, never innerHTML, so no contributor
   string can become markup. Keep rowFor() in step with builder/render/home.py:_row. */
(function () {
  "use strict";

  function start() {
    var holder = document.getElementById("rb-board-data");
    var table = document.getElementById("rb-board");
    if (!holder || !table || table.dataset.rbReady) return;
    table.dataset.rbReady = "1";
    var data = JSON.parse(holder.textContent);
    var S = data.strings, M = data.m, n = M.id.length;
    var state = { key: "rank", dir: 1, page: 0, shown: [], cols: null, colData: null };
    var controls = document.getElementById("rb-controls");
    var body = table.tBodies[0];
    var headRow = table.tHead.rows[0];
    var status = document.getElementById("rb-status");
    var pager = document.getElementById("rb-pager");
    controls.hidden = false;

    function fmt(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
    }
    function fixed(v) { return v === null || v === undefined ? "–" : v.toFixed(2); }
    function raw(v) { var t = v.toFixed(2); return t.charAt(t.length - 1) === "0" ? t.slice(0, -1) : t; }
    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function link(href, text, cls) { var a = el("a", cls, text); a.setAttribute("href", href); return a; }
    function modelHref(i) { return data.modelUrl[0] + M.id[i] + data.modelUrl[1]; }
    /* ["r", publisher, title], ["c", contributor, publisher, title] or ["s", user, date] (home.py:source_of), in the page's language. */
    function sourceText(src) {
      if (src[0] === "r") return fmt(S["prov.reported_by"], { publisher: src[1], title: src[2] });
      if (src[0] === "c") return fmt(S["prov.contributor"], { user: src[1], publisher: src[2], title: src[3] });
      return fmt(S["prov.submitted_by"], { user: src[1], date: src[2] });
    }
    function reason(code) { return S["unranked." + code]; }
    function mark(code, title, cls) { var s = el("span", "rb-mark " + cls, code); s.title = title; return s; }

    var orgOrder = null;
    function keyOf(key, i) {
      switch (key) {
        case "rank": return M.rank[i] === null ? Infinity : M.rank[i] * 1e6 - M.score[i];
        case "name": return M.name[i].toLowerCase();
        case "org": return M.org[i].toLowerCase();
        case "params": return M.params[i];
        case "type": return M.type[i];
        case "open": return M.open[i];
        case "license": return M.license[i];
        case "date": return M.date[i];
        case "score": return M.score[i];
        case "evidence": return M.nc[i];
      }
      if (key.indexOf("cat:") === 0) return M.cat[i][catIndex[key.slice(4)]];
      if (key.indexOf("bench:") === 0) return state.colData ? state.colData.v[key.slice(6)][i] : null;
      return null;
    }
    var catIndex = {};
    Array.prototype.forEach.call(headRow.cells, function (th) {
      var key = th.dataset.key;
      if (key && key.indexOf("cat:") === 0) catIndex[key.slice(4)] = Object.keys(catIndex).length;
    });

    function visibleBenchmarks() {
      return Array.prototype.filter.call(controls.querySelectorAll("input[data-bench]"), function (b) { return b.checked; })
        .map(function (b) { return b.dataset.bench; });
    }

    function rowFor(i, benches) {
      var tr = document.createElement("tr");
      if (M.rank[i] === null) tr.className = "rb-unranked-row";
      var td = el("td", "rb-c-rank");
      if (M.rank[i] === null) {
        var u = el("span", "rb-unranked", S["rank.unranked"]); u.title = reason(M.why[i]); td.appendChild(u);
      } else {
        var r = el("span", "rb-rank", String(M.rank[i]));
        r.title = M.worst[i] > M.rank[i] ? fmt(S["rank.interval"], { best: M.rank[i], worst: M.worst[i] }) : fmt(S["rank.exact"], { best: M.rank[i] });
        td.appendChild(r);
        if (M.worst[i] > M.rank[i]) td.appendChild(el("span", "rb-range", M.rank[i] + "–" + M.worst[i]));
      }
      tr.appendChild(td);
      td = el("td", "rb-c-model"); td.appendChild(link(modelHref(i), M.name[i])); tr.appendChild(td);
      tr.appendChild(el("td", "", M.org[i]));
      tr.appendChild(el("td", "rb-n", M.params[i] === null ? "–" : String(M.params[i])));
      tr.appendChild(el("td", "", data.types[M.type[i]]));
      tr.appendChild(el("td", "", M.open[i] ? S["weights.open"] : S["weights.api"]));
      tr.appendChild(el("td", "", M.license[i]));
      tr.appendChild(el("td", "", M.date[i]));
      td = el("td", "rb-n rb-c-score");
      if (M.rank[i] === null) td.appendChild(el("span", "rb-reason", reason(M.why[i])));
      else {
        td.appendChild(el("b", "", fixed(M.score[i]))); td.appendChild(document.createTextNode(" "));
        td.appendChild(el("span", "rb-se", "[" + fixed(M.lo[i]) + ", " + fixed(M.hi[i]) + "]"));
      }
      tr.appendChild(td);
      tr.appendChild(el("td", "rb-n", fmt(S["evidence.text"], { benchmarks: M.nb[i], comparisons: M.nc[i], groups: M.ng[i] })));
      for (var c = 0; c < M.cat[i].length; c++) {
        var total = data.categoryTotals[c], covered = M.cov[i][c];
        td = el("td", "rb-n");
        if (M.cat[i][c] === null) {
          td.title = fmt(S["home.cat_unranked"], { reason: reason(M.catWhy[i][c]), covered: covered, total: total });
          td.appendChild(link(data.categoryUrls[c], "–"));
        } else {
          td.appendChild(link(data.categoryUrls[c], fixed(M.cat[i][c])));
          if (covered < total) {
            var sup = el("sup", "rb-partial", covered + "/" + total);
            sup.title = fmt(S["home.cat_partial"], { covered: covered, total: total });
            td.appendChild(document.createTextNode(" ")); td.appendChild(sup);
          }
        }
        tr.appendChild(td);
      }
      benches.forEach(function (b) {
        td = el("td", "rb-n rb-bench");
        var v = state.colData ? state.colData.v[b][i] : null;
        if (v === null) td.textContent = "–";
        else {
          var code = state.colData.s[b].charAt(i), origin = sourceText(state.colData.sources[state.colData.o[b][i]]);
          var a = link(modelHref(i) + "#bench-" + b, raw(v), "rb-num"); a.title = origin; td.appendChild(a);
          var lower = code.toLowerCase();
          var kind = lower === "v" ? "verified" : lower === "s" ? "submitted" : "reported";
          td.appendChild(mark(lower === "v" ? "✓" : lower === "s" ? "S" : "R", origin, "rb-" + kind));
          if (code !== lower) td.appendChild(mark("≠", S["status.disputed"], "rb-disputed"));
        }
        tr.appendChild(td);
      });
      return tr;
    }

    function syncHeader(benches) {
      Array.prototype.slice.call(headRow.querySelectorAll("th.rb-bench")).forEach(function (th) { th.remove(); });
      benches.forEach(function (b) {
        var info = data.benchmarks.filter(function (x) { return x.id === b; })[0];
        var th = el("th", "rb-bench", info.name); th.dataset.key = "bench:" + b;
        headRow.appendChild(th);
      });
      Array.prototype.forEach.call(headRow.cells, function (th) {
        th.setAttribute("aria-sort", th.dataset.key === state.key ? (state.dir === 1 ? "ascending" : "descending") : "none");
        th.tabIndex = 0;
      });
    }

    function matches(i, f) {
      if (f.q && M.name[i].toLowerCase().indexOf(f.q) < 0 && M.id[i].toLowerCase().indexOf(f.q) < 0) return false;
      if (f.open !== "" && String(M.open[i]) !== f.open) return false;
      if (f.type && M.type[i] !== f.type) return false;
      if (f.org && M.org[i] !== f.org) return false;
      if (f.license && M.license[i] !== f.license) return false;
      if ((f.pmin !== null || f.pmax !== null) && M.params[i] === null) return false;
      if (f.pmin !== null && M.params[i] < f.pmin) return false;
      if (f.pmax !== null && M.params[i] > f.pmax) return false;
      return true;
    }
    function number(id) { var v = document.getElementById(id).value; return v === "" ? null : Number(v); }

    function compute() {
      var f = {
        q: document.getElementById("rb-search").value.trim().toLowerCase(), open: document.getElementById("rb-open").value,
        type: document.getElementById("rb-type").value, org: document.getElementById("rb-org").value,
        license: document.getElementById("rb-license").value, pmin: number("rb-pmin"), pmax: number("rb-pmax")
      };
      var rows = [];
      for (var i = 0; i < n; i++) if (matches(i, f)) rows.push(i);
      var key = state.key, dir = state.dir, keys = new Array(n);
      rows.forEach(function (i) { keys[i] = keyOf(key, i); });
      rows.sort(function (a, b) {
        var x = keys[a], y = keys[b];
        var xm = x === null || x === undefined, ym = y === null || y === undefined;
        if (xm || ym) return xm === ym ? a - b : (xm ? 1 : -1);  // missing values last, either direction
        if (x < y) return -dir;
        if (x > y) return dir;
        return a - b;
      });
      state.shown = rows;
    }

    function render() {
      var benches = visibleBenchmarks();
      syncHeader(benches);
      var size = data.pageSize, total = state.shown.length;
      var pages = Math.max(1, Math.ceil(total / size));
      if (state.page >= pages) state.page = pages - 1;
      var from = state.page * size, to = Math.min(total, from + size);
      var frag = document.createDocumentFragment();
      for (var k = from; k < to; k++) frag.appendChild(rowFor(state.shown[k], benches));
      body.replaceChildren(frag);
      status.textContent = total ? fmt(S["home.showing"], { first: from + 1, last: to, total: total }) : S["home.none"];
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }

    function update() { compute(); render(); }

    var prev = el("button", "md-button rb-prev", S["home.prev"]), next = el("button", "md-button rb-next", S["home.next"]);
    prev.type = next.type = "button";
    prev.addEventListener("click", function () { state.page--; render(); });
    next.addEventListener("click", function () { state.page++; render(); });
    pager.appendChild(prev); pager.appendChild(next);

    function sortBy(key) {
      if (!key) return;
      if (state.key === key) state.dir = -state.dir;
      else { state.key = key; state.dir = (key === "rank" || key === "name" || key === "org" || key === "license" || key === "type") ? 1 : -1; }
      state.page = 0;
      update();
    }
    headRow.addEventListener("click", function (e) {
      if (e.target.closest("a")) return;
      var th = e.target.closest("th"); if (th) sortBy(th.dataset.key);
    });
    headRow.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      var th = e.target.closest("th"); if (th) { e.preventDefault(); sortBy(th.dataset.key); }
    });
    controls.addEventListener("submit", function (e) { e.preventDefault(); });
    controls.addEventListener("input", function (e) {
      if (e.target.dataset.bench) return;
      state.page = 0; update();
    });
    controls.addEventListener("change", function (e) {
      if (!e.target.dataset.bench) return;
      if (state.colData) { render(); return; }
      status.textContent = S["home.loading"];
      fetch(data.benchmarkColumns).then(function (r) { return r.json(); }).then(function (cols) {
        state.colData = cols; if (state.key.indexOf("bench:") === 0) compute(); render();
      });
    });
    table.rbState = state;  // for tests
    update();
  }

  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(start);  // Material's instant loading
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
