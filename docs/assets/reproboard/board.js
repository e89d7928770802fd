/* ReproBoard leaderboard: sort, filter, search, page, show benchmark columns and pick
   models to compare; the view lives in the address (?sort=&dir=&search=&maker=&open=&type=&org=
   &license=&pmin=&pmax=&cols=&cmp=&page=), so a link shares it and back/forward step
   through it. No framework, no network but this site. The data is the JSON in
   #rb-board-data; rows are built with DOM methods and textContent, never innerHTML, so no
   contributor string can become markup. Keep rowFor() in step with
   builder/render/home.py:_row. */
(function () {
  "use strict";

  /* Search that finds what people type: case, width and punctuation ignored, words in any
     order, each word matched where a word of the name, the id or any name of the organisation
     starts ("llama 3" finds Meta-Llama-3-8B but not Llama-2-13b-hf, "alibaba" and "阿里巴巴"
     find Qwen). A key is each field in lower case with a mark (\u0001) before each word start:
     the field's start, after punctuation or a space, a change between letters and digits
     ("Llama3" llama|3, "8B" 8|b, none inside "13b"), lower to upper case in the original
     ("DeepSeek" deep|seek), and every Han or kana character (written without spaces:
     "通义千问" inside "阿里巴巴通义千问"); punctuation and combining marks are taken out, fields
     joined by "|", so a word never matches across two fields. A query word needs a mark before
     its first character and may run on over marks ("llama3" finds Llama-3, "deepseekcoder"
     DeepSeek-Coder). queryWords compiles each word once; found tests a key against them all.
     Shared with compare.js. */
  var START = "\u0001";
  function searchKey(fields) {
    return fields.map(function (f) {
      var s = START + f.normalize("NFKC").replace(/(\p{Ll})(?=\p{Lu})/gu, "$1" + START).toLowerCase();
      var wide = /[^\0-\x7f]/.test(s);  // the mark and script passes change nothing in ASCII
      if (wide) s = s.replace(/\p{M}+/gu, "");
      s = s.replace(/[^\p{L}\p{N}]+/gu, START).replace(/(\p{L})(?=\p{N})|(\p{N})(?=\p{L})/gu, "$1$2" + START);
      return wide ? s.replace(/[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]/gu, START + "$&").replace(/\u0001+/g, START) : s;
    }).join("|");
  }
  function queryWords(q) {
    return q.normalize("NFKC").toLowerCase().replace(/\p{M}+/gu, "").split(/[^\p{L}\p{N}]+/u)
      .filter(function (w) { return w !== ""; })
      .map(function (w) { return new RegExp(START + Array.from(w).join(START + "?"), "u"); });
  }
  function found(key, words) {
    for (var w = 0; w < words.length; w++) if (!words[w].test(key)) return false;
    return true;
  }
  /* A catalogue string with its {names} filled in, counts as readers write them (4,501), as
     builder/render/i18n.py:_shown does on the built pages. Shared with compare.js. */
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) {
      var v = values[k];
      return typeof v === "number" && Number.isInteger(v) ? v.toLocaleString("en-US") : v;
    });
  }
  window.ReproBoard = { searchKey: searchKey, queryWords: queryWords, found: found, fmt: fmt };

  function start() {
    var holder = document.getElementById("rb-board-data");
    var table = document.getElementById("rb-board");
    if (!holder || !table || table.dataset.rbReady) return;
    table.dataset.rbReady = "1";
    var data = JSON.parse(holder.textContent);
    var S = data.strings, M = data.m, n = M.id.length;
    var state = { key: "rank", dir: 1, page: 0, shown: [], colData: null, cmp: [] };
    var controls = document.getElementById("rb-controls");
    var wrap = document.getElementById("rb-board-wrap");
    var aliases = data.aliases || {};
    var keys = new Array(n);
    for (var k0 = 0; k0 < n; k0++) keys[k0] = searchKey([M.name[k0], M.id[k0], M.org[k0]].concat(aliases[M.org[k0]] || []));
    var byId = {};
    for (var k1 = 0; k1 < n; k1++) byId[M.id[k1]] = k1;
    var body = table.tBodies[0];
    var headRow = table.tHead.rows[0];
    var status = document.getElementById("rb-status");
    var pager = document.getElementById("rb-pager");
    controls.hidden = false;

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

    /* Makers' own models, the others, or all (builder/render/home.py:_maker_filter); absent when the board has one kind. */
    var makerBox = document.getElementById("rb-maker");
    var makers = 0;
    for (var k2 = 0; k2 < n; k2++) makers += M.maker[k2];
    function hiddenByMaker() { return !makerBox || makerBox.value === "all" ? 0 : makerBox.value === "1" ? n - makers : makers; }
    var benchBoxes = Array.prototype.slice.call(controls.querySelectorAll("input[data-bench]"));
    function visibleBenchmarks() {
      return benchBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.dataset.bench; });
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
      td = el("td", "rb-c-model"); td.appendChild(pickBox(i)); td.appendChild(link(modelHref(i), M.name[i])); tr.appendChild(td);
      tr.appendChild(scoreCell(i));
      tr.appendChild(el("td", "", M.org[i]));
      tr.appendChild(el("td", "rb-n", M.params[i] === null ? "–" : String(M.params[i])));
      tr.appendChild(el("td", "", data.types[M.type[i]]));
      tr.appendChild(el("td", "", M.open[i] ? S["weights.open"] : S["weights.api"]));
      tr.appendChild(el("td", "", M.license[i]));
      tr.appendChild(el("td", "", M.date[i]));
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

    function scoreCell(i) {
      var td = el("td", "rb-n rb-c-score");
      if (M.rank[i] === null) td.appendChild(el("span", "rb-reason", reason(M.why[i])));
      else {
        td.appendChild(el("b", "", fixed(M.score[i]))); td.appendChild(document.createTextNode(" "));
        td.appendChild(el("span", "rb-se", "[" + fixed(M.lo[i]) + ", " + fixed(M.hi[i]) + "]"));
      }
      return td;
    }

    /* Picking models to compare: a box in the model cell, a bar above the table. */
    var bar = document.getElementById("rb-compare-bar"), picked = document.getElementById("rb-compare-picked");
    var go = document.getElementById("rb-compare-go"), clear = document.getElementById("rb-compare-clear");
    function pickBox(i) {
      var box = el("input", "rb-pick"); box.type = "checkbox"; box.dataset.i = String(i);
      box.setAttribute("aria-label", fmt(S["home.pick"], { name: M.name[i] }));
      box.checked = state.cmp.indexOf(M.id[i]) >= 0;
      box.disabled = !box.checked && state.cmp.length >= data.compareMax;
      if (box.disabled) box.title = fmt(S["home.compare_full"], { max: data.compareMax });
      return box;
    }
    function compareHref(ids) {
      return data.compareUrl + "?m=" + ids.map(encodeURIComponent).join(",").replace(/%2F/g, "/");
    }
    function syncCompare() {
      bar.hidden = state.cmp.length === 0;
      picked.textContent = fmt(S["home.compare_n"], { count: state.cmp.length, max: data.compareMax });
      if (state.cmp.length >= 2) { go.setAttribute("href", compareHref(state.cmp)); go.removeAttribute("aria-disabled"); go.removeAttribute("title"); }
      else { go.removeAttribute("href"); go.setAttribute("aria-disabled", "true"); go.title = S["home.compare_need"]; }
      Array.prototype.forEach.call(body.querySelectorAll("input.rb-pick"), function (box) {
        var on = state.cmp.indexOf(M.id[Number(box.dataset.i)]) >= 0;
        box.checked = on;
        box.disabled = !on && state.cmp.length >= data.compareMax;
        if (box.disabled) box.title = fmt(S["home.compare_full"], { max: data.compareMax }); else box.removeAttribute("title");
      });
    }
    body.addEventListener("change", function (e) {
      var box = e.target;
      if (!box.classList || !box.classList.contains("rb-pick")) return;
      var id = M.id[Number(box.dataset.i)], at = state.cmp.indexOf(id);
      if (box.checked && at < 0 && state.cmp.length < data.compareMax) state.cmp.push(id);
      if (!box.checked && at >= 0) state.cmp.splice(at, 1);
      syncCompare(); remember(true);
    });
    clear.addEventListener("click", function () { state.cmp = []; syncCompare(); remember(true); });

    var lastFixed = headRow.cells[headRow.cells.length - 1];
    var benchInfo = {};
    data.benchmarks.forEach(function (b) { benchInfo[b.id] = b; });
    /* Header cells are kept, not rebuilt, so the one the reader sorted by keeps the focus. */
    function syncHeader(benches) {
      Array.prototype.slice.call(headRow.querySelectorAll("th.rb-bench")).forEach(function (th) {
        if (benches.indexOf(th.dataset.key.slice(6)) < 0) th.remove();
      });
      var after = lastFixed;
      benches.forEach(function (b) {
        var th = headRow.querySelector('th[data-key="bench:' + CSS.escape(b) + '"]');
        if (!th) {
          th = el("th", "rb-bench", benchInfo[b].name); th.dataset.key = "bench:" + b; th.scope = "col";
        }
        if (th.previousElementSibling !== after) after.after(th);  // in the chooser's order; a cell moved loses the focus, so only when needed
        after = th;
      });
      Array.prototype.forEach.call(headRow.cells, function (th) {
        th.setAttribute("aria-sort", th.dataset.key === state.key ? (state.dir === 1 ? "ascending" : "descending") : "none");
        th.tabIndex = 0;
      });
    }

    function matches(i, f) {
      if (f.q.length && !found(keys[i], f.q)) return false;
      if (f.open !== "" && String(M.open[i]) !== f.open) return false;
      if (f.maker !== "all" && String(M.maker[i]) !== f.maker) return false;
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
        q: queryWords(document.getElementById("rb-search").value), open: document.getElementById("rb-open").value,
        type: document.getElementById("rb-type").value, org: document.getElementById("rb-org").value,
        license: document.getElementById("rb-license").value, pmin: number("rb-pmin"), pmax: number("rb-pmax"),
        maker: makerBox ? makerBox.value : "all"
      };
      var rows = [];
      for (var i = 0; i < n; i++) if (matches(i, f)) rows.push(i);
      var key = state.key, dir = state.dir, sortKeys = new Array(n);
      rows.forEach(function (i) { sortKeys[i] = keyOf(key, i); });
      rows.sort(function (a, b) {
        var x = sortKeys[a], y = sortKeys[b];
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
      if (hiddenByMaker()) status.textContent += " · " + fmt(S["home.maker_hidden"], { count: hiddenByMaker() });
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }

    function update() { compute(); render(); }

    var prev = el("button", "md-button rb-prev", S["home.prev"]), next = el("button", "md-button rb-next", S["home.next"]);
    prev.type = next.type = "button";
    prev.addEventListener("click", function () { state.page--; render(); remember(true); });
    next.addEventListener("click", function () { state.page++; render(); remember(true); });
    pager.appendChild(prev); pager.appendChild(next);

    var ascending = { rank: 1, name: 1, org: 1, license: 1, type: 1 };
    function sortBy(key) {
      if (!key) return;
      if (state.key === key) state.dir = -state.dir;
      else { state.key = key; state.dir = ascending[key] ? 1 : -1; }
      state.page = 0;
      update(); remember(true);
    }
    headRow.addEventListener("click", function (e) {
      if (e.target.closest("a")) return;
      var th = e.target.closest("th"); if (th) sortBy(th.dataset.key);
    });
    headRow.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      var th = e.target.closest("th"); if (th) { e.preventDefault(); sortBy(th.dataset.key); }
    });

    /* The view in the address. Typing replaces the current entry (one entry per field
       typed in, not per key); every other change adds one, so back undoes it. */
    // Not "q": Material's site search opens itself with ?q= on any page.
    var FIELDS = { search: "rb-search", maker: "rb-maker", open: "rb-open", type: "rb-type", org: "rb-org", license: "rb-license", pmin: "rb-pmin", pmax: "rb-pmax" };
    if (!makerBox) delete FIELDS.maker;
    function fallback(name) { return name === "maker" ? data.makerDefault : ""; }  // a field's value when the address leaves it out
    var typedIn = null;
    function viewQuery() {
      var q = new URLSearchParams();
      if (state.key !== "rank" || state.dir !== 1) { q.set("sort", state.key); q.set("dir", state.dir === 1 ? "asc" : "desc"); }
      Object.keys(FIELDS).forEach(function (name) {
        var v = document.getElementById(FIELDS[name]).value;
        if (v !== fallback(name)) q.set(name, v);
      });
      var cols = visibleBenchmarks();
      if (cols.length) q.set("cols", cols.join(","));
      if (state.cmp.length) q.set("cmp", state.cmp.join(","));
      if (state.page > 0) q.set("page", String(state.page + 1));
      return q.toString().replace(/%2F/g, "/").replace(/%2C/g, ",").replace(/%3A/g, ":");
    }
    function remember(step, field) {
      var query = viewQuery();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (url === location.pathname + location.search + location.hash) return;
      if (step && !(field && field === typedIn)) history.pushState({ rb: 1 }, "", url);
      else history.replaceState({ rb: 1 }, "", url);
      typedIn = field || null;
    }
    function validKey(key) {
      if (key.indexOf("bench:") === 0) return !!benchInfo[key.slice(6)];
      return Array.prototype.some.call(headRow.cells, function (th) { return th.dataset.key === key; });
    }
    /* Set the controls and the state from the address; anything unknown in it is ignored. */
    function readView() {
      var q = new URLSearchParams(location.search);
      Object.keys(FIELDS).forEach(function (name) {
        var input = document.getElementById(FIELDS[name]), v = q.has(name) ? q.get(name) : fallback(name);
        if (input.tagName === "SELECT" && !Array.prototype.some.call(input.options, function (o) { return o.value === v; })) v = fallback(name);
        if (input.type === "number" && v !== "" && !isFinite(Number(v))) v = "";
        input.value = v;
      });
      var cols = (q.get("cols") || "").split(",");
      benchBoxes.forEach(function (b) { b.checked = cols.indexOf(b.dataset.bench) >= 0; });
      if (benchBoxes.some(function (b) { return b.checked; })) controls.querySelector("details.rb-columns").open = true;
      var key = q.get("sort") || "rank";
      state.key = validKey(key) ? key : "rank";
      state.dir = q.get("dir") === "desc" ? -1 : q.get("dir") === "asc" ? 1 : (ascending[state.key] ? 1 : -1);
      state.cmp = (q.get("cmp") || "").split(",").filter(function (id, at, all) {
        return byId.hasOwnProperty(id) && all.indexOf(id) === at;
      }).slice(0, data.compareMax);
      var page = parseInt(q.get("page") || "1", 10);
      state.page = page > 0 ? page - 1 : 0;
    }
    /* Benchmark columns need their file; `then` runs once it is here. */
    function withColumns(then) {
      if (state.colData || !visibleBenchmarks().length) { then(); return; }
      status.textContent = S["home.loading"];
      fetch(data.benchmarkColumns).then(function (r) { return r.json(); }).then(function (cols) { state.colData = cols; then(); });
    }
    function showView() { withColumns(function () { update(); syncCompare(); }); }
    window.addEventListener("popstate", function () { typedIn = null; readView(); showView(); });

    controls.addEventListener("submit", function (e) { e.preventDefault(); });
    controls.addEventListener("input", function (e) {
      if (e.target.dataset.bench) return;
      state.page = 0; update();
      var typed = e.target.tagName === "INPUT";
      remember(true, typed ? e.target.id : null);
    });
    controls.addEventListener("change", function (e) {
      if (!e.target.dataset.bench) return;
      var bench = e.target.dataset.bench, shown = e.target.checked;
      withColumns(function () {
        if (state.key.indexOf("bench:") === 0) compute();
        render(); remember(true);
        if (shown) reveal(bench);
      });
    });
    /* A column just shown is scrolled into view and announced: it may land right of the window. */
    function reveal(bench) {
      var th = headRow.querySelector('th[data-key="bench:' + CSS.escape(bench) + '"]');
      if (!th) return;
      var right = th.offsetLeft + th.offsetWidth;
      if (right > wrap.scrollLeft + wrap.clientWidth) wrap.scrollLeft = right - wrap.clientWidth;
      status.textContent += " · " + fmt(S["home.column_shown"], { name: benchInfo[bench].name });
    }
    table.rbState = state;  // for tests
    readView();
    history.replaceState({ rb: 1 }, "", location.href);
    showView();
  }

  /* The compare page's own script, loaded only there (the page carries no script of its own). */
  function loadCompare() {
    var holder = document.getElementById("rb-compare-data");
    if (!holder || holder.dataset.rbLoaded) return;
    holder.dataset.rbLoaded = "1";
    var script = document.createElement("script");
    script.src = JSON.parse(holder.textContent).script;
    document.head.appendChild(script);
  }
  function boot() { start(); loadCompare(); }

  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(boot);  // Material's instant loading
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
