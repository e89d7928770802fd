/* ReproBoard compare page: two to four models side by side, from the downloads.
   The selection is the address (?m=org/a,org/b); each model's api/models/<id>.json.gz is
   fetched once; the words, names and links of the page's language are in
   #rb-compare-data (builder/render/compare.py). Benchmarks where the models share a
   source table or protocol (a "group") are set apart as like for like; the rest are
   listed with each number's own source and setting. Everything is built with DOM methods
   and textContent, never innerHTML: no contributor string can become markup. */
(function () {
  "use strict";
  var holder = document.getElementById("rb-compare-data");
  var root = document.getElementById("rb-compare");
  if (!holder || !root || root.dataset.rbReady) return;
  root.dataset.rbReady = "1";
  var D = JSON.parse(holder.textContent), S = D.strings;
  var RB = window.ReproBoard;  // board.js (every page loads it): the leaderboard's search, and its strings filled in (RB.fmt)
  var statusEl = document.getElementById("rb-compare-status");
  var picker = document.getElementById("rb-compare-picker");
  var findInput = document.getElementById("rb-compare-find");
  var options = document.getElementById("rb-compare-options");
  var SVG = "http://www.w3.org/2000/svg";
  var ID = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;
  var cache = {};
  picker.hidden = false;

  var fmt = RB.fmt;
  function fixed(v) { return v === null || v === undefined ? "–" : v.toFixed(2); }
  function raw(v) { var t = v.toFixed(2); return t.charAt(t.length - 1) === "0" ? t.slice(0, -1) : t; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function link(href, text, cls) { var a = el("a", cls, text); a.setAttribute("href", href); return a; }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function safeUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }
  function modelHref(id) { return D.modelUrl[0] + id + D.modelUrl[1]; }

  /* The selection, from the address: ids as the board writes them, each once. */
  function selection() {
    var m = new URLSearchParams(location.search).get("m") || "";
    return m.split(",").filter(function (id, at, all) { return id !== "" && all.indexOf(id) === at; });
  }
  function setSelection(ids) {
    var q = ids.length ? "?m=" + ids.map(encodeURIComponent).join(",").replace(/%2F/g, "/") : "";
    history.pushState({ rb: 1 }, "", location.pathname + q + location.hash);
    show();
  }
  /* api/models/<id>.json.gz is gzip, which a static host serves as a file (no Content-Encoding); a host that
     decompresses it on the way hands over the JSON itself. Either way, the text. */
  function gunzipped(bytes) {
    var head = new Uint8Array(bytes, 0, Math.min(2, bytes.byteLength));
    if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return new TextDecoder().decode(bytes);
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  }
  function load(id) {
    if (!ID.test(id)) return Promise.reject(new Error(id));
    if (!cache[id]) {
      cache[id] = fetch(D.modelJson[0] + id + D.modelJson[1]).then(function (r) {
        if (!r.ok) throw new Error(id);
        return r.arrayBuffer();
      }).then(gunzipped).then(function (text) { return JSON.parse(text); });
      cache[id].catch(function () { delete cache[id]; });
    }
    return cache[id];
  }

  function show() {
    var ids = selection(), notes = [];
    if (ids.length > D.max) { notes.push(S["compare.too_many"]); ids = ids.slice(0, D.max); }
    statusEl.textContent = S["compare.loading"];
    Promise.all(ids.map(function (id) { return load(id).then(function (m) { return m; }, function () { return null; }); }))
      .then(function (models) {
        var loaded = performance.now(), ok = [];
        models.forEach(function (m, k) {
          if (m) ok.push(m);
          else notes.push(fmt(S["compare.unknown"], { id: ids[k] }));
        });
        draw(ok, notes);
        statusEl.textContent = ok.length ? fmt(S["compare.shown"], { names: ok.map(function (m) { return m.name; }).join(", ") }) : "";
        requestAnimationFrame(function () { window.rbCompareTiming = { loaded: loaded, drawn: performance.now(), models: ok.length }; });
      });
  }

  function draw(models, notes) {
    var frag = document.createDocumentFragment();
    notes.forEach(function (note) { frag.appendChild(el("p", "rb-compare-note", note)); });
    frag.appendChild(chips(models));
    if (models.length < 2) frag.appendChild(el("p", "rb-compare-note", S["compare.need_more"]));
    if (models.length) {
      frag.appendChild(overview(models));
      var figure = radar(models);
      if (figure) frag.appendChild(figure);
    }
    if (models.length >= 2) benchmarkSections(models, frag);
    root.replaceChildren(frag);
  }

  function chips(models) {
    var ul = el("ul", "rb-compare-models");
    models.forEach(function (m, k) {
      var li = el("li", "rb-s" + k);
      li.appendChild(el("span", "rb-key rb-s" + k));
      li.appendChild(link(modelHref(m.id), m.name));
      var remove = el("button", "rb-remove", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", fmt(S["compare.remove"], { name: m.name }));
      remove.title = remove.getAttribute("aria-label");
      remove.addEventListener("click", function () {
        setSelection(selection().filter(function (id) { return id !== m.id; }));
        findInput.focus();  // the button is gone: keep the reader in the picker, not at the top of the page
      });
      li.appendChild(remove);
      ul.appendChild(li);
    });
    return ul;
  }

  function table(models) {
    var wrap = el("div", "rb-table-wrap");
    var t = el("table", "rb-table rb-compare-table");
    var head = el("tr");
    head.appendChild(el("th", "", S["col.benchmark"])).scope = "col";
    models.forEach(function (m, k) {
      var th = el("th", "rb-s" + k); th.scope = "col";
      th.appendChild(el("span", "rb-key rb-s" + k)); th.appendChild(link(modelHref(m.id), m.name));
      head.appendChild(th);
    });
    t.appendChild(el("thead")).appendChild(head);
    t.appendChild(el("tbody"));
    wrap.appendChild(t);
    return wrap;
  }
  function rowHead(text, href) {
    var th = el("th"); th.scope = "row";
    if (href) th.appendChild(link(href, text)); else th.textContent = text;
    return th;
  }

  function overview(models) {
    var wrap = table(models), body = wrap.querySelector("tbody");
    wrap.querySelector("thead th").textContent = S["compare.overview"];
    function row(label, cell, href) {
      var tr = el("tr"); tr.appendChild(rowHead(label, href));
      models.forEach(function (m) { var td = el("td"); cell(m, td); tr.appendChild(td); });
      body.appendChild(tr);
    }
    row(S["col.rank"], function (m, td) {
      if (m.rank === null) { td.appendChild(el("span", "rb-unranked", S["rank.unranked"])); td.appendChild(el("span", "rb-reason", " " + S["unranked." + m.unranked])); return; }
      td.appendChild(el("b", "rb-rank", String(m.rank)));
      if (m.rank_worst > m.rank) td.appendChild(el("span", "rb-se", " " + m.rank + "–" + m.rank_worst));
      td.title = m.rank_worst > m.rank ? fmt(S["rank.interval"], { best: m.rank, worst: m.rank_worst }) : fmt(S["rank.exact"], { best: m.rank });
    });
    row(S["col.score"], function (m, td) {
      td.className = "rb-n";
      if (m.score === null) { td.textContent = "–"; return; }
      td.appendChild(el("b", "", fixed(m.score))); td.appendChild(el("span", "rb-se", " [" + fixed(m.score_low) + ", " + fixed(m.score_high) + "]"));
    });
    D.categories.forEach(function (c) {
      row(c.name, function (m, td) {
        td.className = "rb-n";
        var s = m.categories && m.categories[c.id];
        td.textContent = s && s.score !== null ? fixed(s.score) : "–";
        if (s && s.score === null && s.unranked) td.title = S["unranked." + s.unranked];
      }, c.url);
    });
    row(S["col.evidence"], function (m, td) {
      td.textContent = fmt(S["evidence.text"], { benchmarks: m.benchmarks, comparisons: m.comparisons, groups: m.groups.length });
    });
    row(S["col.organisation"], function (m, td) { td.textContent = m.organisation; });
    row(S["col.parameters"], function (m, td) { td.className = "rb-n"; td.textContent = m.parameters_billions === null ? "–" : String(m.parameters_billions); });
    row(S["col.type"], function (m, td) { td.textContent = S["type." + m.model_type] || m.model_type; });
    row(S["col.weights"], function (m, td) { td.textContent = m.open_weights ? S["weights.open"] : S["weights.api"]; });
    row(S["col.license"], function (m, td) { td.textContent = m.license; });
    row(S["col.released"], function (m, td) { td.textContent = m.release_date || S["compare.not_stated"]; });
    return wrap;
  }

  /* The radar: each model's like-for-like category scores on the model pages' scale
     (50 = an average model, 25 per standard deviation, clipped at ±2). A category where a
     model has no score is left out of its outline and said so in the text. */
  function radar(models) {
    var cats = D.categories.filter(function (c) {
      return models.some(function (m) { var s = m.categories && m.categories[c.id]; return s && s.score !== null; });
    });
    var n = cats.length;
    if (n < 3) return null;
    var W = 560, H = 330 + 18 * models.length, cx = 280, cy = 165, R = 115;
    function at(i, v) {
      var a = -Math.PI / 2 + 2 * Math.PI * i / n;
      return [cx + R * v / 100 * Math.cos(a), cy + R * v / 100 * Math.sin(a)];
    }
    function pos(score) { return Math.min(100, Math.max(0, 50 + 25 * score)); }
    function pt(p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }
    var uid = "rb-compare-radar";
    var root = svg("svg", { id: uid, class: "rb-chart rb-compare-radar", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-labelledby": uid + "-t " + uid + "-d" });
    var gaps = models.map(function (m) {  // what each model lacks, said in words: "" when it has every category
      var missing = cats.filter(function (c) { var s = m.categories[c.id]; return !s || s.score === null; });
      return missing.length ? fmt(S["compare.radar_missing"], { name: m.name, categories: missing.map(function (c) { return c.name; }).join(", ") }) : "";
    });
    var lines = models.map(function (m, k) {
      var said = m.name + ": " + cats.filter(function (c) { var s = m.categories[c.id]; return s && s.score !== null; })
        .map(function (c) { return c.name + " " + fixed(m.categories[c.id].score); }).join(", ");
      return gaps[k] ? said + "; " + gaps[k] : said;
    });
    root.appendChild(svg("title", { id: uid + "-t" }, S["compare.radar_title"]));
    root.appendChild(svg("desc", { id: uid + "-d" }, S["compare.radar_desc"] + " " + lines.join(" · ")));
    var axes = svg("g", { class: "rb-axes" });
    [25, 50, 75, 100].forEach(function (level) {
      axes.appendChild(svg("polygon", { class: "rb-grid" + (level === 50 ? " rb-zero" : ""), points: cats.map(function (_, i) { return pt(at(i, level)); }).join(" ") }));
    });
    cats.forEach(function (c, i) {
      var end = at(i, 100), label = at(i, 117);
      axes.appendChild(svg("line", { x1: cx, y1: cy, x2: end[0].toFixed(1), y2: end[1].toFixed(1) }));
      var anchor = Math.abs(label[0] - cx) < 10 ? "middle" : (label[0] > cx ? "start" : "end");
      axes.appendChild(svg("text", { x: label[0].toFixed(1), y: label[1].toFixed(1), "text-anchor": anchor, "dominant-baseline": "middle" }, c.name));
    });
    root.appendChild(axes);
    models.forEach(function (m, k) {
      var g = svg("g", { class: "rb-series rb-s" + k });
      g.appendChild(svg("title", {}, lines[k]));
      var vals = cats.map(function (c) { var s = m.categories[c.id]; return s && s.score !== null ? pos(s.score) : null; });
      if (vals.every(function (v) { return v !== null; })) {
        g.appendChild(svg("polygon", { points: vals.map(function (v, i) { return pt(at(i, v)); }).join(" ") }));
      } else {
        vals.forEach(function (v, i) {
          var w = vals[(i + 1) % n];
          if (v !== null && w !== null) {
            var a = at(i, v), b = at((i + 1) % n, w);
            g.appendChild(svg("line", { x1: a[0].toFixed(1), y1: a[1].toFixed(1), x2: b[0].toFixed(1), y2: b[1].toFixed(1) }));
          }
        });
      }
      vals.forEach(function (v, i) { if (v !== null) { var p = at(i, v); g.appendChild(svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 3 })); } });
      root.appendChild(g);
      var y = 330 + 18 * k;
      root.appendChild(svg("rect", { class: "rb-series rb-s" + k, x: 10, y: y - 10, width: 10, height: 10 }));
      root.appendChild(svg("text", { x: 26, y: y }, m.name + (gaps[k] ? " *" : "")));
    });
    var figure = el("figure", "rb-figure rb-radar");
    figure.appendChild(root);
    var caption = el("figcaption", "", S["compare.radar_desc"]);
    figure.appendChild(caption);
    models.forEach(function (m, k) {
      if (gaps[k]) caption.appendChild(el("span", "rb-missing", " * " + gaps[k]));
    });
    return figure;
  }

  function sourceOf(run) {
    if (!run) return "";
    if (run.source) {
      if (run.voice === "contributor") return fmt(S["prov.contributor"], { user: run.submitted_by, publisher: run.source.publisher, title: run.source.title });
      return fmt(S["prov.reported_by"], { publisher: run.source.publisher, title: run.source.title });
    }
    return fmt(S["prov.submitted_by"], { user: run.submitted_by, date: run.submitted_on });
  }
  function stated(v) { return v === null || v === undefined ? S["compare.not_stated"] : String(v); }
  function settingOf(score) {
    var text = fmt(S["compare.setting"], { n_shot: stated(score.n_shot), metric: stated(score.metric), filter: stated(score.filter) });
    return score.setting_note ? text + " · " + score.setting_note : text;
  }
  /* Where a number comes from, as a line under a benchmark or in a cell: the source (linked) or the protocol. */
  function origin(score, run) {
    var p = el("span", "rb-group");
    if (run && run.source) {
      var url = safeUrl(run.source.url);
      var label = sourceOf(run) + (run.source.locator ? ", " + run.source.locator : "");
      if (url) { var a = link(url, label); a.rel = "noopener nofollow"; p.appendChild(a); } else p.textContent = label;
    } else {
      p.textContent = (score.group && score.group.indexOf("protocol:") === 0 ? S["compare.protocol"] + " · " : "") + sourceOf(run);
    }
    return p;
  }
  function valueCell(m, score, best) {
    var td = el("td", "rb-n");
    var a = link(modelHref(m.id) + "#bench-" + score.benchmark, raw(score.value), "rb-num");
    td.appendChild(a);
    var status = score.status, code = status === "verified" ? "✓" : status === "submitted" ? "S" : "R";
    var mark = el("span", "rb-mark rb-" + status, code); mark.title = S["status." + status] || status; td.appendChild(mark);
    if (score.disputed) { var d = el("span", "rb-mark rb-disputed", "≠"); d.title = S["status.disputed"]; td.appendChild(d); }
    if (best) { td.classList.add("rb-best-cell"); a.title = S["compare.highest"]; }
    return td;
  }

  function benchmarkSections(models, frag) {
    var prepared = models.map(function (m) {
      var runs = {}, by = {};
      /* Each score is under its run (format 3): it takes the run's path, status and group from there. */
      m.runs.forEach(function (r) {
        runs[r.path] = r;
        if (r.status === "failed") return;
        Object.keys(r.scores || {}).forEach(function (b) {
          var s = Object.assign({}, r.scores[b], { benchmark: b, run: r.path, status: r.status });
          if (!s.group && !s.partial) s.group = r.group;
          (by[b] = by[b] || []).push(s);
        });
      });
      /* The counted number first, then by run file: the order the board lists them in. */
      Object.keys(by).forEach(function (b) {
        by[b].sort(function (x, y) { return (y.counts ? 1 : 0) - (x.counts ? 1 : 0) || (x.run < y.run ? -1 : x.run > y.run ? 1 : 0); });
      });
      return { m: m, runs: runs, by: by };
    });
    function counted(p, b) {
      var list = p.by[b] || [];
      for (var i = 0; i < list.length; i++) if (list[i].counts) return list[i];
      return null;
    }
    var like = table(models), apart = table(models);
    var likeBody = like.querySelector("tbody"), apartBody = apart.querySelector("tbody");
    D.benchmarks.forEach(function (b) {
      if (!prepared.some(function (p) { return p.by[b.id]; })) return;
      var groups = {};
      prepared.forEach(function (p, k) {
        (p.by[b.id] || []).forEach(function (s) {
          var g = groups[s.group] = groups[s.group] || { key: s.group, at: {}, size: 0, counted: 0 };
          if (!g.at[k]) { g.size++; g.at[k] = s; if (s.counts) g.counted++; }
          else if (s.counts && !g.at[k].counts) { g.at[k] = s; g.counted++; }
        });
      });
      var best = Object.keys(groups).map(function (k) { return groups[k]; }).sort(function (x, y) {
        return y.size - x.size || y.counted - x.counted || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
      })[0];
      var tr = el("tr"), head = rowHead(b.name, b.url);
      tr.appendChild(head);
      if (best && best.size >= 2) {
        var first = best.at[Object.keys(best.at)[0]];
        head.appendChild(origin(first, prepared[Number(Object.keys(best.at)[0])].runs[first.run]));
        head.appendChild(el("span", "rb-setting", settingOf(first)));
        var values = Object.keys(best.at).map(function (k) { return best.at[k].value; });
        var top = b.higher ? Math.max.apply(null, values) : Math.min.apply(null, values);
        prepared.forEach(function (p, k) {
          var s = best.at[k];
          if (s) { tr.appendChild(valueCell(p.m, s, s.value === top)); return; }
          var other = counted(p, b.id);
          if (!other) { tr.appendChild(el("td", "rb-n", "–")); return; }
          var td = valueCell(p.m, other, false);
          td.classList.add("rb-elsewhere");
          var mark = el("span", "rb-mark rb-differs rb-other-source", "†");
          mark.title = fmt(S["compare.elsewhere"], { source: sourceOf(p.runs[other.run]) });
          td.appendChild(mark);
          td.appendChild(el("span", "rb-sr", mark.title));
          tr.appendChild(td);
        });
        likeBody.appendChild(tr);
      } else {
        prepared.forEach(function (p) {
          var s = counted(p, b.id);
          if (!s) { tr.appendChild(el("td", "rb-n", "–")); return; }
          var td = valueCell(p.m, s, false);
          td.appendChild(origin(s, p.runs[s.run]));
          td.appendChild(el("span", "rb-setting", settingOf(s)));
          tr.appendChild(td);
        });
        apartBody.appendChild(tr);
      }
    });
    [[S["compare.like"], S["compare.like_intro"], like, "rb-compare-like"], [S["compare.apart"], S["compare.apart_intro"], apart, "rb-compare-apart"]]
      .forEach(function (part) {
        var section = el("section", part[3]);
        section.id = part[3];
        section.appendChild(el("h2", "", part[0]));
        section.appendChild(el("p", "", part[1]));
        if (part[2].querySelector("tbody").rows.length) section.appendChild(part[2]);
        else section.appendChild(el("p", "", S["compare.none"]));
        frag.appendChild(section);
      });
  }

  /* The picker: the list of models is fetched the first time the reader uses it. */
  var index = null, indexKeys = null;
  function withIndex(then) {
    if (index) { then(); return; }
    fetch(D.modelIndex).then(function (r) { return r.json(); }).then(function (got) {
      index = got;
      indexKeys = got.id.map(function (id, i) { return RB.searchKey([got.name[i], id, got.org[i]].concat(got.aliases[got.org[i]] || [])); });
      then();
    });
  }
  function candidates(query, limit) {
    var words = RB.queryWords(query), out = [];
    if (!words.length) return out;
    for (var i = 0; i < index.id.length && out.length < limit; i++) if (RB.found(indexKeys[i], words)) out.push(i);
    return out;
  }
  findInput.addEventListener("focus", function () { withIndex(function () {}); });
  findInput.addEventListener("input", function () {
    withIndex(function () {
      var frag = document.createDocumentFragment();
      candidates(findInput.value, 20).forEach(function (i) {
        var o = el("option"); o.value = index.id[i]; o.label = index.name[i] + " · " + index.org[i]; frag.appendChild(o);
      });
      options.replaceChildren(frag);
    });
  });
  picker.addEventListener("submit", function (e) {
    e.preventDefault();
    withIndex(function () {
      var q = findInput.value.trim(), at = index.id.indexOf(q);
      if (at < 0) at = candidates(q, 1)[0];
      if (at === undefined) { statusEl.textContent = S["compare.no_match"]; return; }
      var ids = selection();
      if (ids.indexOf(index.id[at]) < 0) ids.push(index.id[at]);
      findInput.value = "";
      options.replaceChildren();
      setSelection(ids.slice(0, D.max));
    });
  });

  window.addEventListener("popstate", show);
  show();
})();
