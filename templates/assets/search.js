// The search page: finds records in the index that `sitrep build` writes
// under search/ (see src/search/mod.rs for its files). Words are folded and
// cut exactly as src/search/tokens.rs does; only the files a query needs are
// fetched, each once. Without JavaScript the page says where the lists are.
(function () {
  "use strict";
  var PAGE = 20;
  var WORD = /\d{4}-\d{2}(?:-\d{2})?|[\p{Alphabetic}\p{N}]+/gu;
  var KINDS = { incidents: "Incident", targets: "Target", actors: "Actor", campaigns: "Campaign", notes: "Note" };

  function words(text) {
    var folded = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return folded.match(WORD) || [];
  }
  // Strings in code point order (as Rust sorts them; JavaScript's own
  // comparison is by UTF-16 units, which differs past U+FFFF).
  function cmp(a, b) {
    var i = 0;
    while (i < a.length && i < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(i);
      if (x !== y) { return x < y ? -1 : 1; }
      i += x > 0xffff ? 2 : 1;
    }
    return a.length - i === b.length - i ? 0 : (a.length - i < b.length - i ? -1 : 1);
  }
  // A list of documents, as src/search/postings.rs writes it, into `into`
  // (one byte a document) with `mark` where none is higher.
  function decode(list, into, mark) {
    var at = -1;
    for (var i = 0; i < list.length; i++) {
      var n = list[i];
      if (n > 0) {
        at += n;
        if (into[at] < mark) { into[at] = mark; }
      } else {
        for (var k = 0; k < -n; k++) {
          at += 1;
          if (into[at] < mark) { into[at] = mark; }
        }
      }
    }
  }

  function start(form) {
    var base = form.getAttribute("data-index");
    var root = form.getAttribute("data-root");
    var input = form.querySelector("#search-q");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var cache = new Map();
    var manifest = null;
    var shown = { hits: [], count: 0 };
    var query = 0;
    var timer = null;

    var MAX_PREFIX_SHARDS = 4; // src/search/postings.rs
    var cut = false;
    function get(path) {
      if (!cache.has(path)) {
        var got = fetch(base + path).then(function (r) {
          if (!r.ok) { throw new Error(path + ": " + r.status); }
          return r.json();
        });
        // A failed fetch is tried again next time, not remembered.
        got.catch(function () { if (cache.get(path) === got) { cache.delete(path); } });
        cache.set(path, got);
      }
      return cache.get(path);
    }
    // The shards that hold `word` (postings::shards_of): the last whose
    // first word is not after it, and for a word typed as a prefix the
    // next ones whose first word begins with it, a few at most.
    function shardsOf(word, prefix) {
      var firsts = manifest.shards, lo = 0, hi = firsts.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (cmp(firsts[mid], word) <= 0) { lo = mid + 1; } else { hi = mid; }
      }
      var found = [Math.max(lo - 1, 0)];
      if (prefix) {
        for (var k = found[0] + 1; k < firsts.length && firsts[k].startsWith(word); k++) { found.push(k); }
      }
      if (found.length > MAX_PREFIX_SHARDS) {
        cut = true;
        found = found.slice(0, MAX_PREFIX_SHARDS);
      }
      return found;
    }
    // 2 where every word is in a document's name, 1 where every word is in
    // it somewhere, 0 elsewhere.
    function match(ws) {
      var n = manifest.docs;
      return Promise.all(ws.map(function (w, i) {
        var prefix = i === ws.length - 1 && Array.from(w).length >= 2; // in characters, as tests/search.rs counts them
        return Promise.all(shardsOf(w, prefix).map(function (k) { return get("t/" + k + ".json"); }))
          .then(function (shards) {
            var marks = new Uint8Array(n);
            shards.forEach(function (shard) {
              Object.keys(shard).forEach(function (term) {
                if (term === w || (prefix && term.startsWith(w))) {
                  decode(shard[term][1], marks, 1);
                  decode(shard[term][0], marks, 2);
                }
              });
            });
            return marks;
          });
      })).then(function (all) {
        if (all.length === 0) { return new Uint8Array(n).fill(2); }
        var out = all[0];
        for (var j = 1; j < all.length; j++) {
          for (var d = 0; d < n; d++) { if (all[j][d] < out[d]) { out[d] = all[j][d]; } }
        }
        return out;
      });
    }
    function filters() {
      return selects.filter(function (s) { return s.value !== ""; }).map(function (s) {
        return s.options[s.selectedIndex].getAttribute("data-file");
      });
    }
    function run() {
      if (!manifest) { return; }
      var q = input.value;
      var ws = words(q);
      var fs = filters();
      var mine = ++query;
      cut = false;
      var params = new URLSearchParams();
      if (q.trim()) { params.set("q", q.trim()); }
      selects.forEach(function (s) { if (s.value) { params.set(s.name, s.value); } });
      var search = params.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
      if (ws.length === 0 && fs.length === 0) {
        status.textContent = q.trim() ? "Type letters or digits to search." : "";
        list.textContent = "";
        more.hidden = true;
        return;
      }
      Promise.all([match(ws)].concat(fs.map(function (f) { return get("f/" + f + ".json"); })))
        .then(function (got) {
          if (mine !== query) { return; }
          var marks = got[0];
          for (var i = 1; i < got.length; i++) {
            var keep = new Uint8Array(marks.length);
            decode(got[i], keep, 1);
            for (var d = 0; d < marks.length; d++) { if (!keep[d]) { marks[d] = 0; } }
          }
          var hits = [];
          for (var tier = 2; tier >= 1; tier--) {
            for (var e = 0; e < marks.length; e++) { if (marks[e] === tier) { hits.push(e); } }
          }
          shown = { hits: hits, count: 0 };
          var what = ws.length ? " for “" + q.trim() + "”" : "";
          // The count is announced once the first results are there.
          return showMore(mine, true).then(function () {
            if (mine !== query) { return; }
            status.textContent = (hits.length === 0 ? "No results" + what + "."
              : hits.length + (hits.length === 1 ? " result" : " results") + what + ".")
              + (cut ? " Many words begin with the last one: only the first of them were searched; type more letters." : "");
          });
        })
        .catch(function (err) {
          if (mine === query) { status.textContent = "The search index could not be read (" + err.message + ")."; }
        });
    }
    // The next results; `fresh`: in place of those shown.
    function showMore(mine, fresh) {
      var next = shown.hits.slice(shown.count, shown.count + PAGE);
      var chunks = Array.from(new Set(next.map(function (d) { return Math.floor(d / manifest.chunk); })));
      return Promise.all(chunks.map(function (c) { return get("d/" + c + ".json"); })).then(function (got) {
        if (mine !== query) { return; }
        if (fresh) { list.textContent = ""; }
        var byChunk = new Map();
        chunks.forEach(function (c, i) { byChunk.set(c, got[i]); });
        next.forEach(function (d) {
          var doc = byChunk.get(Math.floor(d / manifest.chunk))[d % manifest.chunk];
          list.appendChild(result(doc));
        });
        shown.count += next.length;
        more.hidden = shown.count >= shown.hits.length;
      });
    }
    function result(doc) {
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "badge kind";
      kind.textContent = KINDS[doc[0]] || doc[0];
      var a = document.createElement("a");
      a.href = root + doc[2];
      a.textContent = doc[1];
      li.appendChild(kind);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      if (doc[3]) {
        var line = document.createElement("p");
        line.className = "line";
        line.textContent = doc[3];
        li.appendChild(line);
      }
      return li;
    }
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    }

    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    selects.forEach(function (s) { s.value = params.get(s.name) || ""; });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    input.addEventListener("input", soon);
    selects.forEach(function (s) { s.addEventListener("change", run); });
    more.addEventListener("click", function () {
      var first = shown.count;
      showMore(query).then(function () {
        var link = list.children[first] && list.children[first].querySelector("a");
        if (link) { link.focus(); }
      });
    });
    get("index.json").then(function (m) {
      manifest = m;
      run();
    }).catch(function (err) {
      status.textContent = "The search index could not be read (" + err.message + ").";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.search[data-index]");
    if (form) { start(form); }
  });
})();
