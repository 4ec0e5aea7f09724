/* mqcat finder: facets, counts and prefix search over the prebuilt lunr index.
 *
 * Data (written by generator/search_index.py next to this page):
 *   entries.json     facet and card records, loaded first;
 *   index/<c>.json   the lunr index's terms that start with <c>, loaded per query word.
 * The state lives in the URL query string: q, sort and one parameter per facet
 * (repeated for several values). Facets combine with AND across groups and OR
 * within one; each option shows how many results it would leave.
 */
(function () {
  "use strict";

  var form = document.getElementById("mq-finder");
  if (!form || !window.lunr || !window.fetch) return;

  var config = JSON.parse(document.getElementById("mq-finder-config").textContent);
  var language = form.dataset.language;
  var base = form.dataset.base;
  var query = document.getElementById("mq-q");
  var sort = document.getElementById("mq-sort");
  var count = document.getElementById("mq-count");
  var list = document.getElementById("mq-results");
  var more = document.getElementById("mq-more");
  var clear = document.getElementById("mq-clear");
  var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-param]"));
  var PAGE = 30;
  var shown = PAGE;
  var entries = [];
  var shards = {};
  var available = {};
  var today = new Date().toISOString().slice(0, 10);

  /* The same folding as mqFold in generator/search_index.py: lower case, no diacritics. */
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "");
  }
  lunr.Pipeline.registerFunction(function mqFold(token) {
    return token.update(function (text) { return fold(text); });
  }, "mqFold");

  function shardOf(term) {
    var first = term.charAt(0);
    return /[a-z0-9]/.test(first) ? first : "_";
  }

  function loadShard(key) {
    if (!shards[key]) {
      shards[key] = available[key]
        ? fetch("index/" + key + ".json").then(function (r) {
            if (!r.ok) throw new Error(r.status);
            return r.json();
          }).then(function (data) { return lunr.Index.load(data); })
        : Promise.resolve(null);
    }
    return shards[key];
  }

  /* Query words -> the terms lunr holds: folded, and for English stemmed, stop words dropped. */
  function terms(text) {
    return fold(text).split(/[\s\-]+/).map(function (word) {
      return word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    }).filter(function (word) {
      return word && (language !== "en" || lunr.stopWordFilter(word) !== undefined);
    }).map(function (word) {
      return language === "en" ? lunr.stemmer(new lunr.Token(word)).toString() : word;
    });
  }

  /* Every term must match some word by prefix; scores add up. Resolves to {id: score} or null (no query). */
  function search(text) {
    var wanted = terms(text);
    if (!wanted.length) return Promise.resolve(null);
    return Promise.all(wanted.map(function (term) {
      return loadShard(shardOf(term)).then(function (index) {
        var scores = {};
        if (!index) return scores;
        index.query(function (q) {
          q.term(term, { wildcard: lunr.Query.wildcard.TRAILING, usePipeline: false });
          q.term(term, { usePipeline: false, boost: 10 });
        }).forEach(function (hit) { scores[hit.ref] = hit.score; });
        return scores;
      });
    })).then(function (perTerm) {
      var result = perTerm[0];
      perTerm.slice(1).forEach(function (scores) {
        var next = {};
        Object.keys(result).forEach(function (id) {
          if (id in scores) next[id] = result[id] + scores[id];
        });
        result = next;
      });
      return result;
    });
  }

  /* The facet values of one entry record, by URL parameter. */
  function values(entry, param) {
    switch (param) {
      case "sector": return [entry.sector];
      case "level": return [String(entry.lki)];
      case "band": return [entry.band];
      case "form": return [entry.form];
      case "language": return entry.langs;
      case "provider": return entry.provs;
      case "place": return entry.places;
      case "cost": return [entry.cost];
      case "intake":
        var intake = [];
        if (entry.starts.some(function (d) { return d >= today; })) intake.push("open-now");
        if (entry.onDemand) intake.push("on-demand");
        return intake;
    }
    return [];
  }

  function selected() {
    var chosen = {};
    groups.forEach(function (group) {
      var param = group.dataset.param;
      chosen[param] = Array.prototype.slice.call(group.querySelectorAll("input:checked")).map(function (i) { return i.value; });
    });
    return chosen;
  }

  function matches(entry, chosen, except) {
    return Object.keys(chosen).every(function (param) {
      if (param === except || !chosen[param].length) return true;
      var own = values(entry, param);
      return chosen[param].some(function (value) { return own.indexOf(value) >= 0; });
    });
  }

  function format(template, n) { return template.replace("{n}", n); }

  function fact(term, value) {
    var wrap = document.createElement("div");
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    wrap.appendChild(dt);
    wrap.appendChild(dd);
    return wrap;
  }

  function card(entry) {
    var item = document.createElement("li");
    item.className = "mq-card";
    var heading = document.createElement("h3");
    heading.className = "mq-card__title";
    var link = document.createElement("a");
    link.href = base + entry.path;
    link.textContent = entry.title;
    if (entry.titleFallback) link.lang = "lv";
    heading.appendChild(link);
    item.appendChild(heading);
    if (entry.status !== "active") {
      var badge = document.createElement("span");
      badge.className = "mq-badge mq-badge--" + entry.status;
      badge.textContent = config.status[entry.status] || entry.status;
      item.appendChild(badge);
    }
    var facts = document.createElement("dl");
    facts.className = "mq-card__facts";
    facts.appendChild(fact(config.facts.level, entry.level));
    facts.appendChild(fact(config.facts.workload, entry.workload));
    facts.appendChild(fact(config.facts.participation, entry.participation));
    facts.appendChild(fact(config.facts.providers, entry.providers));
    facts.appendChild(fact(config.facts.languages, entry.languages));
    item.appendChild(facts);
    return item;
  }

  var collator = new Intl.Collator(language);
  function order(found, scores) {
    var by = sort.value;
    if (by === "relevance" && !scores) by = "title";
    found.sort(function (a, b) {
      if (by === "relevance") return (scores[b.id] - scores[a.id]) || collator.compare(a.title, b.title);
      if (by === "workload") return (a.hours - b.hours) || collator.compare(a.title, b.title);
      return collator.compare(a.title, b.title);
    });
    return found;
  }

  var generation = 0;
  function update() {
    var mine = ++generation;
    return search(query.value).then(function (scores) {
      if (mine !== generation) return;
      var chosen = selected();
      var candidates = scores ? entries.filter(function (e) { return e.id in scores; }) : entries.slice();
      groups.forEach(function (group) {
        var param = group.dataset.param;
        var counts = {};
        candidates.forEach(function (entry) {
          if (!matches(entry, chosen, param)) return;
          values(entry, param).forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
        });
        group.querySelectorAll("input").forEach(function (input) {
          var n = counts[input.value] || 0;
          input.nextElementSibling.querySelector("[data-count]").textContent = "(" + n + ")";
        });
      });
      var found = order(candidates.filter(function (e) { return matches(e, chosen, null); }), scores);
      list.textContent = "";
      found.slice(0, shown).forEach(function (entry) { list.appendChild(card(entry)); });
      more.hidden = found.length <= shown;
      count.textContent = found.length ? format(config.labels.results, found.length) : config.labels.no_results;
    });
  }

  /* State <-> URL. */
  function stateToUrl(push) {
    var params = new URLSearchParams();
    if (query.value.trim()) params.set("q", query.value.trim());
    var chosen = selected();
    Object.keys(chosen).forEach(function (param) {
      chosen[param].forEach(function (value) { params.append(param, value); });
    });
    if (sort.value !== "relevance") params.set("sort", sort.value);
    var search = params.toString();
    var url = location.pathname + (search ? "?" + search : "");
    if (url === location.pathname + location.search) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  function urlToState() {
    var params = new URLSearchParams(location.search);
    query.value = params.get("q") || "";
    sort.value = params.get("sort") || "relevance";
    groups.forEach(function (group) {
      var wanted = params.getAll(group.dataset.param);
      group.querySelectorAll("input").forEach(function (input) {
        input.checked = wanted.indexOf(input.value) >= 0;
      });
    });
  }

  var typing;
  query.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { shown = PAGE; stateToUrl(false); update(); }, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typing);
    shown = PAGE;
    stateToUrl(true);
    update();
  });
  form.addEventListener("change", function (event) {
    if (event.target === query) return;
    shown = PAGE;
    stateToUrl(true);
    update();
  });
  clear.addEventListener("click", function () {
    form.querySelectorAll("input[type=checkbox]").forEach(function (input) { input.checked = false; });
    shown = PAGE;
    stateToUrl(true);
    update();
  });
  more.addEventListener("click", function () {
    shown += PAGE;
    update();
  });
  window.addEventListener("popstate", function () {
    urlToState();
    shown = PAGE;
    update();
  });

  urlToState();
  fetch("entries.json").then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(function (data) {
    var fields = data.fields;
    var tables = data.tables;
    data.shards.forEach(function (key) { available[key] = true; });
    entries = data.entries.map(function (row) {
      var entry = {};
      fields.forEach(function (name, i) { entry[name] = row[i]; });
      entry.sector = tables.sector[entry.sector][0];
      entry.langs = entry.langs.map(function (i) { return tables.language[i][0]; });
      entry.provs = entry.provs.map(function (i) { return tables.provider[i][0]; });
      entry.places = entry.places.map(function (i) { return tables.place[i][0]; });
      return entry;
    });
    return update();
  }).catch(function () {
    count.textContent = config.labels.error;
  });
})();
